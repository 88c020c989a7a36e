"""The http handler's SSRF guard and the target URL rule."""
import pytest

from webhook_register.adapters.http_handler import UnsafeTarget, check_target, is_public
from webhook_register.domain.errors import InvalidWebhook
from webhook_register.domain.model import check_target_url


def resolver(*addresses):
    return lambda host, port: list(addresses)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00:ec2::254",
                                     "::ffff:127.0.0.1", "240.0.0.1"])
def test_internal_addresses_are_refused(address):
    assert not is_public(address)
    with pytest.raises(UnsafeTarget):
        check_target("http://target.example/hook", allow_private=False, resolver=resolver(address))


def test_one_internal_address_among_public_ones_is_enough_to_refuse():
    with pytest.raises(UnsafeTarget):
        check_target("https://target.example/", False, resolver("93.184.216.34", "10.0.0.1"))


def test_public_targets_pass_and_keep_their_path_and_query():
    target = check_target("https://target.example:8443/in?x=1", False, resolver("93.184.216.34"))
    assert (target.scheme, target.host, target.port, target.address, target.path) == (
        "https", "target.example", 8443, "93.184.216.34", "/in?x=1")


def test_private_targets_pass_when_allowed():
    assert check_target("http://localhost/", True, resolver("127.0.0.1")).address == "127.0.0.1"


def test_an_unresolvable_host_is_refused():
    def fails(host, port):
        raise OSError("no such host")
    with pytest.raises(UnsafeTarget):
        check_target("http://nowhere.invalid/", True, fails)


@pytest.mark.parametrize("url", ["ftp://x/", "/relative", "http://", "http://x:99999/", "http://a b/", "x" * 3000])
def test_target_urls_must_be_absolute_http(url):
    with pytest.raises(InvalidWebhook):
        check_target_url(url)
