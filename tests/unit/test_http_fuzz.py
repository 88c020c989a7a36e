"""Arbitrary requests never reach a 5xx, and every 4xx carries the one JSON error shape."""
import json

from falcon import testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_http_api import make_container

CLIENT = testing.TestClient(make_container().app())

content_types = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", "", "application/json; charset=latin-1"]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
bodies = st.binary(max_size=256) | json_values.map(lambda v: json.dumps(v).encode()) | st.dictionaries(
    st.sampled_from(["userid", "a", "b"]), st.text(max_size=20)
).map(lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode())


def assert_well_formed(result):
    assert result.status_code < 500, result.text
    if result.status_code >= 400:
        assert result.headers["content-type"] == "application/problem+json"
        assert result.json["status"] == result.status_code


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies, content_type=content_types)
def test_register_never_fails_on_any_body(body, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    assert_well_formed(CLIENT.simulate_post("/webhook", body=body, headers=headers))


@settings(max_examples=300, deadline=None)
@given(hook_id=st.text(min_size=1, max_size=40), method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]))
def test_trigger_never_fails_on_any_id(hook_id, method):
    assert_well_formed(CLIENT.simulate_request(method, "/webhook/" + hook_id.replace("/", "_").replace("?", "_")))
