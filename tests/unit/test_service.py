"""The use cases on in-memory adapters and a recording handler."""
import itertools
from datetime import datetime, timezone

import pytest

from tests.fakes import FailingHandler, RecordingHandler, SpyRepository, UnavailableRepository
from webhook_register.adapters.memory_repository import InMemoryWebhookRepository
from webhook_register.domain.errors import (
    HandlerFailed,
    InvalidWebhook,
    StorageUnavailable,
    WebhookIdTaken,
    WebhookNotFound,
)
from webhook_register.domain.model import new_hook_id
from webhook_register.domain.service import WebhookService

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def repository():
    return SpyRepository()


@pytest.fixture
def handler():
    return RecordingHandler()


@pytest.fixture
def service(repository, handler):
    return WebhookService(repository, handler, clock=lambda: NOW)


def test_register_stores_the_hook_and_trigger_hands_it_to_the_handler(service, repository, handler):
    hook = service.register("testuser", {"channel": "ops"})
    assert repository.get(hook.id) == hook
    assert hook.created_at == NOW

    triggered = service.trigger(hook.id)

    assert triggered == hook
    assert handler.handled == [hook]
    assert handler.handled[0].userid == "testuser"
    assert handler.handled[0].arguments == {"channel": "ops"}


def test_each_registration_gets_its_own_id(service):
    assert service.register("u").id != service.register("u").id


def test_trigger_of_an_unknown_id_raises_not_found(service, handler):
    with pytest.raises(WebhookNotFound):
        service.trigger(new_hook_id())
    assert handler.handled == []


@pytest.mark.parametrize("hook_id", ["", "x", "../../etc/passwd", "a" * 22 + "*", "*" * 22, "{a}" * 7 + "a"])
def test_a_malformed_id_is_not_found_without_asking_storage(service, repository, hook_id):
    with pytest.raises(WebhookNotFound):
        service.trigger(hook_id)
    assert repository.gets == []


def test_invalid_values_are_refused_before_storage(service, repository):
    with pytest.raises(InvalidWebhook):
        service.register("not valid")
    with pytest.raises(InvalidWebhook):
        service.register("u", ["a"])


def test_an_id_collision_never_overwrites_and_registration_retries_with_a_new_id(handler):
    repository = InMemoryWebhookRepository()
    ids = itertools.chain(["A" * 22, "A" * 22, "B" * 22])
    service = WebhookService(repository, handler, new_id=lambda: next(ids))
    first = service.register("first")

    second = service.register("second")

    assert second.id == "B" * 22
    assert repository.get("A" * 22) == first


def test_a_broken_id_source_gives_up(handler):
    service = WebhookService(InMemoryWebhookRepository(), handler, new_id=lambda: "A" * 22)
    service.register("first")
    with pytest.raises(WebhookIdTaken):
        service.register("second")


def test_a_failing_handler_surfaces_as_handler_failed(repository):
    service = WebhookService(repository, FailingHandler())
    hook = service.register("u")
    with pytest.raises(HandlerFailed) as caught:
        service.trigger(hook.id)
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_storage_failures_propagate_as_storage_unavailable(handler):
    service = WebhookService(UnavailableRepository(), handler)
    with pytest.raises(StorageUnavailable):
        service.register("u")
    with pytest.raises(StorageUnavailable):
        service.trigger(new_hook_id())
