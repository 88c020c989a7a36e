"""The request schema of registration: the userid rule, and further fields kept as arguments."""
import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from webhook_register.domain.model import is_userid
from webhook_register.entrypoints.schemas import RegisterRequestSchema, RegisterUseridSchema


def test_further_fields_are_kept_as_arguments():
    loaded = RegisterRequestSchema().load({"userid": "testuser", "channel": "ops", "n": [1, 2]})
    assert loaded == {"userid": "testuser", "channel": "ops", "n": [1, 2]}


@pytest.mark.parametrize("body", [{}, {"userid": ""}, {"userid": "x" * 129}, {"userid": "a b"}, {"userid": ["a", "b"]}])
def test_a_missing_or_invalid_userid_is_refused(body):
    with pytest.raises(ValidationError) as caught:
        RegisterRequestSchema().load(body)
    assert "userid" in caught.value.messages


@given(st.one_of(st.text(max_size=140), st.text(alphabet="abcXYZ019._@+-\n {}", max_size=140), st.integers()))
def test_the_register_fast_path_accepts_only_what_the_schema_accepts(userid):
    # POST /webhook skips the schema for a body that is a valid userid alone (resources.py).
    if is_userid(userid):
        assert RegisterUseridSchema().validate({"userid": userid}) == {}
