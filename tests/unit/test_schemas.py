"""The request schema of registration: the userid rule, and further fields kept as arguments."""
import pytest
from marshmallow import ValidationError

from webhook_register.entrypoints.schemas import RegisterRequestSchema


def test_further_fields_are_kept_as_arguments():
    loaded = RegisterRequestSchema().load({"userid": "testuser", "channel": "ops", "n": [1, 2]})
    assert loaded == {"userid": "testuser", "channel": "ops", "n": [1, 2]}


@pytest.mark.parametrize("body", [{}, {"userid": ""}, {"userid": "x" * 129}, {"userid": "a b"}, {"userid": ["a", "b"]}])
def test_a_missing_or_invalid_userid_is_refused(body):
    with pytest.raises(ValidationError) as caught:
        RegisterRequestSchema().load(body)
    assert "userid" in caught.value.messages
