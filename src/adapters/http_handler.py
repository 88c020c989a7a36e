"""The http handler: forwards each event to the hook's target URL as a signed Standard Webhooks request.

The request carries ``webhook-id`` (the event id, the same on every retry, so receivers can dedupe),
``webhook-timestamp`` and ``webhook-signature`` made with the hook's delivery secret. A 2xx answer is
a delivery; anything else, or no answer within the timeouts, raises, so the queue retries it.

SSRF guard: the target's host is resolved, and every address must be public (no loopback, private,
link-local — cloud metadata services live there —, shared, reserved, multicast or unspecified
address) unless configuration allows private targets. The connection then goes to the address that
was checked, so a DNS answer that changes between check and use cannot redirect it.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from typing import Callable

from ..domain.payload import TriggerEvent
from ..domain.ports import WebhookHandler, WebhookRepository
from ..domain.signatures import sign_standard
from .hook_codec import encode_event

Resolver = Callable[[str, int], list[str]]


class DeliveryFailed(RuntimeError):
    """The target refused, failed or did not answer in time; the delivery is to be retried."""


class UnsafeTarget(DeliveryFailed):
    """The target resolves to an address this service must not call."""


def resolve(host: str, port: int) -> list[str]:
    """Return every address ``host`` resolves to (the system resolver)."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def is_public(address: str) -> bool:
    """Tell whether an IP address is a public, routable unicast address."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class Target:
    """A checked destination: where to connect, and what to ask for."""

    scheme: str
    host: str
    port: int
    address: str
    path: str


def check_target(url: str, allow_private: bool, resolver: Resolver = resolve) -> Target:
    """Resolve the URL's host and refuse it unless every address is public (or private ones are allowed).

    Raises:
        UnsafeTarget: the URL is unusable, does not resolve, or resolves to a refused address.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("the target must be an absolute http or https URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolver(parts.hostname, port)
    except OSError as exc:
        raise UnsafeTarget(f"the target host does not resolve: {exc}") from None
    if not addresses:
        raise UnsafeTarget("the target host does not resolve")
    if not allow_private and not all(is_public(address) for address in addresses):
        raise UnsafeTarget("the target resolves to a loopback, private, link-local or reserved address")
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return Target(parts.scheme, parts.hostname, port, addresses[0], path)


class HttpHandler(WebhookHandler):
    """Posts each event, signed, to its hook's target URL.

    Args:
        repository: where the hook's target URL and delivery secret are read at delivery time (so an
            update or a revocation applies to events already queued).
        allow_private: allow targets on loopback and private networks (tests, trusted networks).
        connect_timeout, read_timeout: seconds to wait for a connection and for the answer.
        resolver: resolves host names (replaceable in tests).
    """

    def __init__(self, repository: WebhookRepository, allow_private: bool = False, connect_timeout: float = 3.0,
                 read_timeout: float = 10.0, resolver: Resolver = resolve) -> None:
        self._repository = repository
        self._allow_private = allow_private
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._resolver = resolver

    def handle(self, event: TriggerEvent) -> None:
        """Deliver ``event``; raise ``DeliveryFailed`` unless the target answers 2xx."""
        hook = self._repository.get(event.hook.id)
        if hook is None or not hook.settings.target_url or not hook.delivery_secret:
            raise DeliveryFailed("the hook is gone or has no target")
        target = check_target(hook.settings.target_url, self._allow_private, self._resolver)
        body = encode_event(event)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "webhook-register",
            "webhook-id": event.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign_standard(hook.delivery_secret, event.id, timestamp, body),
        }
        connection = self._connect(target)
        try:
            connection.request("POST", target.path, body=body, headers={"Host": _host_header(target), **headers})
            connection.sock.settimeout(self._read_timeout)
            status = connection.getresponse().status
        except (OSError, http.client.HTTPException) as exc:
            raise DeliveryFailed(f"the target did not answer: {type(exc).__name__}: {exc}") from None
        finally:
            connection.close()
        if not 200 <= status < 300:
            raise DeliveryFailed(f"the target answered {status}")

    def _connect(self, target: Target) -> http.client.HTTPConnection:
        """Open a connection to the checked address (TLS verified against the host name for https)."""
        try:
            sock = socket.create_connection((target.address, target.port), timeout=self._connect_timeout)
        except OSError as exc:
            raise DeliveryFailed(f"cannot connect to the target: {exc}") from None
        if target.scheme == "https":
            try:
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.host)
            except (OSError, ssl.SSLError) as exc:
                sock.close()
                raise DeliveryFailed(f"TLS with the target failed: {exc}") from None
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(target.host, target.port)
        else:
            connection = http.client.HTTPConnection(target.host, target.port)
        connection.sock = sock
        return connection


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"
