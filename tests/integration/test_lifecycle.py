"""The hook lifecycle over HTTP on the real Redis: management, ownership, signatures, replays, limits."""
import time

import pytest
from falcon import testing

from tests.fakes import RecordingHandler
from tests.integration.processes import wait_for
from webhook_register.domain import signatures
from webhook_register.domain.model import new_hook_id
from webhook_register.entrypoints.config import ConfigSchema
from webhook_register.entrypoints.containers import Container
from webhook_register.entrypoints.schemas import HookPageSchema, HookViewSchema

ADMIN = "admin-token-for-integration"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def handler():
    return RecordingHandler()


@pytest.fixture
def make_client(redis_server, redis_client, handler):
    def make(**config):
        container = Container()
        container.config.from_dict(ConfigSchema().load({
            "redis": {"embedded": False, "port": redis_server.port, "key_prefix": "life:"},
            "auth": {"admin_tokens": [ADMIN]},
            **config,
        }))
        container.webhook_handler.override(handler)
        return testing.TestClient(container.app())
    return make


@pytest.fixture
def client(make_client):
    return make_client()


def bearer(token):
    return {"Authorization": f"Bearer {token}"} if token else {}


def register(client, **body):
    result = client.simulate_post("/webhook", json={"userid": "owner", **body})
    assert result.status_code == 200, result.text
    return result.json


def test_full_lifecycle(client, handler, redis_client):
    created = register(client, room=1, expires_in=3600)
    hook_id, token = created["id"], created["token"]
    assert "expires" in created

    view = client.simulate_get(f"/webhooks/{hook_id}", headers=bearer(token))
    assert view.status_code == 200 and HookViewSchema().validate(view.json) == {}
    assert view.json["arguments"] == {"room": 1} and view.json["methods"] == ["GET", "POST"]
    assert "token" not in view.text and token not in view.text

    patched = client.simulate_patch(f"/webhooks/{hook_id}", headers=bearer(token),
                                    json={"arguments": {"room": 2}, "methods": ["POST"], "rate_limit": 5})
    assert patched.status_code == 200, patched.text
    assert patched.json["arguments"] == {"room": 2} and patched.json["methods"] == ["POST"]
    assert 3500 < redis_client.ttl(f"life:hook:{{{hook_id}}}") <= 3600, "an update keeps the expiry"

    assert client.simulate_get(f"/webhook/{hook_id}").status_code == 405
    assert client.simulate_post(f"/webhook/{hook_id}").status_code == 201

    assert client.simulate_patch(f"/webhooks/{hook_id}", headers=bearer(token), json={"enabled": False}).status_code == 200
    assert client.simulate_post(f"/webhook/{hook_id}").status_code == 404
    assert client.simulate_patch(f"/webhooks/{hook_id}", headers=bearer(token), json={"enabled": True}).status_code == 200

    page = client.simulate_get("/webhooks", params={"userid": "owner"}, headers=bearer(ADMIN))
    assert page.status_code == 200 and HookPageSchema().validate(page.json) == {}
    assert [h["id"] for h in page.json["hooks"]] == [hook_id]

    assert client.simulate_delete(f"/webhooks/{hook_id}", headers=bearer(token)).status_code == 204
    assert client.simulate_post(f"/webhook/{hook_id}").status_code == 404
    assert client.simulate_get(f"/webhooks/{hook_id}", headers=bearer(ADMIN)).status_code == 404
    assert client.simulate_get("/webhooks", params={"userid": "owner"}, headers=bearer(ADMIN)).json["hooks"] == []
    assert len(handler.events) == 1


def test_authorisation_matrix_over_every_route(client):
    mine = register(client)
    other = register(client, userid="someone")
    hook_id = mine["id"]
    routes = [
        ("GET", f"/webhooks/{hook_id}", {}),
        ("PATCH", f"/webhooks/{hook_id}", {"json": {"arguments": {}}}),
        ("GET", "/webhooks", {"params": {"userid": "owner"}}),
        ("DELETE", f"/webhooks/{hook_id}", {}),  # last: it revokes the hook
    ]
    expected = {
        #                     read  update list  delete
        None:                 (401, 401, 401, 401),
        "garbage token!":     (401, 401, 401, 401),
        other["token"]:       (404, 404, 403, 404),
        mine["token"]:        (200, 200, 403, 204),
    }
    for credential, statuses in expected.items():
        for (method, path, kwargs), status in zip(routes, statuses):
            if (credential, method) == (mine["token"], "DELETE"):
                continue  # the owner deleting comes last, below
            result = client.simulate_request(method, path, headers=bearer(credential), **kwargs)
            assert result.status_code == status, (credential, method, path, result.text)
            if status == 401:
                assert result.headers["www-authenticate"] == "Bearer"
    for method, path, kwargs in routes[:3]:
        assert client.simulate_request(method, path, headers=bearer(ADMIN), **kwargs).status_code == 200
    # An unknown id looks exactly like someone else's hook.
    unknown = client.simulate_get(f"/webhooks/{new_hook_id()}", headers=bearer(other["token"]))
    assert unknown.status_code == 404 and unknown.json == client.simulate_get(
        f"/webhooks/{hook_id}", headers=bearer(other["token"])).json
    assert client.simulate_delete(f"/webhooks/{hook_id}", headers=bearer(mine["token"])).status_code == 204
    assert client.simulate_delete(f"/webhooks/{hook_id}", headers=bearer(ADMIN)).status_code == 404


