"""The signature schemes against their publishers' own test vectors, and their failure modes."""
import pytest

from webhook_register.domain import signatures
from webhook_register.domain.errors import SignatureInvalid

# From the Standard Webhooks specification's reference implementations.
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SW_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SW_TIMESTAMP = 1614265330
SW_BODY = b'{"test": 2432232314}'
SW_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

# From GitHub's documentation, "Validating webhook deliveries".
GH_SECRET = "It's a Secret to Everybody"
GH_BODY = b"Hello, World!"
GH_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def sw_headers(signature=SW_SIGNATURE, timestamp=SW_TIMESTAMP):
    return {"webhook-id": SW_ID, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def test_standard_webhooks_published_vector():
    assert signatures.sign_standard(SW_SECRET, SW_ID, SW_TIMESTAMP, SW_BODY) == SW_SIGNATURE
    signatures.verify(signatures.STANDARD_WEBHOOKS, SW_SECRET, sw_headers(), SW_BODY, now=SW_TIMESTAMP + 10)


def test_github_published_vector():
    assert signatures.sign_github(GH_SECRET, GH_BODY) == GH_SIGNATURE
    signatures.verify(signatures.GITHUB, GH_SECRET, {"x-hub-signature-256": GH_SIGNATURE}, GH_BODY, now=0)


def test_one_matching_signature_among_several_suffices():
    headers = sw_headers(f"v1,bm90IHRoaXMgb25l {SW_SIGNATURE} v2,whatever")
    signatures.verify(signatures.STANDARD_WEBHOOKS, SW_SECRET, headers, SW_BODY, now=SW_TIMESTAMP)


@pytest.mark.parametrize(
    "headers, body, now",
    [
        (sw_headers(), SW_BODY + b" ", SW_TIMESTAMP),  # body changed
        (sw_headers("v1,AAAA"), SW_BODY, SW_TIMESTAMP),  # wrong signature
        (sw_headers(), SW_BODY, SW_TIMESTAMP + 301),  # stale
        (sw_headers(), SW_BODY, SW_TIMESTAMP - 301),  # from the future
        (sw_headers(timestamp="soon"), SW_BODY, SW_TIMESTAMP),
        ({"webhook-id": SW_ID}, SW_BODY, SW_TIMESTAMP),  # headers missing
    ],
)
def test_standard_webhooks_refusals(headers, body, now):
    with pytest.raises(SignatureInvalid):
        signatures.verify(signatures.STANDARD_WEBHOOKS, SW_SECRET, headers, body, now)


@pytest.mark.parametrize("headers", [{}, {"x-hub-signature-256": "sha256=00"}, {"x-hub-signature-256": GH_SIGNATURE.upper()}])
def test_github_refusals(headers):
    with pytest.raises(SignatureInvalid):
        signatures.verify(signatures.GITHUB, GH_SECRET, headers, GH_BODY, now=0)


def test_generated_secrets_fit_their_scheme():
    for scheme in signatures.SCHEMES:
        secret = signatures.new_secret(scheme)
        assert signatures.check_secret(scheme, secret) == secret
    assert signatures.new_secret(signatures.STANDARD_WEBHOOKS).startswith("whsec_")
    with pytest.raises(ValueError):
        signatures.check_secret(signatures.STANDARD_WEBHOOKS, "not-whsec")
    with pytest.raises(ValueError):
        signatures.check_secret(signatures.GITHUB, "short")
