"""``customs webhooks`` end to end: register as a subject, deliver to a local receiver, look."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from clearance.cli import main
from clearance.webhooks import sealing
from tests.golden_support import SAMPLES
from tests.operations.webhook_support import receiver

pytestmark = pytest.mark.db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_add_deliver_and_look_at_the_deliveries(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMS_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    status, _, err = run(capsys, "webhooks", "add", "http://127.0.0.1:9/x")
    assert status == 1 and "CUSTOMS_WEBHOOK_SECRET_KEY" in err  # refused clearly

    monkeypatch.setenv("CUSTOMS_WEBHOOK_SECRET_KEY", sealing.new_key_setting())
    monkeypatch.setenv("CUSTOMS_WEBHOOK_ALLOW_HTTP", "true")
    status, _, err = run(capsys, "webhooks", "add", "http://127.0.0.1:9/x")
    assert status == 1 and "loopback" in err  # not allowed until the network is

    monkeypatch.setenv("CUSTOMS_WEBHOOK_ALLOWED_NETWORKS", '["127.0.0.0/8"]')
    status, _, _ = run(
        capsys, "subjects", "add", "brk", "--name", "Broker", "--role", "broker",
        "--party", "edi:BROKER01",
    )  # fmt: skip
    assert status == 0
    with receiver() as hook:
        status, out, _ = run(
            capsys, "webhooks", "add", hook.url, "--as", "brk", "--event", "received", "--json"
        )
        assert status == 0
        created = json.loads(out)
        endpoint_id = created["endpoint"]["id"]
        assert created["secret"].startswith("whsec_")
        assert created["endpoint"]["owner"] == "brk"

        status, _, _ = run(capsys, "submit", "--as", "brk", str(SAMPLES / "01-import-d96b.edi"))
        assert status == 0
        status, out, _ = run(capsys, "webhooks", "deliver", "--json")
        assert status == 0 and json.loads(out)["delivered"] == 1
    assert len(hook.received) == 1

    status, out, _ = run(capsys, "webhooks", "list", "--as", "brk")
    assert endpoint_id in out and created["secret"] not in out
    status, out, _ = run(capsys, "webhooks", "deliveries", endpoint_id, "--as", "brk", "--json")
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("delivered", 1, 204)
    status, _, err = run(capsys, "webhooks", "show", "ep_unknown")
    assert status == 1 and "no webhook endpoint" in err
    status, out, _ = run(capsys, "webhooks", "remove", endpoint_id)
    assert status == 0 and "removed" in out
