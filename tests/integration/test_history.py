"""Trigger history over HTTP on the real Redis: outcomes, paging, ownership, replay; in both dispatch modes."""
import time

from falcon import testing

from tests.fakes import FailingHandler, RecordingHandler
from webhook_register.domain.dispatch import RetryPolicy
from webhook_register.entrypoints.config import ConfigSchema
from webhook_register.entrypoints.containers import Container
from webhook_register.entrypoints.schemas import HistoryPageSchema

ADMIN = "admin-token-for-history"


def make(redis_server, handler, **dispatch):
    container = Container()
    container.config.from_dict(ConfigSchema().load({
        "redis": {"embedded": False, "port": redis_server.port, "key_prefix": "hist:"},
        "auth": {"admin_tokens": [ADMIN]},
        "limits": {"history_size": 5},
        "dispatch": dispatch,
    }))
    container.event_handler.override(handler)
    return container, testing.TestClient(container.app())


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def history(client, hook, token=None, **params):
    result = client.simulate_get(f"/webhooks/{hook['id']}/history", params=params, headers=bearer(token or hook["token"]))
    assert result.status_code == 200, result.text
    assert HistoryPageSchema().validate(result.json) == {}
    return result.json


def test_outcomes_are_kept_newest_first_bounded_and_paged(redis_server, redis_client):
    _, client = make(redis_server, RecordingHandler())
    hook = client.simulate_post("/webhook", json={"userid": "h", "methods": ["POST"]}).json
    for n in range(6):
        client.simulate_post(f"/webhook/{hook['id']}", body=f"body-{n}", headers={"X-Request-ID": f"evt-{n}"})
    client.simulate_get(f"/webhook/{hook['id']}", headers={"X-Request-ID": "evt-get"})  # 405: rejected
    client.simulate_post(f"/webhook/{hook['id']}", headers={"X-Request-ID": "evt-dup", "Idempotency-Key": "k"})
    client.simulate_post(f"/webhook/{hook['id']}", headers={"X-Request-ID": "evt-dup2", "Idempotency-Key": "k"})

    entries = history(client, hook, limit=100)["entries"]
    assert [e["event_id"] for e in entries] == ["evt-dup2", "evt-dup", "evt-get", "evt-5", "evt-4"]
    assert [e["outcome"] for e in entries] == ["duplicate", "delivered", "rejected", "delivered", "delivered"]
    assert entries[2]["method"] == "GET" and "POST" in entries[2]["last_error"]
    assert entries[3]["body_bytes"] == 6 and len(entries[3]["body_sha256"]) == 64 and entries[3]["attempts"] == 1

    first = history(client, hook, limit=2)
    second = history(client, hook, limit=2, cursor=first["next_cursor"])
    assert [e["event_id"] for e in first["entries"] + second["entries"]] == ["evt-dup2", "evt-dup", "evt-get", "evt-5"]

    other = client.simulate_post("/webhook", json={"userid": "x"}).json
    assert client.simulate_get(f"/webhooks/{hook['id']}/history", headers=bearer(other["token"])).status_code == 404
    assert client.simulate_get(f"/webhooks/{hook['id']}/history").status_code == 401
    assert history(client, hook, token=ADMIN)["entries"]
    assert client.simulate_get(f"/webhooks/{hook['id']}/history", params={"cursor": "bad"},
                               headers=bearer(hook["token"])).status_code == 400


class MendedHandler(RecordingHandler):
    """Fails until mended, then records."""

    broken = True

    def handle(self, event):
        if self.broken:
            raise RuntimeError("handler exploded")
        super().handle(event)


def test_a_failed_inline_trigger_is_dead_and_can_be_replayed(redis_server, redis_client):
    recorder = MendedHandler()
    _, client = make(redis_server, recorder)
    hook = client.simulate_post("/webhook", json={"userid": "h"}).json
    assert client.simulate_post(f"/webhook/{hook['id']}", json={"a": 1}, headers={"X-Request-ID": "evt-1"}).status_code == 500
    (entry,) = history(client, hook)["entries"]
    assert entry["outcome"] == "dead" and "exploded" in entry["last_error"]

    recorder.broken = False
    replayed = client.simulate_post(f"/webhooks/{hook['id']}/history/evt-1/replay", headers=bearer(hook["token"]))
    assert replayed.status_code == 201 and replayed.json["replay_of"] == "evt-1"
    (event,) = recorder.events
    assert event.body == {"a": 1} and event.id == replayed.json["event_id"] != "evt-1"
    newest = history(client, hook)["entries"][0]
    assert (newest["outcome"], newest["replay_of"]) == ("delivered", "evt-1")
    assert client.simulate_post(f"/webhooks/{hook['id']}/history/nope/replay",
                                headers=bearer(hook["token"])).status_code == 404


def test_queued_triggers_are_settled_by_the_worker(redis_server, redis_client):
    container, client = make(redis_server, FailingHandler(), mode="queue")
    hook = client.simulate_post("/webhook", json={"userid": "h"}).json
    assert client.simulate_post(f"/webhook/{hook['id']}", headers={"X-Request-ID": "evt-q"}).status_code == 201
    assert history(client, hook)["entries"][0]["outcome"] == "queued"

    dispatcher = container.dispatcher(consumer="w", policy=RetryPolicy(max_attempts=2, base_seconds=0.001, max_seconds=0.001))
    dispatcher.run_once(block_seconds=0.1)
    entry = history(client, hook)["entries"][0]
    assert (entry["outcome"], entry["attempts"]) == ("retrying", 1)
    time.sleep(0.01)  # past the 1 ms backoff
    dispatcher.run_once(block_seconds=0.1)
    entry = history(client, hook)["entries"][0]
    assert (entry["outcome"], entry["attempts"]) == ("dead", 2) and entry["handler_ms"] >= 0

    replayed = client.simulate_post(f"/webhooks/{hook['id']}/history/evt-q/replay", headers=bearer(ADMIN))
    assert replayed.status_code == 202
    container.event_handler.override(RecordingHandler())
    container.dispatcher(consumer="w2").run_once(block_seconds=0.1)
    newest = history(client, hook)["entries"][0]
    assert (newest["outcome"], newest["replay_of"]) == ("delivered", "evt-q")


def test_deleting_a_hook_forgets_its_history(redis_server, redis_client):
    _, client = make(redis_server, RecordingHandler())
    hook = client.simulate_post("/webhook", json={"userid": "h"}).json
    client.simulate_get(f"/webhook/{hook['id']}")
    assert client.simulate_delete(f"/webhooks/{hook['id']}", headers=bearer(hook["token"])).status_code == 204
    assert redis_client.keys(f"hist:hook:{{{hook['id']}}}*") == []
