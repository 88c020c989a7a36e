"""The queue's admin routes and CLI on the real Redis: status, dead letters, replay."""
import json
import subprocess

import pytest
from falcon import testing

from tests.fakes import FailingHandler
from tests.integration.processes import SERVE, write_config
from webhook_register.domain.dispatch import RetryPolicy
from webhook_register.entrypoints.config import ConfigSchema
from webhook_register.entrypoints.containers import Container

ADMIN = "admin-token-for-the-queue"


@pytest.fixture
def container(redis_server, redis_client):
    container = Container()
    container.config.from_dict(ConfigSchema().load({
        "redis": {"embedded": False, "port": redis_server.port, "key_prefix": "qapi:"},
        "auth": {"admin_tokens": [ADMIN]},
        "dispatch": {"mode": "queue", "max_attempts": 1},
    }))
    container.event_handler.override(FailingHandler())
    return container


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_dead_letters_are_listed_and_replayed_by_admins_only(container, tmp_path, redis_server):
    client = testing.TestClient(container.app())
    registered = client.simulate_post("/webhook", json={"userid": "q"}).json
    assert client.simulate_post(f"/webhook/{registered['id']}", body="x").status_code == 201
    assert client.simulate_get("/queue", headers=bearer(ADMIN)).json == {"mode": "queue", "depth": 1, "dead_letters": 0}

    container.dispatcher(consumer="test", policy=RetryPolicy(max_attempts=1)).run_once(block_seconds=0.1)

    assert client.simulate_get("/queue").status_code == 401
    assert client.simulate_get("/queue", headers=bearer(registered["token"])).status_code == 403
    assert client.simulate_get("/queue/dead-letters", headers=bearer(registered["token"])).status_code == 403
    assert client.simulate_get("/queue", headers=bearer(ADMIN)).json == {"mode": "queue", "depth": 0, "dead_letters": 1}
    (letter,) = client.simulate_get("/queue/dead-letters", headers=bearer(ADMIN)).json["dead_letters"]
    assert letter["attempts"] == 1 and "exploded" in letter["error"] and letter["event"]["body"] == "x"
    assert "token" not in json.dumps(letter["event"]["hook"])

    config = write_config(tmp_path / "config.yml", 8000,
                          {"embedded": False, "port": redis_server.port, "key_prefix": "qapi:"})
    listed = subprocess.run([SERVE, "queue", "--config", str(config), "--json", "dead-letters"],
                            capture_output=True, text=True, check=True)
    assert [entry["id"] for entry in json.loads(listed.stdout)] == [letter["id"]]

    assert client.simulate_post(f"/queue/dead-letters/{letter['id']}/replay").status_code == 401
    assert client.simulate_post(f"/queue/dead-letters/{letter['id']}/replay", headers=bearer(ADMIN)).status_code == 202
    assert client.simulate_post(f"/queue/dead-letters/{letter['id']}/replay", headers=bearer(ADMIN)).status_code == 404
    status = subprocess.run([SERVE, "queue", "--config", str(config), "--json", "status"],
                            capture_output=True, text=True, check=True)
    assert json.loads(status.stdout) == {"depth": 1, "dead_letters": 0}
    listed_again = subprocess.run([SERVE, "dead-letters", "--config", str(config), "--json", "list"],
                                  capture_output=True, text=True, check=True)
    assert json.loads(listed_again.stdout) == []
    unknown = subprocess.run([SERVE, "dead-letters", "--config", str(config), "replay", "1-1"], capture_output=True, text=True)
    assert unknown.returncode == 1 and "no dead letter" in unknown.stderr
