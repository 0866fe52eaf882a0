"""Signatures as Standard Webhooks receivers check them; secrets sealed at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from clearance.webhooks import sealing, signing
from core.errors import ConfigurationError


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """A receiver's check, written from the convention's text, not from our code."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1) for s in headers["webhook-signature"].split()]
    return any(version == "v1" and hmac.compare_digest(sig, expected) for version, sig in offered)


def test_the_conventions_published_example_signs_as_published() -> None:
    # The example of the Standard Webhooks libraries' tests (secret, id, timestamp, body).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    made = signing.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert made == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_headers_verify_independently_and_fail_when_anything_changes() -> None:
    secret = signing.new_secret()
    body = b'{"type":"registered","data":{"id":7}}'
    headers = signing.headers(secret, "evt_7", 1_764_000_000, body)
    assert headers["content-type"] == "application/json"
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body + b" ")
    assert not verify(secret, {**headers, "webhook-timestamp": "1764000001"}, body)
    assert not verify(secret, {**headers, "webhook-id": "evt_8"}, body)
    assert not verify(signing.new_secret(), headers, body)


def test_a_new_secret_is_whsec_and_32_random_bytes() -> None:
    one, two = signing.new_secret(), signing.new_secret()
    assert one.startswith("whsec_") and one != two
    assert len(signing.secret_bytes(one)) == 32
    with pytest.raises(signing.BadSecretError):
        signing.secret_bytes("not-a-secret")
    with pytest.raises(signing.BadSecretError):
        signing.secret_bytes("whsec_***")


def test_a_sealed_secret_opens_only_with_its_key_and_for_its_endpoint() -> None:
    box = sealing.SecretBox.from_setting(sealing.new_key_setting())
    sealed = box.seal("whsec_abc", "ep_1")
    assert "whsec_abc" not in sealed and sealed.startswith("v1:")
    assert box.open(sealed, "ep_1") == "whsec_abc"
    assert box.seal("whsec_abc", "ep_1") != sealed  # a fresh nonce each time
    with pytest.raises(sealing.UnsealError):
        box.open(sealed, "ep_2")  # copied onto another endpoint's row
    other = sealing.SecretBox.from_setting(sealing.new_key_setting())
    with pytest.raises(sealing.UnsealError):
        other.open(sealed, "ep_1")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(sealing.UnsealError):
        box.open(tampered, "ep_1")


def test_a_key_setting_that_is_not_32_bytes_of_base64_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        sealing.SecretBox.from_setting(base64.b64encode(b"short").decode())
    with pytest.raises(ConfigurationError):
        sealing.SecretBox.from_setting("not base64 !")
