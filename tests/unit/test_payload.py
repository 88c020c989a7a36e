"""Trigger bodies: parsed by their declared type, any type accepted, non-UTF-8 carried as base64."""
import base64

import pytest

from webhook_register.domain.errors import InvalidPayload
from webhook_register.domain.payload import forwarded_headers, parse_body


@pytest.mark.parametrize(
    "content_type, body, expected",
    [
        (None, b"", ("none", None)),
        ("application/json", b'{"a": [1]}', ("json", {"a": [1]})),
        ("application/vnd.github+json; charset=utf-8", b"[1]", ("json", [1])),
        ("application/x-www-form-urlencoded", b"a=1&b=2&a=3", ("form", {"a": ["1", "3"], "b": "2"})),
        ("text/plain", "héllo".encode(), ("text", "héllo")),
        (None, b"plain", ("text", "plain")),
        ("application/octet-stream", b"\xff\xfe", ("base64", base64.b64encode(b"\xff\xfe").decode())),
    ],
)
def test_bodies_are_parsed_by_kind(content_type, body, expected):
    assert parse_body(content_type, body) == expected


@pytest.mark.parametrize("content_type, body", [("application/json", b"{nope"), ("application/x-www-form-urlencoded", b"\xff")])
def test_a_body_that_breaks_its_declared_type_is_refused(content_type, body):
    with pytest.raises(InvalidPayload):
        parse_body(content_type, body)


def test_credentials_and_signatures_never_reach_the_handler():
    headers = {"authorization": "Bearer x", "cookie": "c", "webhook-signature": "v1,x", "x-hub-signature-256": "s",
               "user-agent": "curl", "webhook-id": "msg_1"}
    assert forwarded_headers(headers) == {"user-agent": "curl", "webhook-id": "msg_1"}


@pytest.mark.parametrize("depth", [65, 900, 100_000])
def test_json_nested_too_deeply_is_refused_not_a_crash(depth):
    with pytest.raises(InvalidPayload):
        parse_body("application/json", b"[" * depth + b"]" * depth)
    assert parse_body("application/json", b"[" * 64 + b"]" * 64)[0] == "json"


def test_event_ids_take_no_trailing_newline():
    from webhook_register.domain.payload import is_event_id

    assert is_event_id("evt_1.2:3-4") and not is_event_id("evt-1\n") and not is_event_id("")
