"""End to end: `webhook-register serve` as a real process with its embedded Redis, over real HTTP."""
import signal

import psutil
import pytest

from tests.integration.processes import ServeProcess, free_port, request, wait_for, write_config


@pytest.fixture(params=["gunicorn", "granian"])
def server(request):
    return request.param


@pytest.fixture
def serve_config(tmp_path, server):
    port = free_port()
    redis = {"embedded": True, "data_dir": str(tmp_path / "data")}
    return write_config(tmp_path / "config.yml", port, redis, server=server), port


def redis_children(serve):
    return [p for p in psutil.Process(serve.process.pid).children() if "redis-server" in p.name()]


def test_register_trigger_restart_and_trigger_again(serve_config, server, tmp_path):
    config, port = serve_config
    output = tmp_path / "serve.log"

    with ServeProcess(config, port, output, server=server) as serve:
        status, _, body = request(port, "POST", "/webhook", form={"userid": "testuser"})
        assert status == 200
        hook_id = body["id"]
        assert body["url"].endswith(f"/webhook/{hook_id}")

        for method in ("GET", "POST"):
            status, _, body = request(port, method, f"/webhook/{hook_id}", body=b"{}")
            assert (status, body) == (201, {"message": "web hook triggered"})
        wait_for(lambda: serve.text().count('"userid":"testuser"') == 2)
        # Under either server the workers log as configured: JSON access lines.
        wait_for(lambda: '"name":"webhook_register.access"' in serve.text())
        (redis,) = redis_children(serve)
        assert "listening on http://127.0.0.1" in serve.text()

        assert serve.stop(signal.SIGTERM) == 0
    assert not redis.is_running(), "serve left its Redis running"

    with ServeProcess(config, port, output, server=server) as serve:
        status, _, body = request(port, "GET", f"/webhook/{hook_id}")
        assert status == 201, body
        wait_for(lambda: serve.text().count('"userid":"testuser"') == 3)


def test_chunked_bodies_are_read_and_bounded(serve_config, server, tmp_path):
    config, port = serve_config
    with ServeProcess(config, port, tmp_path / "serve.log", server=server):
        status, _, body = request(port, "POST", "/webhook", form={"userid": "chunky", "a": "b"}, chunked=True)
        assert status == 200, body
        assert request(port, "GET", f"/webhook/{body['id']}")[0] == 201

        status, _, body = request(port, "POST", "/webhook", form={"userid": "u", "a": "x" * 70_000}, chunked=True)
        assert status == 413 and body["status"] == 413


def test_sigint_and_a_killed_serve_leave_no_redis_behind(serve_config, server, tmp_path):
    config, port = serve_config
    serve = ServeProcess(config, port, tmp_path / "serve.log", server=server).start()
    (redis,) = redis_children(serve)
    assert serve.stop(signal.SIGINT) == 0
    assert not redis.is_running()

    serve = ServeProcess(config, port, tmp_path / "serve.log", server=server).start()
    (redis,) = redis_children(serve)
    serve.stop(signal.SIGKILL)
    wait_for(lambda: not redis.is_running() or redis.status() == psutil.STATUS_ZOMBIE)
    for worker in psutil.process_iter(["cmdline"]):
        if str(config) in " ".join(worker.info["cmdline"] or []):
            worker.kill()  # the orphaned gunicorn workers exit on their own later; do not wait for it
