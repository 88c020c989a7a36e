"""What the HTTP layer learns about a request's caller: its credential, its address, its request id."""
from __future__ import annotations

import ipaddress
from typing import Iterable

import falcon

from ..domain.payload import is_event_id, new_event_id
from .logs import current_request_id


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def bearer_token(req: falcon.Request) -> str | None:
    """Return the token of an ``Authorization: Bearer …`` header, or None (any other scheme too)."""
    scheme, _, token = (req.auth or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Parse configured proxy addresses or networks (already validated by the config schema)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def client_address(req: falcon.Request, trusted_proxies: tuple[IPNetwork, ...]) -> str | None:
    """Return the caller's address: the peer, or, when the peer is a trusted proxy, the nearest address
    in X-Forwarded-For that is not one (forwarded headers from anyone else are ignored)."""
    address = req.remote_addr
    if not trusted_proxies or not _is_in(address, trusted_proxies):
        return address
    forwarded = [hop.strip() for hop in (req.get_header("X-Forwarded-For") or "").split(",") if hop.strip()]
    for hop in reversed(forwarded):
        if not _is_in(hop, trusted_proxies):
            return hop
    return forwarded[0] if forwarded else address


def _is_in(address: str | None, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)


class RequestIdMiddleware:
    """Gives every request an id (the caller's safe X-Request-ID, or a new one) and echoes it back."""

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        """Set ``req.context.request_id``."""
        given = req.env.get("HTTP_X_REQUEST_ID")
        # A caller's id is kept only when it is safe as an event id; otherwise a fresh one is made.
        req.context.request_id = given if given and is_event_id(given) else new_event_id()
        current_request_id.set(req.context.request_id)  # for every log line of this request

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource, req_succeeded: bool) -> None:
        """Echo the id in the X-Request-ID response header."""
        request_id = getattr(req.context, "request_id", None)
        if request_id:
            resp.set_header("X-Request-ID", request_id)
