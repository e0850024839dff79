"""What one client counts as, for the per-address throttling rule.

``throttle_address`` counts an IPv6 client by its /56 (the longest prefix an ISP delegates
to one home, RFC 6177) and an IPv6 address that embeds an IPv4 one (``::ffff:``, 6to4,
NAT64, Teredo) by that IPv4 address: one client cannot rotate through the prefixes it
holds, and the IPv4 clients behind a translator are not all counted as one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from taperline.web.security import throttle_address
from tests.support.web import Site, Web, make_site

WRONG = "not the password at all"
OWNER = "ann@example.org"


def _from(site: Site, address: str) -> Web:
    return site.browser(client=(address, 50000))


def _checked(site: Site, addresses: list[str]) -> int:
    """How many wrong passwords for OWNER were checked (401), one from each address."""
    codes = [_from(site, address).signin(OWNER, WRONG).status_code for address in addresses]
    assert set(codes) <= {401, 429}, codes
    return codes.count(401)


# One client, many /64s: a 6to4 host (one IPv4 address owns 2002:<v4>::/48) and a home
# subscriber with an ISP's usual /56 prefix delegation (RFC 6177 recommends /48 to /56).
ONE_CLIENT = {
    "6to4-host-198.51.100.7": [f"2002:c633:6407:{n:x}::1" for n in range(40)],
    "home-subscriber-/56": [f"2001:db8:ab:cd{n:02x}::1" for n in range(40)],
}


@pytest.mark.parametrize("client", list(ONE_CLIENT))
def test_one_client_cannot_rotate_through_its_own_ipv6_prefix(tmp_path: Path, client: str) -> None:
    with make_site(tmp_path) as site:
        free = site.services.settings.address_free_failures
        site.patient(OWNER).signout()
        checked = _checked(site, ONE_CLIENT[client])
        assert checked <= free + 1, (
            f"one client ({client}) had {checked} wrong passwords checked within a minute by"
            f" using a new /64 for each, where one IPv4 address gets {free}: the per-address"
            " rule must count the prefix the client holds (a /56, or a 6to4 host's IPv4)"
        )


def test_nat64_clients_are_counted_by_their_ipv4_address(tmp_path: Path) -> None:
    """Behind NAT64/SIIT every IPv4 client arrives as 64:ff9b::<v4> (RFC 6052)."""
    with make_site(tmp_path) as site:
        site.patient(OWNER).signout()
        site.patient("bob@example.org").signout()
        attacker = _from(site, "64:ff9b::c633:6407")  # 198.51.100.7
        for _ in range(site.services.settings.address_free_failures + 2):
            attacker.signin(OWNER, WRONG)
        victim = _from(site, "64:ff9b::cb00:7109")  # 203.0.113.9, no failures of its own
        status = victim.signin("bob@example.org").status_code
        assert status == 303, (
            f"a stranger's failures from 198.51.100.7 made bob, at 203.0.113.9, wait ({status}):"
            " both reach the app through NAT64 (64:ff9b::/96) and must be counted by their"
            " IPv4 addresses, so that one attacker does not slow everyone down"
        )


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("2001:db8:ab:cd00::1", "2001:db8:ab:cd00::/56"),
        ("2001:db8:ab:cdff:ffff::9", "2001:db8:ab:cd00::/56"),
        ("2001:db8:ab:ce00::1", "2001:db8:ab:ce00::/56"),
        ("fe80::1%eth0", "fe80::/56"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("2002:c633:6407:ffff::1", "198.51.100.7"),  # 6to4
        ("64:ff9b::c633:6407", "198.51.100.7"),  # NAT64, well-known prefix
        ("64:ff9b::198.51.100.7", "198.51.100.7"),
        ("64:ff9b:1::c633:6407", "198.51.100.7"),  # NAT64, local-use prefix as a /96
        ("64:ff9b:1:2:3:4:c633:6407", "64:ff9b:1:2:3:4:c633:6407"),  # another layout: whole
        ("2001:0:4136:e378:8000:63bf:39cc:9bf8", "198.51.100.7"),  # Teredo: the client
        ("198.51.100.7", "198.51.100.7"),
        ("testclient", "testclient"),
    ],
)
def test_throttle_address(address: str, counted_as: str) -> None:
    assert throttle_address(address) == counted_as
