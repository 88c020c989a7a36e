"""serve's output: every line is one JSON object; request log lines carry the request id, and nothing
secret is logged."""
import json

from tests.integration.processes import ServeProcess, free_port, request, wait_for, write_config


def access_lines(text, request_id):
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    return [line for line in lines if line.get("name") == "webhook_register.access" and line["request_id"] == request_id]


def test_every_line_is_json_and_access_lines_carry_the_request_id(tmp_path):
    port = free_port()
    config = write_config(tmp_path / "config.yml", port, {"embedded": True, "data_dir": str(tmp_path / "data")},
                          logging={"format": "json", "access": True})
    with ServeProcess(config, port, tmp_path / "serve.log") as serve:
        _, headers, body = request(port, "POST", "/webhook", form={"userid": "logged"})
        token = body["token"]
        _, headers, _ = request(port, "GET", f"/webhook/{body['id']}", headers={"X-Request-ID": "trace-123"})
        assert headers["x-request-id"] == "trace-123"
        wait_for(lambda: "webhook_register.access" in serve.text() and "trace-123" in serve.text())

    access = access_lines(serve.text(), "trace-123")
    assert access and access[0]["route"] == "/webhook/{hook_id}" and access[0]["status"] == 201
    assert access[0]["latency_ms"] >= 0
    assert token not in serve.text()
