"""An in-process trigger history: the fake for unit tests, held to the same contract as Redis."""
from __future__ import annotations

import threading

import orjson

from ..domain.history import HistoryEntry, HistoryPage, TriggerHistory
from ..domain.payload import TriggerEvent
from .history_codec import decode_entry, decode_entry_event, encode_entry, history_member
from .listing import check_history_cursor


class InMemoryTriggerHistory(TriggerHistory):
    """Keeps each hook's entries as the same JSON documents Redis holds, ordered like Redis does."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, tuple[str, bytes]]] = {}
        self._lock = threading.Lock()

    def record(self, hook_id: str, entry: HistoryEntry, event: TriggerEvent | None, keep: int) -> None:
        """Add or replace the entry; keep the ``keep`` newest."""
        with self._lock:
            entries = self._entries.setdefault(hook_id, {})
            member = entries[entry.event_id][0] if entry.event_id in entries else history_member(entry)
            entries[entry.event_id] = (member, encode_entry(entry, event))
            for event_id, _ in sorted(entries.items(), key=lambda item: item[1][0])[: max(0, len(entries) - keep)]:
                del entries[event_id]

    def settle(self, hook_id: str, event_id: str, outcome: str, attempts: int, last_error: str,
               handler_ms: float) -> None:
        """Update a kept entry's outcome."""
        with self._lock:
            kept = self._entries.get(hook_id, {}).get(event_id)
            if kept is not None:
                value = orjson.loads(kept[1])
                value.update(outcome=outcome, attempts=attempts, last_error=last_error, handler_ms=handler_ms)
                self._entries[hook_id][event_id] = (kept[0], orjson.dumps(value))

    def page(self, hook_id: str, limit: int, cursor: str | None = None) -> HistoryPage:
        """Newest first, after ``cursor``."""
        after = check_history_cursor(cursor) if cursor else None
        with self._lock:
            ordered = sorted(self._entries.get(hook_id, {}).values(), reverse=True)
        ordered = [(member, document) for member, document in ordered if after is None or member < after]
        page = ordered[:limit]
        next_cursor = page[-1][0] if len(ordered) > limit else None
        return HistoryPage([decode_entry(document) for _, document in page], next_cursor)

    def replayable(self, hook_id: str, event_id: str) -> tuple[HistoryEntry, TriggerEvent] | None:
        """The kept entry and event, if any."""
        with self._lock:
            kept = self._entries.get(hook_id, {}).get(event_id)
        event = decode_entry_event(kept[1]) if kept else None
        return (decode_entry(kept[1]), event) if event is not None else None

    def forget(self, hook_id: str) -> None:
        """Drop the hook's history."""
        with self._lock:
            self._entries.pop(hook_id, None)
