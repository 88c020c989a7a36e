"""An in-process repository: the fast fake for unit tests, held to the same contract as Redis."""
from __future__ import annotations

import threading

from ..domain.errors import WebhookIdTaken
from ..domain.model import Webhook
from ..domain.ports import WebhookRepository
from .hook_codec import decode_hook, encode_hook


class InMemoryWebhookRepository(WebhookRepository):
    """Keeps hooks in a dict, encoded as the same JSON documents Redis holds.

    Storing the encoded document (not the object) gives the fake Redis's semantics: what comes back is
    a copy that went through JSON, so a caller mutating its arguments afterwards changes nothing stored.
    """

    def __init__(self) -> None:
        self._documents: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def add(self, hook: Webhook) -> None:
        """Store a new hook; raise ``WebhookIdTaken`` if its id is already stored."""
        document = encode_hook(hook)
        with self._lock:
            if hook.id in self._documents:
                raise WebhookIdTaken(hook.id)
            self._documents[hook.id] = document

    def get(self, hook_id: str) -> Webhook | None:
        """Return the hook stored under ``hook_id``, or None."""
        document = self._documents.get(hook_id)
        return None if document is None else decode_hook(document)
