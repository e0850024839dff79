"""Forwarded headers, believed only from the proxies the operator lists.

Behind a reverse proxy the server sees the proxy's address; the proxy says who the client
was in ``X-Forwarded-For`` (or RFC 7239 ``Forwarded``) and which scheme it used in
``X-Forwarded-Proto``. Anyone can send those headers, so :class:`ForwardedHeaders` reads
them only when the connection comes from an address in ``TAPERLINE_FORWARDED_ALLOW_IPS``
(IPs or CIDRs; empty by default: nobody is believed). The client is then the nearest hop
that is not itself a listed proxy (proxies append the address they saw, so hops a client
made up stand to the left of it). ``X-Forwarded-For`` wins over ``Forwarded``: proxies
commonly set the first and pass the second through untouched.

Nothing a header says can fail a request. With no hop (no header, or an empty one) the
client stays the peer, and the scheme the connection's own unless ``X-Forwarded-Proto``
gives one. When the nearest unlisted hop is no address (``unknown``, an RFC 7239 obfuscated
name, garbage) the client stays the peer too: the hops left of it are not believed. A port
that is not 1 to 65535 in ASCII digits counts as 0.

>>> nets = trusted_networks(["10.0.0.0/8"])
>>> forwarded_client([(b"x-forwarded-for", b"6.6.6.6, 203.0.113.9, 10.0.0.2")], nets)
(('203.0.113.9', 0), None)
>>> forwarded_client([(b"forwarded", b'for="[2001:db8::1]:4711";proto=https')], nets)
(('2001:db8::1', 4711), 'https')
>>> forwarded_client([(b"x-forwarded-for", b"")], nets)
(None, None)
>>> forwarded_client([(b"forwarded", "for=203.0.113.9:\u00b2".encode("latin-1"))], nets)
(('203.0.113.9', 0), None)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from taperline.errors import InputError

__all__ = ["ForwardedHeaders", "Network", "forwarded_client", "trusted_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Headers = Sequence[tuple[bytes, bytes]]
_SCHEMES: Final = frozenset({"http", "https"})
_MAX_PORT: Final = 65535


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The networks of ``entries`` (IPs or CIDRs); anything else is refused.

    >>> trusted_networks(["127.0.0.1", "fd00::/8"])
    (IPv4Network('127.0.0.1/32'), IPv6Network('fd00::/8'))
    >>> trusted_networks(["proxy.local"])
    Traceback (most recent call last):
    ...
    taperline.errors.InputError: TAPERLINE_FORWARDED_ALLOW_IPS: 'proxy.local' is not an IP address or network such as 10.0.0.0/8
    """  # noqa: E501 -- a doctest line reads better whole
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise InputError(
                f"TAPERLINE_FORWARDED_ALLOW_IPS: {entry.strip()!r} is not an IP address or"
                " network such as 10.0.0.0/8"
            ) from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    try:
        found = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(found, ipaddress.IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def _listed(found: Address | None, networks: Sequence[Network]) -> bool:
    return found is not None and any(found in network for network in networks)


def _host_port(hop: str) -> tuple[Address | None, int]:
    """An address and port from ``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80`` or ``::1``."""
    hop = hop.strip().strip('"')
    host, port = hop, ""
    if hop.startswith("["):
        host, _, rest = hop[1:].partition("]")
        port = rest.removeprefix(":")
    elif hop.count(":") == 1:
        host, port = hop.split(":")
    digits = port.isascii() and port.isdigit()  # str.isdigit alone takes '\u00b2'
    number = int(port) if digits and len(port) <= len(str(_MAX_PORT)) else 0
    return _address(host), number if number <= _MAX_PORT else 0


def _values(headers: Headers, name: bytes) -> list[str]:
    joined = ",".join(v.decode("latin-1") for k, v in headers if k.lower() == name)
    return [part.strip() for part in joined.split(",")] if joined else []


def _rfc7239(headers: Headers) -> tuple[list[str], list[str]]:
    """The ``for`` and ``proto`` of each element of ``Forwarded`` headers."""
    hops, protos = [], []
    for element in _values(headers, b"forwarded"):
        pairs = {
            key.strip().lower(): value.strip().strip('"')
            for key, _, value in (pair.partition("=") for pair in element.split(";"))
        }
        hops.append(pairs.get("for", ""))
        protos.append(pairs.get("proto", ""))
    return hops, protos


def forwarded_client(
    headers: Headers, networks: Sequence[Network]
) -> tuple[tuple[str, int] | None, str | None]:
    """The client (address, port) and scheme that a trusted proxy's headers give, if any."""
    hops, protos = _values(headers, b"x-forwarded-for"), _values(headers, b"x-forwarded-proto")
    if not hops and not protos:
        hops, protos = _rfc7239(headers)
    # The nearest hop that is not a listed proxy (the first when all of them are).
    chosen = next(
        (i for i in reversed(range(len(hops))) if not _listed(_host_port(hops[i])[0], networks)),
        0,
    )
    client, proto = None, (protos or [""])[-1]
    if hops:
        found, port = _host_port(hops[chosen])
        client = (str(found), port) if found is not None else None
        proto = protos[chosen] if len(protos) == len(hops) else proto
    scheme = proto.lower() if proto.lower() in _SCHEMES else None
    return client, scheme


class ForwardedHeaders:
    """ASGI middleware: the client's address and scheme from a listed proxy's headers."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.networks = trusted_networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite ``client`` and ``scheme`` when the peer is a listed proxy."""
        peer = scope.get("client")
        web = scope["type"] in {"http", "websocket"}
        if web and peer and _listed(_address(str(peer[0])), self.networks):
            client, scheme = forwarded_client(scope["headers"], self.networks)
            if client is not None:
                scope["client"] = client
            if scheme is not None:
                ws = scope["type"] == "websocket"
                scope["scheme"] = scheme.replace("http", "ws") if ws else scheme
        await self.app(scope, receive, send)
