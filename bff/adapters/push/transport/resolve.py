"""Where a push really goes: the host's addresses, checked before the connection is opened.

The check and the connection use the same answer: the transport connects to the address that was
checked (the host name stays for TLS's SNI, the certificate and the ``Host`` header), so a name
that resolves to a public address for the check and to an internal one a moment later (DNS
rebinding) never gets a connection to the internal one.
"""

from __future__ import annotations

import socket
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from bff.core.devices import host_matches, push_address_allowed, push_endpoint_allowed
from bff.core.ports import Resolver


class AddressRefused(OSError):
    """Every address of a push service's host is one pushes may not go to."""


class SystemResolver:
    """The operating system's resolver (``getaddrinfo``): production's."""

    def addresses(self, host: str, port: int) -> list[str]:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class FixedResolver:
    """Fixed answers per host (a host it does not know has no address): for a deployment or a test
    that must say exactly where a name points, the way ``/etc/hosts`` would."""

    answers: Mapping[str, Sequence[str]]

    def addresses(self, host: str, port: int) -> list[str]:
        found = self.answers.get(host.lower())
        if not found:
            raise socket.gaierror(socket.EAI_NONAME, "no such host")
        return list(found)


@dataclass(frozen=True)
class Destinations:
    """Where pushes may go: the endpoint's host among the push services or ``extra_hosts``, https
    (plain http only if ``allow_http``), and a public address at connection time. Loopback is
    accepted only for the extra hosts and only if ``loopback_for_extras`` (development and tests,
    whose push service is a local fake; production never sets it)."""

    extra_hosts: frozenset[str] = frozenset()
    allow_http: bool = False
    loopback_for_extras: bool = False
    resolver: Resolver = field(default_factory=SystemResolver)

    @classmethod
    def of(cls, extra_hosts: Collection[str] = (), *, production: bool,
           resolver: Resolver | None = None) -> Destinations:
        """The rules a deployment runs with: only production refuses plain http and local extras."""
        return cls(frozenset(extra_hosts), allow_http=not production, loopback_for_extras=not production,
                   resolver=resolver or SystemResolver())

    def endpoint_allowed(self, endpoint: str) -> bool:
        return push_endpoint_allowed(endpoint, extra_hosts=self.extra_hosts, allow_http=self.allow_http)

    def address_for(self, host: str, port: int) -> str:
        """The first address of ``host`` a push may go to; :class:`AddressRefused` if there is none
        (``OSError`` if the name does not resolve)."""
        loopback = self.loopback_for_extras and any(host_matches(host, extra) for extra in self.extra_hosts)
        for address in self.resolver.addresses(host, port):
            if push_address_allowed(address, loopback=loopback):
                return address
        raise AddressRefused(f"no address of {host} may receive pushes")
