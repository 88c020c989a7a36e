"""The use cases on in-memory adapters and a recording handler."""
import itertools
from datetime import datetime, timedelta, timezone

import pytest

from tests.fakes import FailingHandler, RecordingHandler, SpyRepository, UnavailableRepository
from webhook_register.adapters.memory_repository import InMemoryWebhookRepository
from webhook_register.domain import signatures
from webhook_register.domain.errors import (
    Forbidden,
    HandlerFailed,
    InvalidPayload,
    InvalidWebhook,
    MethodNotAllowed,
    RateLimited,
    SignatureInvalid,
    StorageUnavailable,
    Unauthorized,
    WebhookIdTaken,
    WebhookNotFound,
)
from webhook_register.domain.model import HookSettings, new_hook_id
from webhook_register.domain.payload import TriggerRequest
from webhook_register.domain.service import Policy, WebhookService
from webhook_register.domain.tokens import AdminTokens, hash_token, new_token

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
ADMIN = new_token()


class FakeClock:
    """Monotonic seconds that the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def repository(clock):
    repository = SpyRepository()
    repository._now = clock
    return repository


@pytest.fixture
def handler():
    return RecordingHandler()


def make_service(repository, handler, **policy):
    policy.setdefault("admin_tokens", AdminTokens([hash_token(ADMIN)]))
    return WebhookService(repository, handler, Policy(**policy), clock=lambda: NOW)


@pytest.fixture
def service(repository, handler):
    return make_service(repository, handler)


def trigger(service, hook_id, method="GET", headers=None, body=b"", client_ip="127.0.0.1", **kwargs):
    return service.trigger(TriggerRequest(hook_id, method, kwargs.get("query", {}), headers or {}, body, client_ip,
                                          kwargs.get("request_id", "req-1"), NOW))


def test_register_stores_the_hook_and_a_trigger_hands_its_event_to_the_handler(service, repository, handler):
    registration = service.register("testuser", {"channel": "ops"})
    hook = registration.hook
    assert repository.get(hook.id) == hook
    assert hook.created_at == NOW
    assert hook.token_hash == hash_token(registration.token) and registration.token not in repr(hook)

    result = trigger(service, hook.id, "POST", {"content-type": "application/json"}, b'{"a": 1}', query={"q": "1"})

    assert not result.duplicate
    (event,) = handler.events
    assert event.hook == hook and event.hook.userid == "testuser" and event.hook.arguments == {"channel": "ops"}
    assert (event.method, event.query, event.body_kind, event.body, event.id) == ("POST", {"q": "1"}, "json", {"a": 1}, "req-1")


def test_each_registration_gets_its_own_id_and_token(service):
    first, second = service.register("u"), service.register("u")
    assert first.hook.id != second.hook.id and first.token != second.token


def test_trigger_of_an_unknown_id_raises_not_found(service, handler):
    with pytest.raises(WebhookNotFound):
        trigger(service, new_hook_id())
    assert handler.events == []


@pytest.mark.parametrize("hook_id", ["", "x", "../../etc/passwd", "a" * 22 + "*", "*" * 22, "{a}" * 7 + "a"])
def test_a_malformed_id_is_not_found_without_asking_storage(service, repository, hook_id):
    with pytest.raises(WebhookNotFound):
        trigger(service, hook_id)
    with pytest.raises(WebhookNotFound):
        service.read(hook_id, ADMIN)
    assert repository.asked == []


def test_invalid_values_are_refused_before_storage(service, repository):
    for kwargs in ({"userid": "not valid"}, {"userid": "u", "arguments": ["a"]}, {"userid": "u", "expires_in": 0},
                   {"userid": "u", "signature_scheme": "hmac"}, {"userid": "u", "signing_secret": "x" * 20},
                   {"userid": "u", "settings": HookSettings(methods=("TRACE",))}):
        with pytest.raises(InvalidWebhook):
            service.register(**kwargs)
    assert repository.list_by_user("u", 10).hooks == []


def test_an_id_collision_never_overwrites_and_registration_retries_with_a_new_id(handler):
    repository = InMemoryWebhookRepository()
    ids = itertools.chain(["A" * 22, "A" * 22, "B" * 22])
    service = WebhookService(repository, handler, new_id=lambda: next(ids))
    first = service.register("first").hook

    second = service.register("second").hook

    assert second.id == "B" * 22
    assert repository.get("A" * 22) == first


def test_a_broken_id_source_gives_up(handler):
    service = WebhookService(InMemoryWebhookRepository(), handler, new_id=lambda: "A" * 22)
    service.register("first")
    with pytest.raises(WebhookIdTaken):
        service.register("second")


def test_a_failing_handler_surfaces_as_handler_failed(repository):
    service = make_service(repository, FailingHandler())
    hook = service.register("u").hook
    with pytest.raises(HandlerFailed) as caught:
        trigger(service, hook.id)
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_storage_failures_propagate_as_storage_unavailable(handler):
    service = make_service(UnavailableRepository(), handler)
    with pytest.raises(StorageUnavailable):
        service.register("u")
    with pytest.raises(StorageUnavailable):
        trigger(service, new_hook_id())


# -- management and ownership ---------------------------------------------------------------------


def test_the_owner_and_an_admin_manage_a_hook_and_no_one_else_learns_it_exists(service):
    registration = service.register("u", {"a": 1})
    hook_id, token = registration.hook.id, registration.token
    other = service.register("v").token

    assert service.read(hook_id, token) == registration.hook
    assert service.read(hook_id, ADMIN) == registration.hook
    with pytest.raises(Unauthorized):
        service.read(hook_id, None)
    with pytest.raises(Unauthorized):
        service.read(hook_id, "not a token")
    with pytest.raises(WebhookNotFound):
        service.read(hook_id, other)
    with pytest.raises(WebhookNotFound):
        service.read(new_hook_id(), token)


def test_update_replaces_arguments_and_changes_only_named_settings(service):
    registration = service.register("u", {"a": 1}, HookSettings(rate_limit=7))
    updated = service.update(registration.hook.id, registration.token, arguments={"b": 2}, settings={"enabled": False})
    assert updated.arguments == {"b": 2}
    assert updated.settings == HookSettings(enabled=False, rate_limit=7)
    assert service.read(registration.hook.id, registration.token) == updated
    with pytest.raises(InvalidWebhook):
        service.update(registration.hook.id, registration.token, settings={"colour": "red"})


def test_a_disabled_hook_answers_not_found_until_enabled_again(service, handler):
    registration = service.register("u")
    service.update(registration.hook.id, registration.token, settings={"enabled": False})
    with pytest.raises(WebhookNotFound):
        trigger(service, registration.hook.id)
    service.update(registration.hook.id, registration.token, settings={"enabled": True})
    trigger(service, registration.hook.id)
    assert len(handler.events) == 1


def test_a_deleted_hook_is_gone_for_triggers_reads_and_lists(service):
    registration = service.register("u")
    service.delete(registration.hook.id, registration.token)
    with pytest.raises(WebhookNotFound):
        trigger(service, registration.hook.id)
    with pytest.raises(WebhookNotFound):
        service.read(registration.hook.id, ADMIN)
    with pytest.raises(WebhookNotFound):
        service.delete(registration.hook.id, ADMIN)
    assert service.list_hooks("u", ADMIN, 10).hooks == []


def test_an_expired_hook_is_gone(service, clock):
    hook = service.register("u", expires_in=60).hook
    assert hook.expires_at == NOW + timedelta(seconds=60)
    trigger(service, hook.id)
    clock.now += 60
    with pytest.raises(WebhookNotFound):
        trigger(service, hook.id)
    assert service.list_hooks("u", ADMIN, 10).hooks == []


def test_only_admins_list_a_users_hooks_newest_first_page_by_page(repository, handler):
    ticks = itertools.count()
    service = WebhookService(repository, handler, Policy(admin_tokens=AdminTokens([hash_token(ADMIN)])),
                             clock=lambda: NOW + timedelta(seconds=next(ticks)))
    ids = [service.register("u").hook.id for _ in range(5)]
    owned = service.register("u")
    ids.append(owned.hook.id)
    owner = owned.token
    service.register("someone-else")

    first = service.list_hooks("u", ADMIN, 4)
    second = service.list_hooks("u", ADMIN, 4, first.next_cursor)

    assert [h.id for h in first.hooks + second.hooks] == ids[::-1]
    assert second.next_cursor is None
    with pytest.raises(Unauthorized):
        service.list_hooks("u", None, 4)
    with pytest.raises(Forbidden):
        service.list_hooks("u", owner, 4)
    for kwargs in ({"limit": 0}, {"limit": 101}, {"cursor": "forged"}):
        with pytest.raises(InvalidWebhook):
            service.list_hooks("u", ADMIN, **{"limit": 4, **kwargs})


def test_registering_can_be_reserved_to_admins(repository, handler):
    service = make_service(repository, handler, register_requires_admin=True)
    with pytest.raises(Unauthorized):
        service.register("u")
    with pytest.raises(Forbidden):
        service.register("u", credential=service.register("u", credential=ADMIN).token)


# -- trigger checks ---------------------------------------------------------------------------------


def test_methods_outside_the_hooks_set_are_refused(service, handler):
    hook = service.register("u", settings=HookSettings(methods=("PUT",))).hook
    with pytest.raises(MethodNotAllowed) as caught:
        trigger(service, hook.id, "GET")
    assert caught.value.allowed == ("PUT",)
    trigger(service, hook.id, "PUT")
    assert len(handler.events) == 1


def test_only_allowed_networks_may_trigger(service, handler):
    hook = service.register("u", settings=HookSettings(allowed_networks=("10.0.0.0/8", "::1/128"))).hook
    for address in ("192.168.1.1", None, "garbage"):
        with pytest.raises(Forbidden):
            trigger(service, hook.id, client_ip=address)
    trigger(service, hook.id, client_ip="10.2.3.4")
    trigger(service, hook.id, client_ip="::1")
    assert len(handler.events) == 2


def test_the_rate_limit_holds_per_window_with_the_hooks_own_override(repository, handler, clock):
    service = make_service(repository, handler, default_rate_limit=3)
    default_hook = service.register("u").hook
    own_limit = service.register("u", settings=HookSettings(rate_limit=1)).hook
    unlimited = service.register("u", settings=HookSettings(rate_limit=0)).hook
    for _ in range(3):
        trigger(service, default_hook.id)
    with pytest.raises(RateLimited) as caught:
        trigger(service, default_hook.id)
    assert 0 < caught.value.retry_after <= 60
    trigger(service, own_limit.id)
    with pytest.raises(RateLimited):
        trigger(service, own_limit.id)
    for _ in range(10):
        trigger(service, unlimited.id)
    clock.now += 60
    trigger(service, default_hook.id)


def test_signed_hooks_need_a_valid_fresh_signature(service, handler):
    registration = service.register("u", signature_scheme=signatures.STANDARD_WEBHOOKS)
    secret = registration.signing_secret
    assert secret.startswith("whsec_") and registration.hook.signing_secret == secret
    body = b'{"event": "ping"}'
    stamp = int(NOW.timestamp())
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(stamp), "content-type": "application/json",
               "webhook-signature": signatures.sign_standard(secret, "msg_1", stamp, body)}

    with pytest.raises(SignatureInvalid):
        trigger(service, registration.hook.id, "POST", {**headers, "webhook-signature": "v1,AAAA"}, body)
    assert handler.events == []
    assert not trigger(service, registration.hook.id, "POST", headers, body).duplicate
    assert trigger(service, registration.hook.id, "POST", headers, body).duplicate  # a replay of msg_1
    assert len(handler.events) == 1


def test_a_supplied_github_secret_is_used(service):
    secret = "my-github-secret-123"
    hook = service.register("u", signature_scheme=signatures.GITHUB, signing_secret=secret).hook
    body = b"{}"
    trigger(service, hook.id, "POST", {"x-hub-signature-256": signatures.sign_github(secret, body)}, body)
    with pytest.raises(SignatureInvalid):
        trigger(service, hook.id, "POST", {}, body)


def test_an_idempotency_key_makes_a_repeat_a_duplicate_but_a_failed_one_may_be_retried(repository, handler):
    service = make_service(repository, handler)
    hook = service.register("u").hook
    assert not trigger(service, hook.id, headers={"idempotency-key": "k1"}).duplicate
    assert trigger(service, hook.id, headers={"idempotency-key": "k1"}).duplicate
    assert not trigger(service, hook.id, headers={"idempotency-key": "k2"}).duplicate
    assert len(handler.events) == 2

    failing = make_service(repository, FailingHandler())
    with pytest.raises(HandlerFailed):
        trigger(failing, hook.id, headers={"idempotency-key": "k3"})
    assert not trigger(service, hook.id, headers={"idempotency-key": "k3"}).duplicate


def test_a_body_that_breaks_its_declared_type_is_refused(service, handler):
    hook = service.register("u").hook
    with pytest.raises(InvalidPayload):
        trigger(service, hook.id, "POST", {"content-type": "application/json"}, b"{oops")
    assert handler.events == []


@pytest.mark.parametrize("history_size, recorded", [(0, []), (5, ["rejected", "delivered"])])
def test_history_records_outcomes_only_when_kept(repository, handler, history_size, recorded):
    from webhook_register.adapters.memory_history import InMemoryTriggerHistory

    history = InMemoryTriggerHistory()
    service = WebhookService(repository, handler, Policy(history_size=history_size), clock=lambda: NOW,
                             history=history)
    hook_id = service.register("keeper").hook.id
    assert trigger(service, hook_id, body=b"x").duplicate is False
    with pytest.raises(MethodNotAllowed):
        trigger(service, hook_id, method="DELETE")
    assert [entry.outcome for entry in history.page(hook_id, 10).entries] == recorded  # newest first
