"""An in-process trigger history: the fake for unit tests, held to the same contract as Redis."""
from __future__ import annotations

import threading

import orjson

from ..domain.history import HistoryEntry, HistoryPage, TriggerHistory
from ..domain.payload import TriggerEvent
from .history_codec import decode_entry, decode_entry_event, encode_entry, event_id_marker, page_after


class InMemoryTriggerHistory(TriggerHistory):
    """Keeps each hook's entries as the same JSON documents, newest first, as the Redis list does."""

    def __init__(self) -> None:
        self._lists: dict[str, list[bytes]] = {}
        self._lock = threading.Lock()

    def record(self, hook_id: str, entry: HistoryEntry, event: TriggerEvent | None, keep: int) -> None:
        """Push the entry; keep the ``keep`` newest."""
        with self._lock:
            entries = self._lists.setdefault(hook_id, [])
            entries.insert(0, encode_entry(entry, event))
            del entries[keep:]

    def settle(self, hook_id: str, event_id: str, outcome: str, attempts: int, last_error: str,
               handler_ms: float) -> None:
        """Update the kept entry's outcome."""
        marker = event_id_marker(event_id).encode()
        with self._lock:
            entries = self._lists.get(hook_id, [])
            for index, document in enumerate(entries):
                if marker in document:
                    value = orjson.loads(document)
                    value.update(outcome=outcome, attempts=attempts, last_error=last_error, handler_ms=handler_ms)
                    entries[index] = orjson.dumps(value)
                    return

    def page(self, hook_id: str, limit: int, cursor: str | None = None) -> HistoryPage:
        """Newest first, after ``cursor``."""
        with self._lock:
            documents = list(self._lists.get(hook_id, []))
        return page_after(documents, limit, cursor)

    def replayable(self, hook_id: str, event_id: str) -> tuple[HistoryEntry, TriggerEvent] | None:
        """The kept entry and event, if any."""
        marker = event_id_marker(event_id).encode()
        with self._lock:
            found = next((d for d in self._lists.get(hook_id, []) if marker in d), None)
        event = decode_entry_event(found) if found else None
        return (decode_entry(found), event) if event is not None else None

    def forget(self, hook_id: str) -> None:
        """Drop the hook's history."""
        with self._lock:
            self._lists.pop(hook_id, None)
