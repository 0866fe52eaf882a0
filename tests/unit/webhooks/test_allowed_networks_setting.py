"""CUSTOMS_WEBHOOK_ALLOWED_NETWORKS as operators write it: comma-separated in an env file, or a
JSON list; a malformed value is a clear settings error, never silently empty."""

from __future__ import annotations

import pytest
from pydantic_settings import SettingsError

from core.settings import Settings


@pytest.mark.parametrize(
    ("text", "networks"),
    [
        ("10.20.0.0/16, 127.0.0.0/8", ["10.20.0.0/16", "127.0.0.0/8"]),
        ('["127.0.0.0/8"]', ["127.0.0.0/8"]),
        ("", []),
    ],
)
def test_networks_are_read_from_either_form(
    monkeypatch: pytest.MonkeyPatch, text: str, networks: list[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_WEBHOOK_ALLOWED_NETWORKS", text)
    assert Settings().webhook_allowed_networks == networks


def test_a_broken_json_list_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOMS_WEBHOOK_ALLOWED_NETWORKS", '["10.0.0.0/8"')
    with pytest.raises((SettingsError, ValueError)):
        Settings()
