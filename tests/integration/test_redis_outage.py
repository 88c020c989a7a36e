"""An external Redis that is down at start, goes away and comes back: 500 JSON, then recovery by itself."""
from tests.integration.processes import ServeProcess, free_port, request, wait_for, write_config
from webhook_register.adapters.redis_server import RedisServer


def test_serve_starts_without_redis_answers_500_and_recovers(tmp_path):
    redis_port, port = free_port(), free_port()
    redis = RedisServer(tmp_path / "redis", port=redis_port)
    config = write_config(tmp_path / "config.yml", port, {"embedded": False, "port": redis_port})

    try:
        with ServeProcess(config, port, tmp_path / "serve.log") as serve:
            status, headers, body = request(port, "POST", "/webhook", form={"userid": "testuser"})
            assert status == 500 and headers["content-type"] == "application/problem+json"
            assert body["detail"] == "storage unavailable; try again later"

            redis.start()
            registered = wait_for(lambda: request(port, "POST", "/webhook", form={"userid": "testuser"}))
            assert registered[0] == 200
            hook_id = registered[2]["id"]
            assert request(port, "GET", f"/webhook/{hook_id}")[0] == 201

            redis.stop()
            for method in ("GET", "POST"):
                status, _, body = request(port, method, f"/webhook/{hook_id}")
                assert status == 500 and body["status"] == 500
            assert request(port, "POST", "/webhook", form={"userid": "testuser"})[0] == 500

            redis.start()
            wait_for(lambda: request(port, "GET", f"/webhook/{hook_id}")[0] == 201)
            assert "Traceback" not in serve.text()
    finally:
        redis.stop()
