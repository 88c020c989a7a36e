"""The repository contract, run on every adapter: what holds for Redis holds for the in-memory fake."""
import pytest

from webhook_register.adapters.memory_repository import InMemoryWebhookRepository
from webhook_register.adapters.redis_repository import RedisWebhookRepository
from webhook_register.domain.errors import WebhookIdTaken
from webhook_register.domain.model import Webhook, new_hook_id


@pytest.fixture(params=["memory", "redis"])
def repository(request):
    if request.param == "memory":
        return InMemoryWebhookRepository()
    return RedisWebhookRepository(request.getfixturevalue("redis_client"), key_prefix="contract:")


def test_a_stored_hook_reads_back_equal(repository):
    hook = Webhook(new_hook_id(), "testuser", {"nested": {"list": [1, 2.5, None, True]}, "text": "ünïcode ✓"})
    repository.add(hook)
    assert repository.get(hook.id) == hook


def test_an_unknown_id_reads_as_none(repository):
    assert repository.get(new_hook_id()) is None


def test_adding_a_taken_id_raises_and_keeps_the_first(repository):
    hook_id = new_hook_id()
    first = Webhook(hook_id, "first")
    repository.add(first)
    with pytest.raises(WebhookIdTaken):
        repository.add(Webhook(hook_id, "second"))
    assert repository.get(hook_id) == first


def test_what_is_read_back_is_a_copy(repository):
    arguments = {"list": [1]}
    hook = Webhook(new_hook_id(), "u", arguments)
    repository.add(hook)
    arguments["list"].append(2)
    repository.get(hook.id).arguments["list"].append(3)
    assert repository.get(hook.id).arguments == {"list": [1]}
