"""The repository contract, run on every adapter: what holds for Redis holds for the in-memory fake."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from tests.integration.processes import wait_for
from webhook_register.adapters.memory_repository import InMemoryWebhookRepository
from webhook_register.adapters.redis_repository import RedisWebhookRepository
from webhook_register.domain.errors import WebhookIdTaken
from webhook_register.domain.model import HookSettings, Webhook, new_hook_id

T0 = datetime(2026, 11, 28, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "redis"])
def repository(request):
    if request.param == "memory":
        return InMemoryWebhookRepository()
    return RedisWebhookRepository(request.getfixturevalue("redis_client"), key_prefix="contract:")


def hook(userid="u", seconds=0, **kwargs):
    return Webhook(new_hook_id(), userid, kwargs.pop("arguments", {}), T0 + timedelta(seconds=seconds), **kwargs)


def test_a_stored_hook_reads_back_equal(repository):
    stored = hook(arguments={"nested": {"list": [1, 2.5, None, True]}, "text": "ünïcode ✓"},
                  settings=HookSettings(False, ("PUT",), 3, ("10.0.0.0/8",)), signature_scheme="github",
                  token_hash="h", signing_secret="s" * 20)
    repository.add(stored)
    assert repository.get(stored.id) == stored


def test_an_unknown_id_reads_as_none(repository):
    assert repository.get(new_hook_id()) is None
    assert repository.admit(new_hook_id(), 10) is None


def test_adding_a_taken_id_raises_and_keeps_the_first(repository):
    first = hook("first")
    repository.add(first)
    with pytest.raises(WebhookIdTaken):
        repository.add(replace(first, userid="second"))
    assert repository.get(first.id) == first
    assert repository.list_by_user("second", 10).hooks == []


def test_what_is_read_back_is_a_copy(repository):
    arguments = {"list": [1]}
    stored = hook(arguments=arguments)
    repository.add(stored)
    arguments["list"].append(2)
    repository.get(stored.id).arguments["list"].append(3)
    assert repository.get(stored.id).arguments == {"list": [1]}


def test_replace_overwrites_a_live_hook_only(repository):
    stored = hook()
    repository.add(stored)
    assert repository.replace(replace(stored, arguments={"b": 1}))
    assert repository.get(stored.id).arguments == {"b": 1}
    assert repository.delete(stored)
    assert not repository.replace(stored), "a deleted hook must not come back"
    assert repository.get(stored.id) is None


def test_delete_removes_the_hook_and_its_index_entry(repository):
    stored = hook()
    repository.add(stored)
    assert repository.delete(stored)
    assert not repository.delete(stored)
    assert repository.get(stored.id) is None
    assert repository.list_by_user("u", 10).hooks == []


def test_listing_is_newest_first_per_user_in_pages(repository):
    hooks = [hook("lister", seconds=i) for i in range(7)]
    for stored in hooks:
        repository.add(stored)
    repository.add(hook("other"))
    seen, cursor = [], None
    while True:
        page = repository.list_by_user("lister", 3, cursor)
        assert len(page.hooks) <= 3
        seen += page.hooks
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == hooks[::-1]
    with pytest.raises(ValueError):
        repository.list_by_user("lister", 3, "not-a-cursor")


def test_expired_hooks_vanish_from_reads_triggers_and_lists(repository):
    lasting, fleeting = hook("x", seconds=0), hook("x", seconds=1)
    repository.add(lasting)
    repository.add(fleeting, expires_in=1)
    assert repository.get(fleeting.id) == fleeting
    wait_for(lambda: repository.get(fleeting.id) is None, timeout=5)
    assert repository.admit(fleeting.id, 10) is None
    assert repository.list_by_user("x", 10).hooks == [lasting]


def test_admit_counts_triggers_against_the_limit(repository):
    default, own, unlimited = hook(), hook(settings=HookSettings(rate_limit=1)), hook(settings=HookSettings(rate_limit=0))
    for stored in (default, own, unlimited):
        repository.add(stored)
    assert [repository.admit(default.id, 2).retry_after for _ in range(2)] == [0, 0]
    over = repository.admit(default.id, 2)
    assert over.hook == default and 0 < over.retry_after <= 60
    assert repository.admit(own.id, 100).retry_after == 0
    assert repository.admit(own.id, 100).retry_after > 0
    assert all(repository.admit(unlimited.id, 1).retry_after == 0 for _ in range(5))


def test_deliveries_are_remembered_once_and_can_be_forgotten(repository):
    stored = hook()
    repository.add(stored)
    assert repository.remember_delivery(stored.id, "a" * 64, 60)
    assert not repository.remember_delivery(stored.id, "a" * 64, 60)
    assert repository.remember_delivery(stored.id, "b" * 64, 60)
    repository.forget_delivery(stored.id, "a" * 64)
    assert repository.remember_delivery(stored.id, "a" * 64, 1)
    wait_for(lambda: repository.remember_delivery(stored.id, "a" * 64, 60), timeout=5)
