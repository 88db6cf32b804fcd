"""The client's address: the one rule for who sent a request, behind our own reverse proxies.

Every place that names the client's address (the sign-in lockout, the audit trail, e-mails
that say "from the address …") calls `client_address(request)`; none reads REMOTE_ADDR or
X-Forwarded-For itself.

The rule. The request passed through a chain of hops: the addresses listed in
X-Forwarded-For, left to right, then REMOTE_ADDR (the hop that connected to us). Each of our
proxies appends the address of whoever connected to it, so only the right end of the header
can be believed; anything to the left of it may have been typed by the client. Walking from
REMOTE_ADDR leftwards, a hop is one of our proxies when

- TRUSTED_PROXY_NETWORKS is set: its address is in one of those networks (and, if
  TRUSTED_PROXY_COUNT is set too, fewer than that many proxies have been passed);
- otherwise: fewer than TRUSTED_PROXY_COUNT proxies have been passed.

The client is the first hop that is not one of our proxies. With neither setting, that is
REMOTE_ADDR and X-Forwarded-For is ignored: a client cannot choose its own address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address as text (IPv4-mapped IPv6 as IPv4), or None without one."""
    if request is None:
        return None
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    count = settings.TRUSTED_PROXY_COUNT
    networks = trusted_networks(settings.TRUSTED_PROXY_NETWORKS)
    if not count and not networks:
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    client, passed = peer, 0
    while _is_our_proxy(client, passed, count, networks) and hops:
        told = parse_address(hops.pop())
        if told is None:
            # Our own proxy wrote something that is not an address (a misconfiguration):
            # the proxy itself is the last hop we know for certain.
            break
        client, passed = told, passed + 1
    return str(client)


def _is_our_proxy(address: IPAddress, passed: int, count: int, networks: list[IPNetwork]) -> bool:
    if count and passed >= count:
        return False
    if networks:
        return any(address in network for network in networks)
    return True


def parse_address(text: str) -> IPAddress | None:
    """An address as a proxy writes it ("203.0.113.7", "2001:db8::1"), or None."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        # A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d: the same client.
        return address.ipv4_mapped
    return address


def trusted_networks(values: Iterable[str]) -> list[IPNetwork]:
    """TRUSTED_PROXY_NETWORKS as networks ("10.0.0.0/8", "192.0.2.10", "fd00::/8").

    Raises ImproperlyConfigured for a value that is not a network, so a typo stops the
    service instead of silently trusting nothing (or everything).
    """
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXY_NETWORKS: {value!r} is not an IP network ({error})."
            ) from error
    return networks
