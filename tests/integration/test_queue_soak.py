"""A bounded soak: 20,000 triggers through two workers whose handler fails at random. Every accepted
trigger ends delivered or dead-lettered, none is lost, none is delivered twice (no worker dies here)."""
import http.client
import signal
import threading
from collections import Counter

from tests.integration.processes import ServeProcess, free_port, request, start_worker, wait_for, write_config
from tests.integration.test_queue_processes import REPO, recorded
from webhook_register.adapters.redis_queue import RedisEventQueue

TRIGGERS = 20_000
SENDERS = 4


def test_soak(tmp_path, redis_server, redis_client):
    path = tmp_path / "handled.jsonl"
    env = {"TEST_HANDLER_STATE": str(path), "PYTHONPATH": str(REPO)}
    port = free_port()
    config = write_config(tmp_path / "config.yml", port, {"embedded": False, "port": redis_server.port, "key_prefix": "soak:"},
                          limits={"trigger_rate_per_minute": 0},
                          dispatch={"mode": "queue", "handler": "tests.handlers:sometimes_fail", "worker_in_serve": False,
                                    "max_attempts": 3, "backoff_base_seconds": 0.01, "backoff_max_seconds": 0.05})
    workers = [start_worker(config, tmp_path / f"worker{n}.log", env) for n in range(2)]
    accepted: list[str] = []
    try:
        with ServeProcess(config, port, tmp_path / "serve.log", env=env):
            hook_id = request(port, "POST", "/webhook", form={"userid": "soak"})[2]["id"]

            def send(sender: int) -> None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                for n in range(sender, TRIGGERS, SENDERS):
                    request_id = f"soak-{n}"
                    connection.request("POST", f"/webhook/{hook_id}", body=b"{}",
                                       headers={"X-Request-ID": request_id, "Content-Type": "application/json"})
                    response = connection.getresponse()
                    response.read()
                    if response.status == 201:
                        accepted.append(request_id)
                connection.close()

            senders = [threading.Thread(target=send, args=(n,)) for n in range(SENDERS)]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
        queue = RedisEventQueue(redis_client, key_prefix="soak:")
        wait_for(lambda: queue.depth() == 0, timeout=120, interval=0.5)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        assert all(worker.wait(30) == 0 for worker in workers)

    assert len(accepted) == TRIGGERS
    delivered = Counter(entry["id"] for entry in recorded(path))
    dead = {letter.event.id for letter in queue.dead_letters(TRIGGERS)}
    assert max(delivered.values()) == 1, "no event is delivered twice"
    assert not dead & delivered.keys(), "no event is both delivered and dead"
    assert delivered.keys() | dead == set(accepted), "every accepted trigger is delivered or dead-lettered"
    assert 0 < len(dead) < TRIGGERS * 0.05  # about 0.2 ** 3 of them
