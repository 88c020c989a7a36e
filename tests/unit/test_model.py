"""The rules of a webhook's values, and the stored JSON document."""
import re

import pytest

from webhook_register.adapters.hook_codec import decode_hook, encode_hook
from webhook_register.domain.errors import ArgumentsTooLarge, InvalidWebhook
from webhook_register.domain.model import (
    ARGUMENTS_MAX_BYTES,
    HOOK_ID_PATTERN,
    Webhook,
    check_arguments,
    check_userid,
    is_hook_id,
    new_hook_id,
)


def test_new_hook_ids_are_url_safe_128_bit_and_distinct():
    ids = {new_hook_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(re.match(HOOK_ID_PATTERN, hook_id) and is_hook_id(hook_id) for hook_id in ids)


@pytest.mark.parametrize("value", ["", "short", "a" * 23, "a" * 21 + "/", "../" + "a" * 19, "a" * 21 + "\n"])
def test_malformed_ids_are_not_hook_ids(value):
    assert not is_hook_id(value)


@pytest.mark.parametrize("userid", ["testuser", "a", "A.b_c-d@e+f", "9" * 128])
def test_valid_userids_pass(userid):
    assert check_userid(userid) == userid


@pytest.mark.parametrize("userid", ["", "a" * 129, "has space", "semi;colon", "{tag}", "ünï", None, 7, ["a"]])
def test_invalid_userids_are_refused(userid):
    with pytest.raises(InvalidWebhook) as caught:
        check_userid(userid)
    assert caught.value.field == "userid"


def test_arguments_must_be_a_json_object_within_the_limit():
    assert check_arguments({"a": [1, {"b": None}]}) == {"a": [1, {"b": None}]}
    with pytest.raises(InvalidWebhook):
        check_arguments(["not", "an", "object"])
    with pytest.raises(InvalidWebhook):
        check_arguments({"a": object()})
    with pytest.raises(InvalidWebhook):
        check_arguments({"a": float("nan")})
    check_arguments({"a": "x" * (ARGUMENTS_MAX_BYTES - 8)})  # {"a":"…"} is 8 bytes of overhead
    with pytest.raises(ArgumentsTooLarge):
        check_arguments({"a": "x" * (ARGUMENTS_MAX_BYTES - 7)})


def test_the_stored_document_round_trips_and_is_plain_json():
    hook = Webhook(new_hook_id(), "testuser", {"n": 1, "s": "é", "l": [True, None]})
    document = encode_hook(hook)
    assert document.startswith(b'{"id":"') and b'"userid":"testuser"' in document
    assert b'"created":"' in document and document.endswith(b'Z"}')
    assert decode_hook(document) == hook


@pytest.mark.parametrize("document", [b"not json", b"[]", b'{"id": "x"}'])
def test_a_document_that_is_not_a_hook_is_refused(document):
    with pytest.raises(ValueError):
        decode_hook(document)
