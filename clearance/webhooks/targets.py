"""Where a webhook may point: the guard against server-side request forgery.

A subject registering an endpoint chooses a URL the service will post to from inside the
administration's network; without a guard it could make the service call the database, a
cloud metadata service (169.254.169.254) or an internal admin page. So a target must be
``https`` (``http`` only when ``CUSTOMS_WEBHOOK_ALLOW_HTTP``), carry no credentials, and every
address its host name resolves to must be globally routable, unless it is in one of the
networks ``CUSTOMS_WEBHOOK_ALLOWED_NETWORKS`` lists. The check runs at registration and again
at every delivery, and the delivery connects to the very address that was checked (see
:mod:`.posting`), so a name that resolves elsewhere later (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.errors import CustomsError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
#: Host name → the addresses it resolves to (``socket.getaddrinfo`` by default).
Resolver = Callable[[str, int], list[str]]
MAX_URL_LENGTH = 2000


class TargetRefusedError(CustomsError):
    """A webhook URL the service will not post to (says why, never fetches it)."""

    code = "webhook_target_refused"


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """What targets are allowed, from settings."""

    allowed_networks: tuple[IPNetwork, ...] = ()
    allow_http: bool = False

    @classmethod
    def of(cls, networks: Sequence[str], allow_http: bool) -> TargetPolicy:
        """The policy of the settings' network list and http flag."""
        try:
            parsed = tuple(ipaddress.ip_network(n.strip(), strict=False) for n in networks)
        except ValueError as exc:
            raise TargetRefusedError(f"CUSTOMS_WEBHOOK_ALLOWED_NETWORKS: {exc}") from exc
        return cls(parsed, allow_http)

    def address_allowed(self, address: IPAddress) -> bool:
        """A global address, or one inside an allowed network."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback
        if any(address in network for network in self.allowed_networks):
            return True
        return address.is_global and not address.is_multicast


@dataclass(frozen=True, slots=True)
class Target:
    """A checked target: the URL, and the address the delivery connects to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def check_url(url: str, policy: TargetPolicy) -> tuple[str, str, int]:
    """The scheme, host and port of ``url`` if its form is acceptable (no resolution)."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefusedError(f"a webhook URL has at most {MAX_URL_LENGTH} characters")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    allowed = ("https", "http") if policy.allow_http else ("https",)
    if scheme not in allowed:
        raise TargetRefusedError(f"a webhook URL must be {' or '.join(allowed)}, not {scheme!r}")
    if parts.username is not None or parts.password is not None:
        raise TargetRefusedError("a webhook URL carries no user name or password")
    if parts.fragment:
        raise TargetRefusedError("a webhook URL has no #fragment")
    host = parts.hostname
    if not host:
        raise TargetRefusedError("a webhook URL needs a host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefusedError(f"a webhook URL's port: {exc}") from exc
    return scheme, host, port


def resolve_target(url: str, policy: TargetPolicy, resolve: Resolver | None = None) -> Target:
    """``url`` checked and resolved: every address of its host must be allowed.

    All addresses are checked, not only the first, so a name with one public and one private
    address is refused whichever one a connection would pick.
    """
    scheme, host, port = check_url(url, policy)
    try:
        addresses = (resolve or system_resolve)(host, port)
    except OSError as exc:
        raise TargetRefusedError(f"the webhook host {host} does not resolve: {exc}") from exc
    if not addresses:
        raise TargetRefusedError(f"the webhook host {host} does not resolve")
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if not policy.address_allowed(address):
            # The address itself is not named: the message reaches the tenant, who has no
            # business learning the internal network's addresses by registering names.
            raise TargetRefusedError(
                f"the webhook host {host} resolves to a private, loopback, link-local or "
                "reserved address (the operator may allow its network in "
                "CUSTOMS_WEBHOOK_ALLOWED_NETWORKS if it is meant)"
            )
    return Target(url=url, scheme=scheme, host=host, port=port, address=addresses[0])


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` as the system resolver gives them (TCP), in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in seen:
            seen.append(address)
    return seen
