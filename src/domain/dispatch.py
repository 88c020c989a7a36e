"""Queued dispatch: triggers accepted into a durable queue, handled by workers with retries.

The flow: a trigger's event is enqueued (``QueueingHandler``); a worker (``Dispatcher``) receives it,
runs the real handler and acknowledges it only after the handler succeeded. A failure is retried
after an exponential backoff with jitter, up to a number of attempts, then moved to the dead letters.
Delivery is at least once: an event whose worker died is received again by another worker, so a
handler may see one event twice and can recognise it by its id.
"""
from __future__ import annotations

import abc
import random
import time
from dataclasses import dataclass
from typing import Callable, Mapping

from .errors import StorageUnavailable, WebhookNotFound
from .history import DEAD, DELIVERED, RETRYING, TriggerHistory
from .payload import TriggerEvent
from .ports import WebhookHandler


@dataclass(frozen=True)
class Delivery:
    """One received queue entry.

    Attributes:
        entry_id: the queue's id of this entry (acknowledge, retry or dead-letter by it).
        event: the trigger event to handle.
        attempt: 1 for the first delivery, 2 for the first retry, …
    """

    entry_id: str
    event: TriggerEvent
    attempt: int


@dataclass(frozen=True)
class DeadLetter:
    """An event whose every attempt failed.

    Attributes:
        entry_id: its id among the dead letters (replay it by this id).
        event: the event.
        attempts: how many times it was tried.
        last_error: what the last attempt raised (type and message).
    """

    entry_id: str
    event: TriggerEvent
    attempts: int
    last_error: str


class EventQueue(abc.ABC):
    """A durable queue of trigger events shared by every worker; all methods raise
    ``StorageUnavailable`` when the storage fails."""

    @abc.abstractmethod
    def enqueue(self, event: TriggerEvent) -> str:
        """Append an event durably and return its entry id; raise ``QueueFull`` when the backlog is full."""

    @abc.abstractmethod
    def receive(self, consumer: str, count: int, block_seconds: float) -> list[Delivery]:
        """Return up to ``count`` deliveries for ``consumer``: retries that are due, entries whose
        consumer stopped acknowledging (it died), then new entries, waiting up to ``block_seconds``."""

    @abc.abstractmethod
    def ack(self, delivery: Delivery) -> None:
        """Mark a delivery handled and drop it from the queue."""

    @abc.abstractmethod
    def retry_later(self, delivery: Delivery, delay_seconds: float, error: str) -> None:
        """Drop the delivery now and deliver its event again, as the next attempt, after the delay."""

    @abc.abstractmethod
    def dead_letter(self, delivery: Delivery, error: str) -> None:
        """Drop the delivery and keep its event among the dead letters with the last error."""

    @abc.abstractmethod
    def depth(self) -> int:
        """How many events wait: new, being handled, or waiting for a retry."""

    @abc.abstractmethod
    def dead_count(self) -> int:
        """How many dead letters are kept."""

    @abc.abstractmethod
    def dead_letters(self, count: int) -> list[DeadLetter]:
        """The newest dead letters, at most ``count``."""

    @abc.abstractmethod
    def replay(self, entry_id: str) -> bool:
        """Move a dead letter back into the queue as a first attempt; False if there is none by this id."""


class QueueFull(StorageUnavailable):
    """The queue's backlog reached its configured bound; the trigger was not accepted."""


class QueueingHandler(WebhookHandler):
    """The handler of the ``queue`` dispatch mode: it only enqueues; workers run the real handler."""

    def __init__(self, queue: EventQueue) -> None:
        self._queue = queue

    def handle(self, event: TriggerEvent) -> None:
        """Enqueue ``event``; once this returns, the event is stored and will be handled."""
        self._queue.enqueue(event)


class HandlerRouter(WebhookHandler):
    """Sends each event to the handler its hook chose (``hook.handler``), else to the default one.

    Args:
        default: the configured handler.
        named: the handlers a hook may choose, by name.
    """

    def __init__(self, default: WebhookHandler, named: Mapping[str, WebhookHandler]) -> None:
        self._default = default
        self._named = dict(named)

    def handle(self, event: TriggerEvent) -> None:
        """Run the hook's handler on ``event``."""
        chosen = event.hook.handler
        if chosen is None:
            self._default.handle(event)
        elif chosen in self._named:
            self._named[chosen].handle(event)
        else:  # configuration no longer offers the hook's choice: fail, so the event is kept
            raise LookupError(f"no handler {chosen!r} is configured")


