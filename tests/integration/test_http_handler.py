"""The http handler delivering to a real local receiver that checks the signature by itself."""
import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from falcon import testing

from webhook_register.entrypoints.config import ConfigSchema
from webhook_register.entrypoints.containers import Container


class Receiver:
    """A local HTTP server that records each request and verifies Standard Webhooks signatures with its
    own code (not the service's)."""

    def __init__(self):
        self.secret = None
        self.status = 204
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body, receiver.verify(self.headers, body)))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/incoming?source=test"

    def verify(self, headers, body):
        key = base64.b64decode(self.secret.split("_", 1)[1])
        signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        fresh = abs(time.time() - int(headers["webhook-timestamp"])) < 300
        return fresh and any(hmac.compare_digest(s.split(",", 1)[1], expected)
                             for s in headers["webhook-signature"].split() if s.startswith("v1,"))


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


def client(redis_server, allow_private=True):
    container = Container()
    container.config.from_dict(ConfigSchema().load({
        "redis": {"embedded": False, "port": redis_server.port, "key_prefix": "http-handler:"},
        "dispatch": {"http_allow_private_targets": allow_private, "http_read_timeout": 2},
    }))
    return testing.TestClient(container.app())


def register(api, receiver):
    result = api.simulate_post("/webhook", json={"userid": "forwarded", "handler": "http", "target_url": receiver.url})
    assert result.status_code == 200, result.text
    receiver.secret = result.json["delivery_secret"]
    return result.json


def test_events_are_forwarded_signed_and_verifiable(redis_server, redis_client, receiver):
    api = client(redis_server)
    hook = register(api, receiver)
    assert hook["delivery_secret"].startswith("whsec_")
    triggered = api.simulate_post(f"/webhook/{hook['id']}", json={"order": 7}, headers={"X-Request-ID": "evt-1"})
    assert triggered.status_code == 201
    ((headers, body, verified),) = receiver.received
    assert verified, "the receiver's own check of the signature passes"
    assert headers["webhook-id"] == "evt-1"
    event = json.loads(body)
    assert event["body"] == {"order": 7} and event["hook"]["userid"] == "forwarded"
    assert hook["delivery_secret"] not in body.decode() and hook["token"] not in body.decode()


def test_a_refusing_target_fails_the_delivery(redis_server, redis_client, receiver):
    api = client(redis_server)
    hook = register(api, receiver)
    receiver.status = 500
    assert api.simulate_post(f"/webhook/{hook['id']}").status_code == 500
    assert len(receiver.received) == 1


def test_loopback_targets_are_refused_unless_allowed(redis_server, redis_client, receiver):
    api = client(redis_server, allow_private=False)
    hook = register(api, receiver)
    failed = api.simulate_post(f"/webhook/{hook['id']}")
    assert failed.status_code == 500 and failed.json["detail"] == "the webhook handler failed"
    assert receiver.received == []


def test_http_hooks_need_a_target(redis_server, redis_client):
    api = client(redis_server)
    assert api.simulate_post("/webhook", json={"userid": "u", "handler": "http"}).status_code == 400
    assert api.simulate_post("/webhook", json={"userid": "u", "handler": "ftp"}).status_code == 400
    assert api.simulate_post("/webhook", json={"userid": "u", "handler": "http",
                                               "target_url": "gopher://x/"}).status_code == 400
