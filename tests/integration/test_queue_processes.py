"""Queued dispatch with real processes on a real Redis: serve, workers, failures, a killed worker, a
restarted Redis."""
import os
import signal
from pathlib import Path

import orjson
import pytest

from tests.integration.processes import ServeProcess, free_port, request, start_worker, wait_for, write_config
from webhook_register.adapters.redis_queue import RedisEventQueue
from webhook_register.adapters.redis_server import RedisServer

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def state(tmp_path):
    """The file the test handlers record into, and the environment that points them at it."""
    path = tmp_path / "handled.jsonl"
    return path, {"TEST_HANDLER_STATE": str(path), "PYTHONPATH": str(REPO)}


def recorded(path):
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


def dispatch(handler, **overrides):
    return {"mode": "queue", "handler": handler, "backoff_base_seconds": 0.05, "backoff_max_seconds": 0.1,
            **overrides}


def external(redis_server, prefix):
    return {"embedded": False, "port": redis_server.port, "key_prefix": prefix}


def test_serve_in_queue_mode_answers_201_and_its_worker_prints_the_event(tmp_path):
    port = free_port()
    config = write_config(tmp_path / "config.yml", port, {"embedded": True, "data_dir": str(tmp_path / "data")},
                          dispatch={"mode": "queue"})
    with ServeProcess(config, port, tmp_path / "serve.log") as serve:
        hook_id = request(port, "POST", "/webhook", form={"userid": "queued-user"})[2]["id"]
        status, _, body = request(port, "POST", f"/webhook/{hook_id}", body=b"hello")
        assert (status, body) == (201, {"message": "web hook triggered"})
        wait_for(lambda: '"userid":"queued-user"' in serve.text())
        assert "worker" in serve.text()


def test_failures_are_retried_then_delivered_once(tmp_path, redis_server, state):
    path, env = state
    port = free_port()
    config = write_config(tmp_path / "config.yml", port, external(redis_server, "q1:"),
                          dispatch=dispatch("tests.handlers:fail_twice_then_record", max_attempts=3))
    with ServeProcess(config, port, tmp_path / "serve.log", env=env):
        hook_id = request(port, "POST", "/webhook", form={"userid": "flaky"})[2]["id"]
        assert request(port, "POST", f"/webhook/{hook_id}")[0] == 201
        wait_for(lambda: len(recorded(path)) == 1, timeout=20)
    assert [r["userid"] for r in recorded(path)] == ["flaky"]
    (attempts,) = path.parent.glob("attempts-*")
    assert attempts.read_text() == "3"


def test_an_always_failing_handler_ends_in_the_dead_letters_and_replay_delivers_it(tmp_path, redis_server, redis_client, state):
    path, env = state
    port = free_port()
    config = write_config(tmp_path / "config.yml", port, external(redis_server, "q2:"),
                          dispatch=dispatch("tests.handlers:always_fail", max_attempts=2))
    queue = RedisEventQueue(redis_client, key_prefix="q2:")
    with ServeProcess(config, port, tmp_path / "serve.log", env=env):
        hook_id = request(port, "POST", "/webhook", form={"userid": "doomed"})[2]["id"]
        assert request(port, "POST", f"/webhook/{hook_id}")[0] == 201
        (dead,) = wait_for(lambda: queue.dead_letters(10), timeout=20)
    assert dead.attempts == 2 and "always fails" in dead.last_error and dead.event.hook.userid == "doomed"

    config = write_config(tmp_path / "config.yml", port, external(redis_server, "q2:"),
                          dispatch=dispatch("tests.handlers:record"))
    assert queue.replay(dead.entry_id)
    worker = start_worker(config, tmp_path / "worker.log", env)
    try:
        wait_for(lambda: [r["userid"] for r in recorded(path)] == ["doomed"], timeout=20)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(15) == 0


def test_a_worker_killed_mid_handler_loses_nothing(tmp_path, redis_server, state):
    path, env = state
    env = {**env, "TEST_HANDLER_SECONDS": "2"}
    port = free_port()
    config = write_config(tmp_path / "config.yml", port, external(redis_server, "q3:"),
                          dispatch=dispatch("tests.handlers:slow_record", worker_in_serve=False, claim_idle_seconds=1))
    workers = [start_worker(config, tmp_path / f"worker{n}.log", env) for n in range(2)]
    try:
        with ServeProcess(config, port, tmp_path / "serve.log", env=env):
            hook_id = request(port, "POST", "/webhook", form={"userid": "survivor"})[2]["id"]
            assert request(port, "POST", f"/webhook/{hook_id}")[0] == 201
            (started,) = wait_for(lambda: list(path.parent.glob("started-*")), timeout=20)
            victim_pid = int(started.name.rsplit("-", 1)[1])
            os.kill(victim_pid, signal.SIGKILL)
            wait_for(lambda: len(recorded(path)) == 1, timeout=30)
        assert [r["userid"] for r in recorded(path)] == ["survivor"]
        assert len(list(path.parent.glob("started-*"))) == 2, "the other worker claimed and handled it"
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                assert worker.wait(15) == 0, "a worker exits cleanly on SIGTERM"


def test_an_accepted_trigger_survives_a_redis_restart_before_delivery(tmp_path, state):
    path, env = state
    redis_port, port = free_port(), free_port()
    redis = RedisServer(tmp_path / "redis", port=redis_port)
    config = write_config(tmp_path / "config.yml", port, {"embedded": False, "port": redis_port},
                          dispatch=dispatch("tests.handlers:record", worker_in_serve=False))
    redis.start()
    try:
        with ServeProcess(config, port, tmp_path / "serve.log", env=env):
            hook_id = request(port, "POST", "/webhook", form={"userid": "durable"})[2]["id"]
            assert request(port, "POST", f"/webhook/{hook_id}")[0] == 201
        redis.stop()
        redis.start()
        worker = start_worker(config, tmp_path / "worker.log", env)
        try:
            wait_for(lambda: [r["userid"] for r in recorded(path)] == ["durable"], timeout=20)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(15)
    finally:
        redis.stop()
