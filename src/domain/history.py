"""Trigger history: what became of each of a hook's recent triggers, for its owner to read and replay."""
from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime

from .payload import TriggerEvent

#: What became of a trigger. ``queued`` waits for a worker; ``retrying`` failed and will be tried again;
#: ``dead`` failed for good; ``rejected`` never reached a handler (method, address, rate, signature, body).
QUEUED, DELIVERED, RETRYING, DEAD, DUPLICATE, REJECTED = "queued", "delivered", "retrying", "dead", "duplicate", "rejected"


@dataclass(frozen=True)
class HistoryEntry:
    """One trigger as its hook's history keeps it (no payload, only its size and digest).

    Attributes:
        event_id: the trigger's event id (its request id).
        received_at: when it arrived.
        method: its HTTP method.
        body_bytes: the size of its body.
        body_sha256: the hex SHA-256 of its body ("" for none).
        outcome: one of the outcomes above.
        attempts: how many times a handler ran on it.
        last_error: why the last attempt (or the trigger) failed, or "".
        handler_ms: how long the last handler run took, in milliseconds.
        replay_of: the event this one replays, or "".
    """

    event_id: str
    received_at: datetime
    method: str
    body_bytes: int
    body_sha256: str
    outcome: str
    attempts: int = 0
    last_error: str = ""
    handler_ms: float = 0.0
    replay_of: str = ""


@dataclass(frozen=True)
class HistoryPage:
    """Entries newest first, and the cursor of the next page (None on the last)."""

    entries: list[HistoryEntry]
    next_cursor: str | None


class TriggerHistory(abc.ABC):
    """Keeps each hook's most recent triggers, bounded, with the events needed to replay them.

    All methods raise ``StorageUnavailable`` when the storage fails; ids are checked before they come here.
    """

    @abc.abstractmethod
    def record(self, hook_id: str, entry: HistoryEntry, event: TriggerEvent | None, keep: int) -> None:
        """Add (or replace) the entry of ``entry.event_id``, with the event to replay it when given, keeping
        only the hook's ``keep`` newest entries."""

    @abc.abstractmethod
    def settle(self, hook_id: str, event_id: str, outcome: str, attempts: int, last_error: str,
               handler_ms: float) -> None:
        """Update the outcome of a recorded trigger (a worker's result); nothing if it is not kept any more."""

    @abc.abstractmethod
    def page(self, hook_id: str, limit: int, cursor: str | None = None) -> HistoryPage:
        """Return up to ``limit`` entries newest first, from ``cursor`` on; ``ValueError`` for a bad cursor."""

    @abc.abstractmethod
    def replayable(self, hook_id: str, event_id: str) -> tuple[HistoryEntry, TriggerEvent] | None:
        """Return a recorded entry and its event, to replay it; None when it is not kept (or its event
        was too large to keep)."""

    @abc.abstractmethod
    def forget(self, hook_id: str) -> None:
        """Drop the hook's whole history (it was revoked)."""
