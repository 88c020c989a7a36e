"""The rules of a webhook's values, and the stored JSON document."""
import re

import pytest

from datetime import datetime, timezone

from webhook_register.adapters.hook_codec import decode_hook, encode_hook, public_hook
from webhook_register.domain.errors import ArgumentsTooLarge, InvalidWebhook
from webhook_register.domain.model import (
    ARGUMENTS_MAX_BYTES,
    ARGUMENTS_MAX_COUNT,
    EXPIRES_IN_MAX,
    HOOK_ID_PATTERN,
    HookSettings,
    Webhook,
    check_expires_in,
    check_arguments,
    check_userid,
    is_hook_id,
    new_hook_id,
)


def test_new_hook_ids_are_url_safe_128_bit_and_distinct():
    ids = {new_hook_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(re.match(HOOK_ID_PATTERN, hook_id) and is_hook_id(hook_id) for hook_id in ids)


@pytest.mark.parametrize("value", ["", "short", "a" * 23, "a" * 21 + "/", "../" + "a" * 19, "a" * 21 + "\n", "a" * 22 + "\n"])
def test_malformed_ids_are_not_hook_ids(value):
    assert not is_hook_id(value)


@pytest.mark.parametrize("userid", ["testuser", "a", "A.b_c-d@e+f", "9" * 128])
def test_valid_userids_pass(userid):
    assert check_userid(userid) == userid


@pytest.mark.parametrize("userid", ["", "a" * 129, "has space", "semi;colon", "{tag}", "ünï", "testuser\n", None, 7, ["a"]])
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
    hook = Webhook(new_hook_id(), "testuser", {"n": 1, "s": "é", "l": [True, None]}, token_hash="h")
    document = encode_hook(hook)
    assert document.startswith(b'{"userid":"testuser"') and hook.id.encode() not in document
    assert b'"created":"' in document and b'"token_sha256":"h"' in document
    assert b"methods" not in document  # default settings are not stored
    assert decode_hook(hook.id, document) == hook


def test_every_setting_and_secret_round_trips():
    hook = Webhook(
        new_hook_id(), "u", {}, settings=HookSettings(False, ("PUT",), 5, ("10.0.0.0/8",)),
        signature_scheme="github", expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc),
        token_hash="h", signing_secret="s" * 20,
    )
    assert decode_hook(hook.id, encode_hook(hook)) == hook
    public = public_hook(hook)
    assert "token_sha256" not in public and "signing_secret" not in public and public["methods"] == ("PUT",)


def test_settings_are_checked_and_made_canonical():
    settings = HookSettings(methods=["post", "get", "post"], rate_limit=0, allowed_networks=["10.1.2.3/8"]).checked()
    assert settings.methods == ("GET", "POST")
    assert settings.allowed_networks == ("10.0.0.0/8",)
    for bad in (HookSettings(methods=["TRACE"]), HookSettings(methods=[]), HookSettings(rate_limit=-1),
                HookSettings(rate_limit=True), HookSettings(allowed_networks=["nope"]), HookSettings(enabled="yes")):
        with pytest.raises(InvalidWebhook):
            bad.checked()


@pytest.mark.parametrize("expires_in", [0, -1, True, "10", EXPIRES_IN_MAX + 1])
def test_a_bad_lifetime_is_refused(expires_in):
    with pytest.raises(InvalidWebhook):
        check_expires_in(expires_in)


def test_too_many_or_too_long_argument_names_are_refused():
    with pytest.raises(InvalidWebhook):
        check_arguments({str(i): i for i in range(ARGUMENTS_MAX_COUNT + 1)})
    with pytest.raises(InvalidWebhook):
        check_arguments({"x" * 129: 1})


@pytest.mark.parametrize("document", [b"not json", b"[]", b'{"id": "x"}'])
def test_a_document_that_is_not_a_hook_is_refused(document):
    with pytest.raises(ValueError):
        decode_hook(new_hook_id(), document)


@pytest.mark.parametrize("depth", [65, 1000])
def test_arguments_nested_too_deeply_are_refused(depth):
    value: list = []
    for _ in range(depth - 2):
        value = [value]
    with pytest.raises(InvalidWebhook):
        check_arguments({"a": value})
    assert check_arguments({"a": [[[]]]}) == {"a": [[[]]]}
