"""Adapters: the ports of the domain implemented on real technologies (Redis, memory, the console)."""
