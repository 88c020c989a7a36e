"""The HTTP contract through falcon.testing, on the container with in-memory adapters swapped in."""
import pytest
from falcon import testing

from tests.fakes import FailingHandler, RecordingHandler, UnavailableRepository
from webhook_register.adapters.memory_history import InMemoryTriggerHistory
from webhook_register.adapters.memory_queue import InMemoryEventQueue
from webhook_register.adapters.memory_repository import InMemoryWebhookRepository
from webhook_register.domain.model import ARGUMENTS_MAX_BYTES, is_hook_id, new_hook_id
from webhook_register.entrypoints.config import ConfigSchema
from webhook_register.entrypoints.containers import Container
from webhook_register.entrypoints.schemas import RegisterResponseSchema

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


ADMIN = "admin-token-for-the-tests"


def make_container(repository=None, handler=None, **config):
    container = Container()
    container.config.from_dict(ConfigSchema().load({"auth": {"admin_tokens": [ADMIN]}, **config}))
    container.webhook_repository.override(repository or InMemoryWebhookRepository())
    container.event_queue.override(InMemoryEventQueue())
    container.trigger_history.override(InMemoryTriggerHistory())
    container.webhook_handler.override(handler or RecordingHandler())
    return container


@pytest.fixture
def handler():
    return RecordingHandler()


@pytest.fixture
def client(handler):
    return testing.TestClient(make_container(handler=handler).app())


def register(client, **kwargs):
    result = client.simulate_post("/webhook", **kwargs)
    assert result.status_code == 200, result.text
    return result.json["id"]


def assert_problem(result, status, *words):
    assert result.status_code == status
    assert result.headers["content-type"] == "application/problem+json"
    body = result.json
    assert body["status"] == status and body["title"] and body["detail"]
    for word in words:
        assert word in body["detail"]
    return body


def test_register_with_a_form_body_as_curl_sends_it(client, handler):
    result = client.simulate_post("/webhook", body="userid=testuser&channel=ops", headers=FORM)
    assert result.status_code == 200
    hook_id = result.json["id"]
    assert is_hook_id(hook_id)
    assert result.json["url"] == f"http://falconframework.org/webhook/{hook_id}"

    assert result.json["token"].startswith("whr_")
    assert RegisterResponseSchema().validate(result.json) == {}

    triggered = client.simulate_get(f"/webhook/{hook_id}", headers={"X-Request-ID": "abc-123"})

    assert triggered.status_code == 201
    assert triggered.json == {"message": "web hook triggered"}
    assert triggered.headers["x-request-id"] == "abc-123"
    (event,) = handler.events
    assert event.hook.userid == "testuser" and event.hook.arguments == {"channel": "ops"} and event.id == "abc-123"


def test_register_with_a_json_body_and_trigger_with_post(client, handler):
    hook_id = register(client, json={"userid": "testuser", "labels": {"env": "prod"}, "n": 3})
    assert client.simulate_post(f"/webhook/{hook_id}", body="some text", params={"a": "1"}).status_code == 201
    (event,) = handler.events
    assert event.hook.arguments == {"labels": {"env": "prod"}, "n": 3}
    assert (event.body_kind, event.body, event.query) == ("text", "some text", {"a": "1"})


def test_json_with_a_charset_parameter_is_json(client):
    register(client, body='{"userid": "u"}', headers={"Content-Type": "application/json; charset=utf-8"})


def test_unknown_and_malformed_ids_answer_404_json(client, handler):
    assert_problem(client.simulate_get(f"/webhook/{new_hook_id()}"), 404, "webhook id not found")
    assert_problem(client.simulate_post("/webhook/not-an-id"), 404, "not found")
    assert_problem(client.simulate_get("/webhook/%7Bx%7D"), 404)
    assert handler.events == []


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"json": {}}, "userid"),
        ({"json": {"userid": ""}}, "userid"),
        ({"json": {"userid": "bad user"}}, "userid"),
        ({"json": {"userid": 5}}, "userid"),
        ({"body": "userid=a&userid=b", "headers": FORM}, "userid"),
        ({"body": "", "headers": FORM}, "userid"),
        ({}, "userid"),
    ],
)
def test_a_missing_or_invalid_userid_is_400_naming_the_field(client, kwargs, field):
    body = assert_problem(client.simulate_post("/webhook", **kwargs), 400, field)
    assert field in body["errors"]


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', b"\xff\xfe{}"])
def test_a_body_that_is_not_a_json_object_is_400(client, body):
    assert_problem(client.simulate_post("/webhook", body=body, headers={"Content-Type": "application/json"}), 400)


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x"])
def test_an_unsupported_content_type_is_415(client, content_type):
    result = client.simulate_post("/webhook", body="userid=u", headers={"Content-Type": content_type})
    assert_problem(result, 415, "application/json")


def test_a_body_without_content_type_is_415(client):
    assert_problem(client.simulate_post("/webhook", body="userid=u"), 415, "Content-Type")


def test_a_body_over_the_limit_is_413_before_it_is_read(client):
    result = client.simulate_post("/webhook", body="userid=u&a=" + "x" * 70_000, headers=FORM)
    assert_problem(result, 413, "65536")


def test_arguments_over_their_limit_are_413(client):
    result = client.simulate_post("/webhook", json={"userid": "u", "big": "x" * ARGUMENTS_MAX_BYTES})
    assert_problem(result, 413, "arguments")


def test_other_methods_and_routes_answer_json(client):
    result = client.simulate_put("/webhook")
    assert_problem(result, 405)
    assert "POST" in result.headers["allow"]
    hook_id = register(client, json={"userid": "u"})
    result = client.simulate_delete(f"/webhook/{hook_id}")
    assert_problem(result, 405, "GET, POST")
    assert result.headers["allow"] == "GET, POST"
    assert_problem(client.simulate_get("/nothing/here", headers={"Accept": "text/html"}), 404)


def test_storage_down_is_500_json_on_both_routes():
    client = testing.TestClient(make_container(repository=UnavailableRepository()).app())
    assert_problem(client.simulate_post("/webhook", json={"userid": "u"}), 500, "storage unavailable")
    assert_problem(client.simulate_get(f"/webhook/{new_hook_id()}"), 500, "storage unavailable")


def test_a_failing_handler_is_500_json_without_its_details():
    client = testing.TestClient(make_container(handler=FailingHandler()).app())
    hook_id = register(client, json={"userid": "u"})
    body = assert_problem(client.simulate_get(f"/webhook/{hook_id}"), 500, "handler failed")
    assert "exploded" not in str(body)


@pytest.mark.parametrize("depth", [100, 1000, 1020, 5000])
def test_deeply_nested_json_is_a_400_on_every_route(client, depth):
    nested = "[" * depth + "]" * depth
    assert_problem(client.simulate_post("/webhook", body='{"userid": "u", "a": ' + nested + "}",
                                        headers={"Content-Type": "application/json"}), 400)
    hook_id = register(client, json={"userid": "u"})
    assert_problem(client.simulate_post(f"/webhook/{hook_id}", body=nested,
                                        headers={"Content-Type": "application/json"}), 400)
