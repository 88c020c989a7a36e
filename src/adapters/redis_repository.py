"""The Redis repository: one string key per hook holding its JSON document.

Key layout (``P`` is the configured ``redis.key_prefix``, ``ID`` a well-formed hook id):

=====================  ======  ===============================================================
key                    type    value
=====================  ======  ===============================================================
``P`` hook:{``ID``}    string  the hook's JSON document (see ``hook_codec``), written ``SET NX``
=====================  ======  ===============================================================

The id sits in a ``{…}`` hash tag so that every key belonging to one hook (later: its rate-limit
counter, replay guard, history) hashes to one Redis Cluster slot and can change in one transaction.
"""
from __future__ import annotations

import redis

from ..domain.errors import StorageUnavailable, WebhookIdTaken
from ..domain.model import Webhook
from ..domain.ports import WebhookRepository
from .hook_codec import decode_hook, encode_hook


class RedisWebhookRepository(WebhookRepository):
    """Stores hooks in Redis; every Redis failure surfaces as the domain's ``StorageUnavailable``.

    Args:
        client: a redis-py client (its pool, timeouts and retry policy are the caller's choice).
        key_prefix: prepended to every key, so several deployments can share one Redis.
    """

    def __init__(self, client: redis.Redis, key_prefix: str = "webhook:") -> None:
        self._client = client
        self._hook_key_prefix = f"{key_prefix}hook:"

    def hook_key(self, hook_id: str) -> str:
        """Return the Redis key of the hook ``hook_id`` (a well-formed id, never raw input)."""
        return f"{self._hook_key_prefix}{{{hook_id}}}"

    def add(self, hook: Webhook) -> None:
        """Store a new hook with ``SET NX``; raise ``WebhookIdTaken`` if the key exists."""
        try:
            stored = self._client.set(self.hook_key(hook.id), encode_hook(hook), nx=True)
        except redis.RedisError as exc:
            raise StorageUnavailable(f"redis SET failed: {type(exc).__name__}") from exc
        if not stored:
            raise WebhookIdTaken(hook.id)

    def get(self, hook_id: str) -> Webhook | None:
        """Return the hook stored under ``hook_id``, or None."""
        try:
            document = self._client.get(self.hook_key(hook_id))
        except redis.RedisError as exc:
            raise StorageUnavailable(f"redis GET failed: {type(exc).__name__}") from exc
        if document is None:
            return None
        try:
            return decode_hook(document)
        except ValueError as exc:
            raise StorageUnavailable(f"stored webhook {hook_id} is unreadable") from exc
