"""An in-process event queue: the fake for unit tests, held to the same contract as the Redis one."""
from __future__ import annotations

import itertools
import threading
import time
from typing import Callable

from ..domain.dispatch import DeadLetter, Delivery, EventQueue, QueueFull
from ..domain.payload import TriggerEvent
from .hook_codec import decode_event, encode_event


class InMemoryEventQueue(EventQueue):
    """Keeps encoded events in dicts; a delivery not acknowledged within ``claim_idle_seconds`` is
    handed to the next consumer that asks, as Redis's XAUTOCLAIM does.

    Args:
        max_backlog: the most events waiting before ``enqueue`` refuses.
        claim_idle_seconds: how long a delivery may stay unacknowledged before another consumer gets it.
        monotonic: the clock (replaceable in tests).
    """

    def __init__(self, max_backlog: int = 1_000_000, claim_idle_seconds: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._max_backlog = max_backlog
        self._claim_idle = claim_idle_seconds
        self._now = monotonic
        self._ids = itertools.count(1)
        self._ready: dict[str, tuple[bytes, int]] = {}
        self._pending: dict[str, tuple[bytes, int, float]] = {}
        self._delayed: dict[str, tuple[bytes, int, float]] = {}
        self._dead: dict[str, DeadLetter] = {}
        self._lock = threading.Lock()

    def _next_id(self) -> str:
        return f"{next(self._ids)}-0"

    def enqueue(self, event: TriggerEvent) -> str:
        """Append the event; refuse when the backlog is full."""
        with self._lock:
            if len(self._ready) + len(self._pending) >= self._max_backlog:
                raise QueueFull("the event queue is full")
            entry_id = self._next_id()
            self._ready[entry_id] = (encode_event(event), 1)
            return entry_id

    def receive(self, consumer: str, count: int, block_seconds: float) -> list[Delivery]:
        """Due retries, stale deliveries, then new entries (no waiting: the fake never blocks)."""
        with self._lock:
            now = self._now()
            for entry_id, (document, attempt, due) in list(self._delayed.items()):
                if due <= now:
                    del self._delayed[entry_id]
                    self._ready[self._next_id()] = (document, attempt)
            chosen = [(entry_id, document, attempt) for entry_id, (document, attempt, since) in self._pending.items()
                      if now - since >= self._claim_idle][:count]
            for entry_id, (document, attempt) in list(self._ready.items())[: count - len(chosen)]:
                del self._ready[entry_id]
                chosen.append((entry_id, document, attempt))
            for entry_id, document, attempt in chosen:
                self._pending[entry_id] = (document, attempt, now)
        return [Delivery(entry_id, decode_event(document), attempt) for entry_id, document, attempt in chosen]

    def ack(self, delivery: Delivery) -> None:
        """Forget the delivery."""
        with self._lock:
            self._pending.pop(delivery.entry_id, None)

    def retry_later(self, delivery: Delivery, delay_seconds: float, error: str) -> None:
        """Move the delivery to the delayed set as its next attempt."""
        with self._lock:
            entry = self._pending.pop(delivery.entry_id, None)
            if entry is not None:
                self._delayed[delivery.entry_id] = (entry[0], delivery.attempt + 1, self._now() + delay_seconds)

    def dead_letter(self, delivery: Delivery, error: str) -> None:
        """Move the delivery to the dead letters."""
        with self._lock:
            if self._pending.pop(delivery.entry_id, None) is not None:
                dead_id = self._next_id()
                self._dead[dead_id] = DeadLetter(dead_id, delivery.event, delivery.attempt, error)

    def depth(self) -> int:
        """Events new, in hand or delayed."""
        with self._lock:
            return len(self._ready) + len(self._pending) + len(self._delayed)

    def dead_count(self) -> int:
        """How many dead letters are kept."""
        with self._lock:
            return len(self._dead)

    def dead_letters(self, count: int) -> list[DeadLetter]:
        """The newest dead letters."""
        with self._lock:
            return list(reversed(self._dead.values()))[:count]

    def replay(self, entry_id: str) -> bool:
        """Move a dead letter back as a first attempt."""
        with self._lock:
            dead = self._dead.pop(entry_id, None)
            if dead is None:
                return False
            self._ready[self._next_id()] = (encode_event(dead.event), 1)
            return True
