"""The trigger history contract on both adapters: what holds for the Redis list holds for the fake."""
from datetime import datetime, timedelta, timezone

import pytest

from webhook_register.adapters.memory_history import InMemoryTriggerHistory
from webhook_register.adapters.redis_history import RedisTriggerHistory
from webhook_register.domain.history import DEAD, DELIVERED, QUEUED, RETRYING, HistoryEntry
from webhook_register.domain.model import Webhook, new_hook_id
from webhook_register.domain.payload import TriggerEvent

T0 = datetime(2026, 11, 28, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "redis"])
def history(request):
    if request.param == "memory":
        return InMemoryTriggerHistory()
    return RedisTriggerHistory(request.getfixturevalue("redis_client"), key_prefix="history-contract:")


def entry(n, outcome=DELIVERED):
    return HistoryEntry(f"evt-{n}", T0 + timedelta(seconds=n), "POST", n, "ab" * 32, outcome, 1)


def event(hook_id, n):
    hook = Webhook(hook_id, "u", {}, T0)
    return TriggerEvent(f"evt-{n}", hook, "POST", {}, {}, "text", f'quoted "event_id":"evt-{n + 1}" text', T0)


def test_entries_are_kept_newest_first_bounded_and_paged(history):
    hook_id = new_hook_id()
    for n in range(12):
        history.record(hook_id, entry(n), event(hook_id, n), keep=10)
    seen, cursor = [], None
    while True:
        page = history.page(hook_id, 4, cursor)
        seen += [e.event_id for e in page.entries]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"evt-{n}" for n in range(11, 1, -1)]
    assert history.page(hook_id, 4).entries[0] == entry(11)
    with pytest.raises(ValueError):
        history.page(hook_id, 4, "evt-0")  # no longer kept
    with pytest.raises(ValueError):
        history.page(hook_id, 4, "not a cursor!")


def test_settling_updates_the_right_entry_even_when_a_payload_mentions_another(history):
    hook_id = new_hook_id()
    for n in range(3):
        history.record(hook_id, entry(n, QUEUED), event(hook_id, n), keep=10)
    history.settle(hook_id, "evt-1", RETRYING, 1, "boom", 1.5)
    history.settle(hook_id, "evt-1", DEAD, 2, "boom again", 2.5)
    history.settle(hook_id, "evt-9", DEAD, 1, "", 0)  # not kept: nothing happens
    outcomes = {e.event_id: (e.outcome, e.attempts, e.last_error) for e in history.page(hook_id, 10).entries}
    assert outcomes == {"evt-2": (QUEUED, 1, ""), "evt-1": (DEAD, 2, "boom again"), "evt-0": (QUEUED, 1, "")}


def test_kept_events_can_be_replayed_and_forgotten(history):
    hook_id = new_hook_id()
    history.record(hook_id, entry(1), event(hook_id, 1), keep=10)
    history.record(hook_id, entry(2), None, keep=10)
    kept_entry, kept_event = history.replayable(hook_id, "evt-1")
    assert kept_entry == entry(1) and kept_event.body == event(hook_id, 1).body
    assert history.replayable(hook_id, "evt-2") is None  # recorded without its event
    assert history.replayable(hook_id, "evt-3") is None
    history.forget(hook_id)
    assert history.page(hook_id, 10).entries == []
