"""Whether a webhook callback URL may be called: HTTPS to a public address only, so a client cannot
point the service at its own network (SSRF). Plain http to localhost is allowed only when the
WEBHOOKS_ALLOW_LOCALHOST setting says so (development and tests). Checked when the URL is
registered and again before every delivery, as DNS answers change."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class BadCallback(ValueError):
    """The URL may not be called; the message says why."""


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]
    except (OSError, UnicodeError):
        raise BadCallback(f"the host {host} cannot be resolved") from None


resolve = _addresses  # tests replace it: they have no DNS


def check(url: str, *, allow_localhost: bool) -> str:
    """The URL, if it may be called; else BadCallback."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise BadCallback("it is not a URL such as https://isp.example.org/nis-webhook") from None
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password or parts.fragment:
        raise BadCallback("it must be https://host/path, with no user, password or fragment")
    local = host in LOCAL_HOSTS
    if local and allow_localhost and parts.scheme in ("http", "https"):
        return url
    if parts.scheme != "https":
        raise BadCallback("a callback must use https")
    for address in resolve(host, port or 443):
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise BadCallback(f"{host} is a private, loopback or link-local address ({address}), which is refused")
    return url
