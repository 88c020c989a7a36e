"""Trigger history written behind the request: records and outcomes are buffered and written in batches
by a background thread, so that a trigger waits for no history write.

History is an operator's record, not the events themselves: a process killed with SIGKILL loses the
entries of its last few milliseconds, and entries are dropped (with a warning) while Redis is down.
Reads first write this process's buffer, so a process always reads its own writes.
"""
from __future__ import annotations

import abc
import logging

from ..domain.errors import StorageUnavailable
from ..domain.history import HistoryEntry, HistoryPage, TriggerHistory
from ..domain.payload import TriggerEvent
from .write_behind import WriteBehind

logger = logging.getLogger("webhook_register")

Write = tuple[str, tuple]


class BatchWriter(TriggerHistory):
    """A history that can also write many records and outcomes at once (one round trip)."""

    @abc.abstractmethod
    def write_batch(self, writes: list[Write]) -> None:
        """Apply ``("record", args)`` and ``("settle", args)`` writes in order."""


def write_all(history: TriggerHistory, writes: list[Write]) -> None:
    """Apply buffered writes to ``history``: in one batch when it can, else one by one."""
    if isinstance(history, BatchWriter):
        history.write_batch(writes)
        return
    for kind, args in writes:
        getattr(history, kind)(*args)


class WriteBehindHistory(TriggerHistory):
    """Buffers ``record`` and ``settle`` and writes them from a thread, at most ``interval`` seconds late.

    Args:
        inner: the history written to (its ``write_batch`` is used when it has one).
        interval: how long the thread waits to gather a batch.
        max_buffered: writes kept while the thread catches up; beyond them new ones are dropped.
    """

    def __init__(self, inner: TriggerHistory, interval: float = 0.005, max_buffered: int = 100_000) -> None:
        self._inner = inner
        self._behind: WriteBehind[Write] = WriteBehind(self._write, "history-writer", interval, max_buffered)

    def record(self, hook_id: str, entry: HistoryEntry, event: TriggerEvent | None, keep: int) -> None:
        """Buffer the record."""
        self._buffer_write(("record", (hook_id, entry, event, keep)))

    def settle(self, hook_id: str, event_id: str, outcome: str, attempts: int, last_error: str,
               handler_ms: float) -> None:
        """Buffer the outcome."""
        self._buffer_write(("settle", (hook_id, event_id, outcome, attempts, last_error, handler_ms)))

    def page(self, hook_id: str, limit: int, cursor: str | None = None) -> HistoryPage:
        """Write the buffer, then read."""
        self.flush()
        return self._inner.page(hook_id, limit, cursor)

    def replayable(self, hook_id: str, event_id: str) -> tuple[HistoryEntry, TriggerEvent] | None:
        """Write the buffer, then read."""
        self.flush()
        return self._inner.replayable(hook_id, event_id)

    def forget(self, hook_id: str) -> None:
        """Write the buffer, then forget (so that no buffered write brings the history back)."""
        self.flush()
        self._inner.forget(hook_id)

    def flush(self) -> None:
        """Write everything buffered so far; a storage failure drops the batch with a warning."""
        self._behind.flush()

    def _write(self, writes: list[Write]) -> None:
        try:
            write_all(self._inner, writes)
        except StorageUnavailable as exc:
            logger.warning("trigger history: %d writes dropped: %s", len(writes), exc)

    def _buffer_write(self, write: Write) -> None:
        if not self._behind.append(write):
            logger.warning("trigger history: buffer full, a write is dropped")
