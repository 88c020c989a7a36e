"""The HTTP API through falcon.testing on the container-built app with the real Redis adapter."""
import orjson
import pytest
from falcon import testing

from tests.fakes import RecordingHandler
from tests.integration.processes import wait_for
from webhook_register.domain.model import new_hook_id
from webhook_register.entrypoints.config import ConfigSchema
from webhook_register.entrypoints.containers import Container


@pytest.fixture
def handler():
    return RecordingHandler()


@pytest.fixture
def client(redis_server, redis_client, handler):
    container = Container()
    container.config.from_dict(
        ConfigSchema().load({"redis": {"embedded": False, "port": redis_server.port, "key_prefix": "it:"}})
    )
    container.webhook_handler.override(handler)
    return testing.TestClient(container.app())


def test_register_stores_json_in_redis_and_trigger_runs_the_handler(client, redis_client, handler):
    result = client.simulate_post(
        "/webhook", body="userid=testuser&room=42", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert result.status_code == 200
    hook_id = result.json["id"]
    stored = orjson.loads(redis_client.get(f"it:hook:{{{hook_id}}}"))
    assert stored["userid"] == "testuser" and stored["arguments"] == {"room": "42"}

    assert client.simulate_get(f"/webhook/{hook_id}").status_code == 201
    assert client.simulate_post(f"/webhook/{hook_id}").status_code == 201
    assert handler.userids == ["testuser", "testuser"]
    # The hook, its user's index entry, its rate counter and its history (written behind); nothing else.
    key = f"it:hook:{{{hook_id}}}"
    expected = sorted(k.encode() for k in [key, f"{key}:rate", f"{key}:history", "it:user:{testuser}:hooks"])
    wait_for(lambda: sorted(redis_client.keys("*")) == expected, timeout=5)


def test_unknown_id_is_404_and_stores_nothing(client, redis_client):
    result = client.simulate_get(f"/webhook/{new_hook_id()}")
    assert result.status_code == 404 and result.json["detail"] == "webhook id not found"
    assert redis_client.dbsize() == 0
