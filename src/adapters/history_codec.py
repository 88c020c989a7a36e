"""How history entries are stored and paged: JSON with the event (for replays) when it is small enough."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import orjson

from ..domain.history import HistoryEntry, HistoryPage
from ..domain.payload import TriggerEvent, is_event_id
from .hook_codec import decode_event, encode_event

#: Events larger than this (encoded) are kept without their payload and cannot be replayed.
REPLAYABLE_EVENT_MAX_BYTES = 64 * 1024


def encode_entry(entry: HistoryEntry, event: TriggerEvent | None) -> bytes:
    """Return the stored JSON of an entry, with its event when given and small enough."""
    value: dict[str, Any] = asdict(entry)
    encoded = encode_event(event) if event is not None else None
    value["event"] = encoded.decode() if encoded is not None and len(encoded) <= REPLAYABLE_EVENT_MAX_BYTES else None
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)


def event_id_marker(event_id: str) -> str:
    """Text found in the stored JSON of the entry of ``event_id`` and in no other entry's, whatever the
    order of its keys: the event, kept inside as a JSON string, has its quotes escaped."""
    return '"event_id":' + orjson.dumps(event_id).decode()


def decode_entry(document: bytes) -> HistoryEntry:
    """Rebuild an entry from its stored JSON."""
    value = orjson.loads(document)
    value.pop("event", None)
    value["received_at"] = datetime.fromisoformat(value["received_at"])
    return HistoryEntry(**value)


def decode_entry_event(document: bytes) -> TriggerEvent | None:
    """Return the event kept with an entry, or None."""
    event = orjson.loads(document).get("event")
    return decode_event(event) if event else None


def page_after(documents: list[bytes], limit: int, cursor: str | None) -> HistoryPage:
    """Page stored entries (newest first): up to ``limit`` after the entry whose event id is ``cursor``.

    Raises:
        ValueError: the cursor is not an event id, or names no kept entry.
    """
    start = 0
    if cursor is not None:
        marker = event_id_marker(cursor).encode() if is_event_id(cursor) else None
        positions = [i for i, document in enumerate(documents) if marker and marker in document]
        if not positions:
            raise ValueError(f"not a cursor: {cursor[:64]!r}")
        start = positions[0] + 1
    shown = documents[start:start + limit]
    entries = [decode_entry(document) for document in shown]
    more = start + limit < len(documents)
    return HistoryPage(entries, entries[-1].event_id if more and entries else None)
