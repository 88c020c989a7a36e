"""Liveness and readiness: /health never touches Redis; /ready answers 503 with a reason while Redis is down."""
from falcon import testing

from tests.integration.processes import free_port
from webhook_register.adapters.redis_server import RedisServer
from webhook_register.entrypoints.config import ConfigSchema
from webhook_register.entrypoints.containers import Container


def client_for(port):
    container = Container()
    container.config.from_dict(ConfigSchema().load({"redis": {"embedded": False, "port": port}}))
    return testing.TestClient(container.app())


def test_ready_follows_redis_and_health_does_not(tmp_path):
    port = free_port()
    client = client_for(port)
    assert client.simulate_get("/health").json == {"status": "ok"}
    down = client.simulate_get("/ready")
    assert down.status_code == 503 and down.headers["content-type"] == "application/problem+json"
    assert "not ready" in down.json["detail"]
    with RedisServer(tmp_path / "redis", port=port):
        assert client.simulate_get("/ready").json == {"status": "ready"}
    assert client.simulate_get("/ready").status_code == 503
    assert client.simulate_get("/health").status_code == 200
