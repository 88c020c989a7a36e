"""The domain: webhooks, the use cases on them and the ports they need. Pure Python, no I/O."""