@dataclass(frozen=True)
class RetryPolicy:
    """How failures are retried.

    Attributes:
        max_attempts: attempts in all before an event becomes a dead letter.
        base_seconds: the delay after the first failure; it doubles after each further one.
        max_seconds: the longest delay.
    """

    max_attempts: int = 5
    base_seconds: float = 1.0
    max_seconds: float = 300.0

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """The delay after failed attempt ``attempt``: exponential, capped, with "equal jitter" (half fixed,
        half random), so that events that failed together do not all come back at the same moment."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** (attempt - 1))
        return ceiling / 2 + rand() * ceiling / 2


class Dispatcher:
    """A worker's loop body: receive deliveries, run the handler, acknowledge, retry or dead-letter.

    Args:
        queue: the shared event queue.
        handler: the real handler.
        consumer: this worker's name, unique among the workers.
        policy: the retry policy.
        history: where each outcome is noted in the hook's trigger history (None: nowhere).
    """

    def __init__(self, queue: EventQueue, handler: WebhookHandler, consumer: str,
                 policy: RetryPolicy | None = None, history: TriggerHistory | None = None) -> None:
        self._queue = queue
        self._handler = handler
        self._consumer = consumer
        self._policy = policy or RetryPolicy()
        self._history = history

    def run_once(self, count: int = 10, block_seconds: float = 1.0, keep_going: Callable[[], bool] = lambda: True) -> int:
        """Receive and handle one batch; return how many deliveries it handled or settled.

        ``keep_going`` is asked before each delivery: a worker told to stop leaves the rest of the
        batch unacknowledged, and another worker receives it after the claim timeout.
        """
        settled = 0
        for delivery in self._queue.receive(self._consumer, count, block_seconds):
            if not keep_going():
                break
            self.handle(delivery)
            settled += 1
        return settled

    def handle(self, delivery: Delivery) -> None:
        """Run the handler on one delivery and settle it."""
        started = time.perf_counter()
        try:
            self._handler.handle(delivery.event)
        except Exception as exc:  # any failure of the handler is retried, whatever its type
            error = f"{type(exc).__name__}: {exc}"[:1000]
            if delivery.attempt >= self._policy.max_attempts:
                self._queue.dead_letter(delivery, error)
                self._note(delivery, DEAD, error, started)
            else:
                self._queue.retry_later(delivery, self._policy.delay(delivery.attempt), error)
                self._note(delivery, RETRYING, error, started)
            return
        self._queue.ack(delivery)
        self._note(delivery, DELIVERED, "", started)

    def _note(self, delivery: Delivery, outcome: str, error: str, started: float) -> None:
        """Note the outcome in the hook's history."""
        if self._history is not None:
            elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
            self._history.settle(delivery.event.hook.id, delivery.event.id, outcome, delivery.attempt, error, elapsed_ms)


class QueueAdmin:
    """What an admin may see and do with the queue: its depth, the dead letters, replays.

    Args:
        queue: the event queue.
        require_admin: raises unless its argument is an admin credential (``WebhookService.require_admin``).
    """

    def __init__(self, queue: EventQueue, require_admin: Callable[[str | None], None]) -> None:
        self._queue = queue
        self._require_admin = require_admin

    def authorize(self, credential: str | None) -> None:
        """Raise ``Unauthorized`` or ``Forbidden`` unless ``credential`` is an admin's."""
        self._require_admin(credential)

    def queue_status(self) -> tuple[int, int]:
        """Return ``(events waiting or in hand, dead letters)`` without a credential (for metrics, whose
        access is restricted by network instead)."""
        return self._queue.depth(), self._queue.dead_count()

    def status(self, credential: str | None) -> tuple[int, int]:
        """Return ``(events waiting or in hand, dead letters)``."""
        self._require_admin(credential)
        return self._queue.depth(), self._queue.dead_count()

    def dead_letters(self, credential: str | None, count: int) -> list[DeadLetter]:
        """Return the newest dead letters."""
        self._require_admin(credential)
        return self._queue.dead_letters(count)

    def replay(self, credential: str | None, entry_id: str) -> None:
        """Move a dead letter back into the queue; raise ``WebhookNotFound`` when there is none by that id."""
        self._require_admin(credential)
        if not self._queue.replay(entry_id):
            raise WebhookNotFound(entry_id)
