"""The console's signed session cookie: round trip, tampering, expiry; safe redirects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.console.pages import safe_next
from api.console.session import LIFETIME, Session, SessionCodec

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def signed_in() -> Session:
    return Session.anonymous("zh", NOW).signed_in(subject="trader-1", role="trader", name="Ocean")


def test_a_session_reads_back_as_it_was_signed() -> None:
    codec = SessionCodec(b"secret")
    session = signed_in()
    assert codec.decode(codec.encode(session), NOW) == session


def test_a_flashed_message_reads_back_and_can_be_cleared() -> None:
    codec = SessionCodec(b"secret")
    flashed = signed_in().with_flash(("problem", "Not done", "held by li.officer"))
    back = codec.decode(codec.encode(flashed), NOW)
    assert back is not None
    assert back.flash == ("problem", "Not done", "held by li.officer")
    assert back.with_flash(None).flash is None


def test_signing_in_gives_a_new_csrf_token() -> None:
    anonymous = Session.anonymous("en", NOW)
    assert anonymous.signed_in(subject="x", role="trader").csrf != anonymous.csrf


@pytest.mark.parametrize(
    "forge",
    [
        lambda v: v.replace(v.split(".")[0], v.split(".")[0][:-2] + "AA"),  # payload changed
        lambda v: v.split(".")[0] + ".AAAA",  # signature replaced
        lambda v: v.split(".")[0],  # no signature
        lambda v: "not base64!.x",
        lambda v: "",
    ],
)
def test_a_changed_or_malformed_cookie_is_no_session(forge: object) -> None:
    codec = SessionCodec(b"secret")
    value = codec.encode(signed_in())
    assert callable(forge)
    assert codec.decode(forge(value), NOW) is None


def test_another_installations_cookie_is_no_session() -> None:
    value = SessionCodec(b"one").encode(signed_in())
    assert SessionCodec(b"two").decode(value, NOW) is None


def test_an_expired_session_is_no_session() -> None:
    codec = SessionCodec(b"secret")
    value = codec.encode(signed_in())
    assert codec.decode(value, NOW + LIFETIME - timedelta(seconds=1)) is not None
    assert codec.decode(value, NOW + LIFETIME) is None


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/console/portal", "/console/portal"),
        ("/console/declarations/1?x=1", "/console/declarations/1?x=1"),
        ("https://evil.example/console/", "/console/"),
        ("//evil.example/console/", "/console/"),
        ("/console/\\evil", "/console/"),
        ("/v1/declarations", "/console/"),
        (None, "/console/"),
    ],
)
def test_only_console_pages_are_followed_after_sign_in(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected
