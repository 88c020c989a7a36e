"""The event queue contract on both adapters: what holds for Redis streams holds for the fake."""
from datetime import datetime, timezone

import pytest

from tests.integration.processes import wait_for
from webhook_register.adapters.memory_queue import InMemoryEventQueue
from webhook_register.adapters.redis_queue import RedisEventQueue
from webhook_register.domain.dispatch import QueueFull
from webhook_register.domain.model import Webhook, new_hook_id
from webhook_register.domain.payload import TriggerEvent


def event(n=0):
    hook = Webhook(new_hook_id(), "queued", {"n": n}, datetime(2026, 11, 28, tzinfo=timezone.utc))
    return TriggerEvent(f"evt-{n}", hook, "POST", {}, {}, "json", {"n": n}, datetime(2026, 11, 28, tzinfo=timezone.utc))


@pytest.fixture(params=["memory", "redis"])
def make_queue(request):
    def make(**kwargs):
        if request.param == "memory":
            return InMemoryEventQueue(**kwargs)
        return RedisEventQueue(request.getfixturevalue("redis_client"), key_prefix="queue-test:", **kwargs)
    return make


def test_an_enqueued_event_is_received_once_and_acknowledged(make_queue):
    queue = make_queue()
    queue.enqueue(event(1))
    (delivery,) = queue.receive("a", 10, 0.1)
    assert delivery.event.id == "evt-1" and delivery.event.body == {"n": 1} and delivery.attempt == 1
    assert queue.receive("b", 10, 0.1) == []
    assert queue.depth() == 1
    queue.ack(delivery)
    assert queue.depth() == 0


def test_a_retry_comes_back_as_the_next_attempt_after_its_delay(make_queue):
    queue = make_queue()
    queue.enqueue(event(2))
    (delivery,) = queue.receive("a", 10, 0.1)
    queue.retry_later(delivery, 0.3, "boom")
    assert queue.depth() == 1
    again = wait_for(lambda: queue.receive("a", 10, 0.1), timeout=5)
    assert [(d.event.id, d.attempt) for d in again] == [("evt-2", 2)]


def test_dead_letters_keep_the_error_and_can_be_replayed(make_queue):
    queue = make_queue()
    queue.enqueue(event(3))
    (delivery,) = queue.receive("a", 10, 0.1)
    queue.dead_letter(delivery, "RuntimeError: no")
    assert queue.depth() == 0
    (dead,) = queue.dead_letters(10)
    assert (dead.event.id, dead.attempts, dead.last_error) == ("evt-3", 1, "RuntimeError: no")
    assert queue.replay(dead.entry_id)
    assert not queue.replay(dead.entry_id)
    assert not queue.replay("not-an-id")
    assert queue.dead_letters(10) == []
    (replayed,) = queue.receive("a", 10, 0.1)
    assert (replayed.event.id, replayed.attempt) == ("evt-3", 1)


def test_a_delivery_left_unacknowledged_is_claimed_by_another_consumer(make_queue):
    queue = make_queue(claim_idle_seconds=0.2)
    queue.enqueue(event(4))
    (first,) = queue.receive("dies", 10, 0.1)
    claimed = wait_for(lambda: queue.receive("survivor", 10, 0.1), timeout=5)
    assert [d.entry_id for d in claimed] == [first.entry_id]
    queue.ack(claimed[0])
    assert queue.depth() == 0


def test_a_full_backlog_refuses_instead_of_dropping(make_queue):
    queue = make_queue(max_backlog=2)
    queue.enqueue(event(5))
    queue.enqueue(event(6))
    with pytest.raises(QueueFull):
        queue.enqueue(event(7))
    assert queue.depth() == 2
