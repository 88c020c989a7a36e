"""How a history entry is stored: JSON with the event (for replays) when it is small enough."""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import orjson

from ..domain.history import HistoryEntry
from ..domain.payload import TriggerEvent
from .hook_codec import decode_event, encode_event

#: Events larger than this (encoded) are kept without their payload and cannot be replayed.
REPLAYABLE_EVENT_MAX_BYTES = 64 * 1024


def history_member(entry: HistoryEntry) -> str:
    """The entry's place in its hook's ordered history: ``<received µs, 20 digits>.<event id>``."""
    return f"{int(entry.received_at.timestamp() * 1_000_000):020d}.{entry.event_id}"


def encode_entry(entry: HistoryEntry, event: TriggerEvent | None) -> bytes:
    """Return the stored JSON of an entry, with its event when given and small enough."""
    value: dict[str, Any] = asdict(entry)
    encoded = encode_event(event) if event is not None else None
    value["event"] = encoded.decode() if encoded is not None and len(encoded) <= REPLAYABLE_EVENT_MAX_BYTES else None
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)


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
