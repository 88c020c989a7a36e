"""Queued dispatch on the in-memory queue: acknowledge on success, retry with backoff, then dead-letter."""
import pytest

from tests.fakes import FailingHandler, RecordingHandler
from webhook_register.adapters.memory_queue import InMemoryEventQueue
from webhook_register.adapters.memory_repository import InMemoryWebhookRepository
from webhook_register.domain.dispatch import Dispatcher, QueueFull, QueueingHandler, RetryPolicy
from webhook_register.domain.errors import StorageUnavailable
from webhook_register.domain.payload import TriggerRequest
from webhook_register.domain.ports import WebhookHandler
from webhook_register.domain.service import WebhookService


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class FlakyHandler(WebhookHandler):
    """Fails the first ``failures`` calls, then records."""

    def __init__(self, failures):
        self.failures = failures
        self.calls = 0
        self.handled = []

    def handle(self, event):
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError(f"failure {self.calls}")
        self.handled.append(event)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def queue(clock):
    return InMemoryEventQueue(claim_idle_seconds=30, monotonic=clock)


def trigger_into(queue, count=1):
    service = WebhookService(InMemoryWebhookRepository(), QueueingHandler(queue))
    hook = service.register("queued").hook
    for n in range(count):
        service.trigger(TriggerRequest(hook.id, "POST", {}, {}, b"", "127.0.0.1", f"req-{n}"))
    return hook


def drain(dispatcher, clock, rounds=20):
    for _ in range(rounds):
        dispatcher.run_once(block_seconds=0)
        clock.now += 1000  # past any backoff


def test_a_queued_trigger_is_handled_by_a_worker_and_acknowledged(queue, clock):
    hook = trigger_into(queue, 3)
    handler = RecordingHandler()
    assert queue.depth() == 3 and handler.events == []
    Dispatcher(queue, handler, "w1").run_once(block_seconds=0)
    assert [e.id for e in handler.events] == ["req-0", "req-1", "req-2"]
    assert handler.events[0].hook.id == hook.id and handler.events[0].hook.token_hash == ""
    assert queue.depth() == 0


def test_a_handler_that_fails_twice_is_delivered_once_on_the_third_attempt(queue, clock):
    trigger_into(queue)
    handler = FlakyHandler(failures=2)
    drain(Dispatcher(queue, handler, "w1", RetryPolicy(max_attempts=3)), clock)
    assert handler.calls == 3 and len(handler.handled) == 1
    assert queue.depth() == 0 and queue.dead_letters(10) == []


def test_a_handler_that_always_fails_ends_in_the_dead_letters_and_can_be_replayed(queue, clock):
    trigger_into(queue)
    drain(Dispatcher(queue, FailingHandler(), "w1", RetryPolicy(max_attempts=4)), clock)
    (dead,) = queue.dead_letters(10)
    assert dead.attempts == 4 and dead.last_error == "RuntimeError: handler exploded"
    assert queue.depth() == 0

    assert queue.replay(dead.entry_id)
    handler = RecordingHandler()
    drain(Dispatcher(queue, handler, "w1"), clock)
    assert len(handler.events) == 1 and queue.dead_letters(10) == []


def test_retries_wait_their_backoff(queue, clock):
    trigger_into(queue)
    handler = FlakyHandler(failures=1)
    dispatcher = Dispatcher(queue, handler, "w1", RetryPolicy(max_attempts=3, base_seconds=10, max_seconds=10))
    dispatcher.run_once(block_seconds=0)
    clock.now += 4.9  # the first retry waits between 5 and 10 s
    dispatcher.run_once(block_seconds=0)
    assert handler.calls == 1
    clock.now += 5.2
    dispatcher.run_once(block_seconds=0)
    assert handler.calls == 2 and len(handler.handled) == 1


def test_backoff_doubles_is_capped_and_jittered():
    policy = RetryPolicy(base_seconds=1, max_seconds=60)
    assert [policy.delay(n, rand=lambda: 1.0) for n in (1, 2, 3, 7, 8)] == [1, 2, 4, 60, 60]
    assert [policy.delay(n, rand=lambda: 0.0) for n in (1, 2, 3)] == [0.5, 1, 2]


def test_a_worker_told_to_stop_leaves_the_rest_for_others(queue, clock):
    trigger_into(queue, 3)
    handler = RecordingHandler()
    left = iter([True, False])
    Dispatcher(queue, handler, "stopping").run_once(block_seconds=0, keep_going=lambda: next(left, False))
    assert len(handler.events) == 1
    clock.now += 31  # the claim timeout passes: another worker gets the two left unacknowledged
    Dispatcher(queue, handler, "other").run_once(block_seconds=0)
    assert len(handler.events) == 3 and queue.depth() == 0


def test_a_full_queue_refuses_the_trigger_as_a_storage_failure():
    queue = InMemoryEventQueue(max_backlog=1)
    trigger_into(queue)
    with pytest.raises(QueueFull):
        trigger_into(queue)
    assert issubclass(QueueFull, StorageUnavailable)
