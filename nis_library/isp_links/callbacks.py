"""Whether a webhook callback URL may be called, and where to connect: HTTPS to a public address
only, so a client cannot point the service at its own network (SSRF). Plain http to localhost is
allowed only when the WEBHOOKS_ALLOW_LOCALHOST setting says so (development and tests).

Checked when the URL is registered and again before every delivery, as DNS answers change; and a
delivery connects to the very address that was checked (`PinnedTransport`), so a resolver that
answers a public address to the check and a private one to the connection (DNS rebinding) gains
nothing. Errors name the host, never an address it resolved to."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore
import httpx

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
HTTPS_PORT = 443
# IPv6 ranges that carry or reach an IPv4 address (so could reach a private one) or are not unicast:
# refused outright, whatever `is_global` says of them.
SPECIAL_RANGES = tuple(
    ipaddress.ip_network(n)
    for n in (
        "64:ff9b::/96",  # NAT64, well-known prefix
        "64:ff9b:1::/48",  # NAT64, local use
        "2002::/16",  # 6to4
        "2001::/32",  # Teredo
        "::ffff:0:0/96",  # IPv4-mapped
        "::/96",  # IPv4-compatible (deprecated)
        "ff00::/8",  # multicast
    )
)


class BadCallback(ValueError):
    """The URL may not be called; the message says why."""


@dataclass(frozen=True)
class Target:
    url: str
    address: str  # the address that was checked: the one to connect to


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]
    except (OSError, UnicodeError):
        raise BadCallback(f"the host {host} cannot be resolved") from None


resolve = _addresses  # tests replace it: they have no DNS


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.is_multicast or not ip.is_global:
        return False
    return not (ip.version == 6 and any(ip in network for network in SPECIAL_RANGES))


def check(url: str, *, allow_localhost: bool, ports: tuple[int, ...] = (HTTPS_PORT,)) -> Target:
    """Where to send to this URL, if it may be called; else BadCallback."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise BadCallback("it is not a URL such as https://isp.example.org/nis-webhook") from None
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password or parts.fragment:
        raise BadCallback("it must be https://host/path, with no user, password or fragment")
    if host in LOCAL_HOSTS and allow_localhost and parts.scheme in ("http", "https"):
        return Target(url, resolve(host, port or 80)[0])
    if parts.scheme != "https":
        raise BadCallback("a callback must use https")
    if (port or HTTPS_PORT) not in ports:
        raise BadCallback(f"a callback must use port {', '.join(map(str, ports))}")
    addresses = resolve(host, port or HTTPS_PORT)
    if not addresses or not all(is_public(address) for address in addresses):
        raise BadCallback(f"{host} resolves to a private, loopback, link-local or special-purpose address")
    return Target(url, addresses[0])


class _PinnedBackend(httpcore.SyncBackend):
    """Opens every connection to one address, whatever host the request names."""

    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return super().connect_tcp(self.address, port, timeout, local_address, socket_options)


class PinnedTransport(httpx.HTTPTransport):
    """An httpx transport that connects to the checked address. The request keeps its URL, so the
    Host header, TLS SNI and certificate verification are all for the host name."""

    def __init__(self, target: Target):
        super().__init__(retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_PinnedBackend(target.address), retries=0
        )