def test_register_can_require_an_admin(make_client):
    client = make_client(auth={"admin_tokens": [ADMIN], "register_requires_admin": True})
    assert client.simulate_post("/webhook", json={"userid": "u"}).status_code == 401
    assert client.simulate_post("/webhook", json={"userid": "u"}, headers=bearer("x" * 20)).status_code == 403
    assert client.simulate_post("/webhook", json={"userid": "u"}, headers=bearer(ADMIN)).status_code == 200


def test_listing_pages_newest_first_and_skips_expired_hooks(client):
    ids = [register(client, userid="lister")["id"] for _ in range(5)]
    register(client, userid="lister", expires_in=1)
    seen, cursor = [], None
    wait_for(lambda: client.simulate_get("/webhooks", params={"userid": "lister", "limit": 100},
                                         headers=bearer(ADMIN)).json["hooks"].__len__() == 5, timeout=5)
    while True:
        params = {"userid": "lister", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.simulate_get("/webhooks", params=params, headers=bearer(ADMIN)).json
        seen += [h["id"] for h in page["hooks"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids[::-1]
    bad = client.simulate_get("/webhooks", params={"userid": "lister", "cursor": "nope"}, headers=bearer(ADMIN))
    assert bad.status_code == 400


def test_an_expiring_hook_answers_404_once_its_ttl_passes(client):
    hook_id = register(client, expires_in=1)["id"]
    assert client.simulate_get(f"/webhook/{hook_id}").status_code == 201
    wait_for(lambda: client.simulate_get(f"/webhook/{hook_id}").status_code == 404, timeout=5)


def test_signed_triggers_and_replays(client, handler):
    created = register(client, signature_scheme="standard-webhooks")
    hook_id, secret = created["id"], created["signing_secret"]
    body = b'{"type": "invoice.paid"}'
    stamp = int(time.time())
    headers = {"webhook-id": "msg_42", "webhook-timestamp": str(stamp), **JSON,
               "webhook-signature": signatures.sign_standard(secret, "msg_42", stamp, body)}

    assert client.simulate_post(f"/webhook/{hook_id}", body=body, headers={**JSON}).status_code == 401
    forged = {**headers, "webhook-signature": signatures.sign_standard("whsec_" + "A" * 32, "msg_42", stamp, body)}
    assert client.simulate_post(f"/webhook/{hook_id}", body=body, headers=forged).status_code == 401
    stale = {**headers, "webhook-timestamp": str(stamp - 600)}
    assert client.simulate_post(f"/webhook/{hook_id}", body=body, headers=stale).status_code == 401
    assert handler.events == []

    first = client.simulate_post(f"/webhook/{hook_id}", body=body, headers=headers)
    replay = client.simulate_post(f"/webhook/{hook_id}", body=body, headers=headers)
    assert first.status_code == 201
    assert replay.status_code == 200 and replay.json["duplicate"] is True
    assert len(handler.events) == 1 and handler.events[0].body == {"type": "invoice.paid"}
    assert secret not in client.simulate_get(f"/webhooks/{hook_id}", headers=bearer(created["token"])).text

    github = register(client, signature_scheme="github", signing_secret="It's a Secret to Everybody")
    signed = {"X-Hub-Signature-256": signatures.sign_github("It's a Secret to Everybody", b"Hello, World!")}
    assert client.simulate_post(f"/webhook/{github['id']}", body=b"Hello, World!", headers=signed).status_code == 201


def test_idempotency_keys_on_any_hook(client, handler):
    hook_id = register(client)["id"]
    for _ in range(3):
        client.simulate_post(f"/webhook/{hook_id}", headers={"Idempotency-Key": "order-7"})
    assert len(handler.events) == 1


def test_limits_413_415_405_429_and_403(make_client):
    client = make_client(limits={"trigger_rate_per_minute": 2, "max_trigger_body_bytes": 2048})
    hook_id = register(client)["id"]
    too_big = client.simulate_post(f"/webhook/{hook_id}", body=b"x" * 4096)
    assert too_big.status_code == 413
    assert client.simulate_post("/webhook", body="<xml/>", headers={"Content-Type": "application/xml"}).status_code == 415
    assert client.simulate_put(f"/webhook/{hook_id}").status_code == 405  # counted: it reached the hook
    assert client.simulate_get(f"/webhook/{hook_id}").status_code == 201
    limited = client.simulate_get(f"/webhook/{hook_id}")
    assert limited.status_code == 429 and limited.json["status"] == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60

    fenced = register(client, allowed_networks="10.0.0.0/8")["id"]
    assert client.simulate_get(f"/webhook/{fenced}", remote_addr="192.168.1.9").status_code == 403
    assert client.simulate_get(f"/webhook/{fenced}", remote_addr="10.9.9.9").status_code == 201


def test_forwarded_addresses_count_only_from_trusted_proxies(make_client):
    client = make_client(http={"trusted_proxies": ["127.0.0.1"]})
    fenced = register(client, allowed_networks=["203.0.113.0/24"])["id"]
    via_proxy = {"X-Forwarded-For": "203.0.113.5, 127.0.0.1"}
    assert client.simulate_get(f"/webhook/{fenced}", headers=via_proxy, remote_addr="127.0.0.1").status_code == 201
    assert client.simulate_get(f"/webhook/{fenced}", headers=via_proxy, remote_addr="198.51.100.1").status_code == 403
