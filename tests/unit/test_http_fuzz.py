"""Arbitrary requests on every route never reach a 5xx, and every 4xx carries the one JSON error shape."""
import json
import string

from falcon import testing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_http_api import ADMIN, make_container

CONTAINER = make_container(limits={"trigger_rate_per_minute": 0})
CLIENT = testing.TestClient(CONTAINER.app())
SERVICE = CONTAINER.webhook_service()
PLAIN = SERVICE.register("fuzz", {"a": 1})
SIGNED = SERVICE.register("fuzz", signature_scheme="standard-webhooks")
GITHUB = SERVICE.register("fuzz", signature_scheme="github")
KNOWN_IDS = [PLAIN.hook.id, SIGNED.hook.id, GITHUB.hook.id]

header_text = st.text(alphabet=string.printable.strip() + " ", max_size=60)
content_types = st.sampled_from(
    ["application/json", "application/x-www-form-urlencoded", "text/plain", "", "application/json; charset=latin-1",
     "application/octet-stream", "multipart/form-data"]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(["userid", "a", "methods", "rate_limit", "allowed_networks", "expires_in",
                               "signature_scheme", "signing_secret", "enabled", "arguments", "handler",
                               "target_url"])
bodies = (
    st.binary(max_size=256)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.dictionaries(field_names, json_values, max_size=5).map(lambda d: json.dumps(d).encode())
    | st.dictionaries(field_names, st.text(max_size=20), max_size=5).map(
        lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode())
)
hook_ids = st.sampled_from(KNOWN_IDS) | st.text(alphabet=string.ascii_letters + string.digits + "-_%.{}", min_size=1, max_size=30)
credentials = st.sampled_from([None, ADMIN, PLAIN.token, SIGNED.token, "Bearer", "x" * 20]) | header_text
headers = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": content_types,
        "X-Request-ID": header_text,
        "Idempotency-Key": header_text,
        "webhook-id": header_text,
        "webhook-timestamp": header_text | st.integers().map(str),
        "webhook-signature": header_text,
        "X-Hub-Signature-256": header_text,
        "X-Forwarded-For": header_text,
    },
)
queries = st.dictionaries(st.text(alphabet=string.ascii_letters, min_size=1, max_size=8),
                          st.text(alphabet=string.printable, max_size=20), max_size=5)


def assert_well_formed(result):
    assert result.status_code < 500, result.text
    if result.status_code >= 400:
        assert result.headers["content-type"] == "application/problem+json"
        body = result.json
        assert body["status"] == result.status_code and body["title"] and body["detail"]


def request(method, path, body, header_values, credential, query):
    header_values = dict(header_values)
    if credential:
        header_values["Authorization"] = credential if credential.startswith("Bearer") else f"Bearer {credential}"
    return CLIENT.simulate_request(method, path, body=body, headers=header_values, params=query)


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(body=bodies, header_values=headers, credential=credentials)
def test_register(body, header_values, credential):
    assert_well_formed(request("POST", "/webhook", body, header_values, credential, {}))


@FUZZ
@given(hook_id=hook_ids, method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
       body=bodies, header_values=headers, query=queries)
def test_trigger(hook_id, method, body, header_values, query):
    result = request(method, "/webhook/" + hook_id.replace("/", "_"), body, header_values, None, query)
    if method not in ("HEAD", "OPTIONS"):
        assert_well_formed(result)
    else:
        assert result.status_code < 500


@FUZZ
@given(hook_id=hook_ids, method=st.sampled_from(["GET", "PATCH"]), body=bodies, header_values=headers,
       credential=credentials)
def test_manage_one(hook_id, method, body, header_values, credential):
    assert_well_formed(request(method, "/webhooks/" + hook_id.replace("/", "_"), body, header_values, credential, {}))


@FUZZ
@given(query=queries | st.fixed_dictionaries({"userid": st.text(max_size=20)}, optional={
    "limit": st.text(max_size=5), "cursor": st.text(max_size=70)}), credential=credentials)
def test_list(query, credential):
    assert_well_formed(request("GET", "/webhooks", None, {}, credential, query))


@FUZZ
@given(path=st.sampled_from(["/queue", "/queue/dead-letters"]) | hook_ids.map(lambda i: f"/queue/dead-letters/{i}/replay"),
       method=st.sampled_from(["GET", "POST"]), query=queries, credential=credentials)
def test_queue_routes(path, method, query, credential):
    assert_well_formed(request(method, path.replace("//", "/"), None, {}, credential, query))


@FUZZ
@given(hook_id=hook_ids, event_id=st.text(alphabet=string.ascii_letters + string.digits + "-_.%", min_size=1, max_size=40),
       query=queries | st.fixed_dictionaries({}, optional={"limit": st.text(max_size=5), "cursor": st.text(max_size=170)}),
       credential=credentials)
def test_history_routes(hook_id, event_id, query, credential):
    hook_id = hook_id.replace("/", "_")
    assert_well_formed(request("GET", f"/webhooks/{hook_id}/history", None, {}, credential, query))
    assert_well_formed(request("POST", f"/webhooks/{hook_id}/history/{event_id}/replay", None, {}, credential, {}))
