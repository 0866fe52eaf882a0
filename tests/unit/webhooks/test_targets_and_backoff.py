"""Which webhook targets are refused (SSRF), and the retry schedule of about three days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clearance.webhooks import backoff
from clearance.webhooks.targets import TargetPolicy, TargetRefusedError, resolve_target

STRICT = TargetPolicy.of([], allow_http=False)


def resolver(*addresses: str):  # type: ignore[no-untyped-def]
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://172.16.5.5/hook",
        "https://100.64.0.1/hook",  # carrier-grade NAT
        "https://0.0.0.0/hook",
        "https://[::ffff:127.0.0.1]/hook",  # loopback dressed as IPv6
        "https://[fe80::1]/hook",
        "https://[fd00::1]/hook",
        "https://224.0.0.1/hook",
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(url: str) -> None:
    with pytest.raises(TargetRefusedError, match="private, loopback"):
        resolve_target(url, STRICT)


def test_a_name_is_refused_when_any_of_its_addresses_is_private() -> None:
    with pytest.raises(TargetRefusedError, match="resolves to a private") as e:
        resolve_target("https://hooks.example.com/x", STRICT, resolver("93.184.215.14", "10.0.0.5"))
    assert "10.0.0.5" not in str(e.value)  # the internal address is not told to the tenant
    target = resolve_target("https://hooks.example.com/x", STRICT, resolver("93.184.215.14"))
    assert (target.host, target.port, target.address) == ("hooks.example.com", 443, "93.184.215.14")


def test_a_name_that_does_not_resolve_is_refused() -> None:
    def fails(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(TargetRefusedError, match="does not resolve"):
        resolve_target("https://nowhere.invalid/x", STRICT, fails)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://93.184.215.14/hook", "must be https"),
        ("ftp://93.184.215.14/hook", "must be https"),
        ("file:///etc/passwd", "must be https"),
        ("https://user:pw@93.184.215.14/hook", "no user name"),
        ("https:///hook", "needs a host"),
        ("https://93.184.215.14/hook#x", "fragment"),
        ("https://93.184.215.14:99999/hook", "port"),
    ],
)
def test_the_form_of_a_url_is_checked(url: str, why: str) -> None:
    with pytest.raises(TargetRefusedError, match=why):
        resolve_target(url, STRICT)


def test_loopback_and_http_only_when_the_settings_allow_them() -> None:
    policy = TargetPolicy.of(["127.0.0.0/8"], allow_http=True)
    target = resolve_target("http://127.0.0.1:8080/hook", policy)
    assert (target.scheme, target.port, target.address) == ("http", 8080, "127.0.0.1")
    with pytest.raises(TargetRefusedError):
        resolve_target("http://10.0.0.1/hook", policy)  # only the networks listed
    with pytest.raises(TargetRefusedError, match="ALLOWED_NETWORKS"):
        TargetPolicy.of(["not-a-network"], allow_http=False)


def test_the_retry_schedule_spans_about_three_days_and_then_stops() -> None:
    assert backoff.retry_after(1) == timedelta(seconds=5)
    assert backoff.retry_after(2) == timedelta(minutes=5)
    waits = [backoff.retry_after(n) for n in range(1, backoff.MAX_ATTEMPTS)]
    assert all(w is not None for w in waits)
    assert waits == sorted(waits, key=lambda w: w or timedelta())  # never shorter again
    assert timedelta(hours=70) <= backoff.total_span() <= timedelta(hours=74)
    assert backoff.retry_after(backoff.MAX_ATTEMPTS) is None
    with pytest.raises(ValueError, match="at least one"):
        backoff.retry_after(0)
