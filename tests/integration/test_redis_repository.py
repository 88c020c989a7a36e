"""What only the Redis adapter promises: its key layout, JSON values, and failures as domain errors."""
import orjson
import pytest
import redis

from tests.integration.processes import free_port
from webhook_register.adapters.redis_client import create_redis_client
from redis.crc import key_slot

from webhook_register.adapters.listing import index_entry
from webhook_register.adapters.redis_repository import RedisWebhookRepository
from webhook_register.domain.errors import StorageUnavailable
from webhook_register.domain.model import Webhook, new_hook_id


def test_one_hash_tagged_key_per_hook_holding_its_json_and_a_user_index(redis_client):
    repository = RedisWebhookRepository(redis_client, key_prefix="app:")
    hook = Webhook(new_hook_id(), "testuser", {"a": 1})
    repository.add(hook)

    assert sorted(redis_client.keys("*")) == [f"app:hook:{{{hook.id}}}".encode(), b"app:user:{testuser}:hooks"]
    stored = orjson.loads(redis_client.get(f"app:hook:{{{hook.id}}}"))
    assert stored["userid"] == "testuser" and stored["arguments"] == {"a": 1}
    assert redis_client.zrange("app:user:{testuser}:hooks", 0, -1) == [index_entry(hook).encode()]


def test_every_key_of_a_hook_hashes_to_one_cluster_slot(redis_client):
    repository = RedisWebhookRepository(redis_client, key_prefix="app:")
    hook = Webhook(new_hook_id(), "testuser")
    repository.add(hook)
    repository.admit(hook.id, 10)
    repository.remember_delivery(hook.id, "f" * 64, 60)
    keys = [k for k in redis_client.keys("app:hook:*")]
    assert len(keys) == 3
    assert len({key_slot(k) for k in keys}) == 1


def test_an_unreadable_value_is_a_storage_error(redis_client):
    repository = RedisWebhookRepository(redis_client)
    hook_id = new_hook_id()
    redis_client.set(repository.hook_key(hook_id), b"\x00garbage")
    with pytest.raises(StorageUnavailable):
        repository.get(hook_id)


def test_an_unreachable_redis_is_a_storage_error_not_a_redis_one():
    client = create_redis_client(port=free_port(), socket_timeout=0.2, connect_timeout=0.2)
    repository = RedisWebhookRepository(client)
    with pytest.raises(StorageUnavailable) as caught:
        repository.get(new_hook_id())
    assert isinstance(caught.value.__cause__, redis.ConnectionError)
    with pytest.raises(StorageUnavailable):
        repository.add(Webhook(new_hook_id(), "u"))
