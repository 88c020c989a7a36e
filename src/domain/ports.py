"""The ports: what the domain needs from storage and from whatever acts on a trigger."""
from __future__ import annotations

import abc

from .model import Webhook


class WebhookRepository(abc.ABC):
    """Stores webhooks by id. Every id handed to a repository is well formed (see ``is_hook_id``)."""

    @abc.abstractmethod
    def add(self, hook: Webhook) -> None:
        """Store a new hook; never overwrite: raise ``WebhookIdTaken`` if its id is already stored.

        Raises ``StorageUnavailable`` when the storage fails; the hook is then not known to be stored.
        """

    @abc.abstractmethod
    def get(self, hook_id: str) -> Webhook | None:
        """Return the hook stored under ``hook_id``, or None; raise ``StorageUnavailable`` on failure."""


class WebhookHandler(abc.ABC):
    """Acts on a triggered webhook (prints it, forwards it, runs user code)."""

    @abc.abstractmethod
    def handle(self, hook: Webhook) -> None:
        """Process one trigger of ``hook``; any exception counts as the handler failing."""
