"""One webhook delivery over HTTP: a POST to the checked address, with short timeouts.

The connection goes to the address :func:`.targets.resolve_target` checked, not to whatever
the host name resolves to a moment later: the URL's host is replaced by that address, the
``Host`` header and (for https) the TLS server name keep the original name, so the
certificate is still verified against it. Redirects are not followed (a 3xx could point
inside the network) and count as failures; of the answer's body at most 64 KiB is read and
thrown away (enough to keep the connection for the next delivery).
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from clearance.webhooks.targets import Target

#: Success is any 2xx; 410 Gone means "stop sending" (the endpoint is disabled).
GONE = 410
USER_AGENT = "golden-customs-webhooks/1"
#: The most of an answer's body read (and thrown away): a short body read to its end lets the
#: connection serve the next delivery; a longer one is cut off with its connection.
MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one POST ended: the HTTP status (None when none came back) or the error."""

    status: int | None
    error: str | None
    seconds: float

    @property
    def delivered(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        """410 Gone: the receiver asks never to be called again."""
        return self.status == GONE


def new_client(timeout: float) -> httpx.Client:
    """A client for one delivery run: short timeouts, no redirects, no proxies from the
    environment (a proxy would bypass the address check)."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        headers={"user-agent": USER_AGENT},
    )


def _drain(response: httpx.Response) -> None:
    read = 0
    for chunk in response.iter_raw():
        read += len(chunk)
        if read > MAX_ANSWER_BYTES:
            return


def pinned_url(target: Target) -> str:
    """``target.url`` with its host replaced by the checked address."""
    parts = urlsplit(target.url)
    address = ipaddress.ip_address(target.address.split("%", 1)[0])
    host = f"[{address}]" if address.version == 6 else str(address)
    return urlunsplit((target.scheme, f"{host}:{target.port}", parts.path or "/", parts.query, ""))


def post(client: httpx.Client, target: Target, headers: dict[str, str], body: bytes) -> Attempt:
    """POST ``body`` to ``target``; never raises for what the network or receiver did."""
    default_port = 443 if target.scheme == "https" else 80
    host_header = f"[{target.host}]" if ":" in target.host else target.host  # IPv6 literal
    if target.port != default_port:
        host_header = f"{host_header}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    started = time.monotonic()
    try:
        request = client.build_request(
            "POST",
            pinned_url(target),
            content=body,
            headers={**headers, "host": host_header},
            extensions=extensions,
        )
        response = client.send(request, stream=True)
        try:
            _drain(response)
        finally:
            response.close()
    except httpx.TimeoutException as exc:
        return Attempt(None, f"timeout: {type(exc).__name__}", time.monotonic() - started)
    except httpx.HTTPError as exc:
        return Attempt(None, f"{type(exc).__name__}: {exc}"[:500], time.monotonic() - started)
    elapsed = time.monotonic() - started
    if 200 <= response.status_code < 300:
        return Attempt(response.status_code, None, elapsed)
    return Attempt(response.status_code, f"HTTP {response.status_code}", elapsed)
