"""webhook-register: register webhooks with stored arguments, trigger them, run pluggable handlers."""
