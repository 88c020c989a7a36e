"""An in-process repository: the fast fake for unit tests, held to the same contract as Redis."""
from __future__ import annotations

import threading
import time
from typing import Callable

from ..domain.errors import WebhookIdTaken
from ..domain.model import Webhook
from ..domain.ports import Admission, Page, WebhookRepository
from .hook_codec import decode_hook, encode_hook
from .listing import check_cursor, hook_id_of, index_entry

#: The rate limit counts triggers in fixed windows of this many seconds, as the Redis adapter does.
RATE_WINDOW_SECONDS = 60.0


class InMemoryWebhookRepository(WebhookRepository):
    """Keeps hooks in dicts, encoded as the same JSON documents Redis holds.

    Storing the encoded document (not the object) gives the fake Redis's semantics: what comes back is
    a copy that went through JSON, so a caller mutating its arguments afterwards changes nothing stored.

    Args:
        monotonic: the clock for expiry, rate windows and delivery memory (replaceable in tests).
    """

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._documents: dict[str, tuple[bytes, float | None]] = {}
        self._index: dict[str, set[str]] = {}
        self._windows: dict[str, tuple[float, int]] = {}
        self._deliveries: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def _live_document(self, hook_id: str) -> bytes | None:
        """Return the stored document if it has not expired (dropping it if it has)."""
        entry = self._documents.get(hook_id)
        if entry is None:
            return None
        document, deadline = entry
        if deadline is not None and self._now() >= deadline:
            del self._documents[hook_id]
            return None
        return document

    def add(self, hook: Webhook, expires_in: int | None = None) -> None:
        """Store a new hook and index it; raise ``WebhookIdTaken`` if its id is already stored."""
        document = encode_hook(hook)
        with self._lock:
            if self._live_document(hook.id) is not None:
                raise WebhookIdTaken(hook.id)
            deadline = self._now() + expires_in if expires_in else None
            self._documents[hook.id] = (document, deadline)
            self._index.setdefault(hook.userid, set()).add(index_entry(hook))

    def get(self, hook_id: str) -> Webhook | None:
        """Return the hook stored under ``hook_id``, or None."""
        with self._lock:
            document = self._live_document(hook_id)
        return None if document is None else decode_hook(hook_id, document)

    def replace(self, hook: Webhook) -> bool:
        """Overwrite a stored hook, keeping its expiry; False if it is gone."""
        with self._lock:
            if self._live_document(hook.id) is None:
                return False
            self._documents[hook.id] = (encode_hook(hook), self._documents[hook.id][1])
            return True

    def delete(self, hook: Webhook) -> bool:
        """Remove a hook and its index entry; return whether it was there."""
        with self._lock:
            existed = self._live_document(hook.id) is not None
            self._documents.pop(hook.id, None)
            self._index.get(hook.userid, set()).discard(index_entry(hook))
            return existed

    def list_by_user(self, userid: str, limit: int, cursor: str | None = None) -> Page:
        """Return up to ``limit`` of the user's live hooks, newest first, after ``cursor``.

        The fake sorts the user's whole index on every call; the Redis adapter reads only the page.
        """
        after = check_cursor(cursor) if cursor else None
        with self._lock:
            index = self._index.get(userid, set())
            live = []
            for entry in sorted(index, reverse=True):
                if after is not None and entry >= after:
                    continue
                document = self._live_document(hook_id_of(entry))
                if document is None:
                    index.discard(entry)  # expired: drop the dangling entry, as Redis does
                    continue
                live.append((entry, document))
                if len(live) > limit:
                    break
        page = live[:limit]
        next_cursor = page[-1][0] if len(live) > limit else None
        return Page([decode_hook(hook_id_of(entry), document) for entry, document in page], next_cursor)

    def admit(self, hook_id: str, default_rate_limit: int) -> Admission | None:
        """Load the hook and count the trigger in its current fixed window."""
        with self._lock:
            document = self._live_document(hook_id)
            if document is None:
                return None
            hook = decode_hook(hook_id, document)
            limit = hook.settings.rate_limit if hook.settings.rate_limit is not None else default_rate_limit
            now = self._now()
            window_end, count = self._windows.get(hook_id, (0.0, 0))
            if now >= window_end:
                window_end, count = now + RATE_WINDOW_SECONDS, 0
            count += 1
            self._windows[hook_id] = (window_end, count)
        retry_after = window_end - now if limit and count > limit else 0.0
        return Admission(hook, retry_after)

    def remember_delivery(self, hook_id: str, key: str, ttl_seconds: int) -> bool:
        """Record the delivery; False if it was recorded within its time to live."""
        with self._lock:
            now = self._now()
            if self._deliveries.get((hook_id, key), 0.0) > now:
                return False
            self._deliveries[(hook_id, key)] = now + ttl_seconds
            return True

    def forget_delivery(self, hook_id: str, key: str) -> None:
        """Forget a recorded delivery."""
        with self._lock:
            self._deliveries.pop((hook_id, key), None)
