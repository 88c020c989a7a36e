"""Entrypoints: the HTTP app, the CLI and the composition root that wires adapters into the domain."""
