"""The customs-offices registry over HTTP (issue 12): loaded by the admin or the operator, read
by any authenticated subject; an unknown code is a 404 problem, no key is 401."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    Application,
    Document,
    NotPermittedError,
    Role,
    offices,
)
from clearance.app.access import ROLE_PERMISSIONS, Permission
from clearance.app.errors import RefusedError
from tests.api.conftest import Auth

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples" / "offices" / "offices.jsonl"


def _load(app: Application, *lines: str, name: str = "offices.jsonl") -> offices.OfficesLoaded:
    document = Document(name, ("\n".join(lines) + "\n").encode())
    return offices.load(app, LOCAL_OPERATOR, [document])


def test_the_sample_offices_are_listed_and_shown_to_any_subject(
    application: Application, auth: Auth, client: TestClient
) -> None:
    # The engine fixture loaded the sample already (tests/offices_support.py): unchanged.
    loaded = offices.load(application, LOCAL_OPERATOR, [Document.read(SAMPLE)])
    assert (loaded.offices, loaded.unchanged) == (11, 11)
    for who in ("broker", "officer2201", "agency", "carrier", "admin"):
        listing = client.get("/v1/offices", headers=auth(who))
        assert listing.status_code == 200, (who, listing.text)
        codes = [office["code"] for office in listing.json()]
        assert codes == sorted(codes)
        assert {"2201", "5316", "0201", "4701", "2305", "GB000051"} <= set(codes)
    shown = client.get("/v1/offices/GB000051", headers=auth("broker"))
    assert shown.status_code == 200, shown.text
    assert shown.json() == {
        "code": "GB000051",
        "name": "Customs office GB000051",
        "name_zh": None,
        "country": "GB",
        "valid_from": "2000-01-01",
        "valid_to": None,
    }


def test_an_unknown_office_is_a_404_problem(
    application: Application, auth: Auth, client: TestClient
) -> None:
    offices.load(application, LOCAL_OPERATOR, [Document.read(SAMPLE)])
    answer = client.get("/v1/offices/9999", headers=auth("broker"))
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "not_found"


def test_the_offices_need_a_key(client: TestClient) -> None:
    for path in ("/v1/offices", "/v1/offices/2201"):
        answer = client.get(path)
        assert answer.status_code == 401
        assert answer.json()["code"] == "not_authenticated"


def test_a_bad_line_is_refused_by_file_and_line_and_nothing_is_written(
    application: Application, auth: Auth, client: TestClient
) -> None:
    before = client.get("/v1/offices", headers=auth("broker")).json()
    good = '{"code": "2201", "name": "A", "country": "CN", "valid_from": "2020-01-01"}'
    bad_country = '{"code": "4701", "name": "B", "country": "ZZ", "valid_from": "2020-01-01"}'
    with pytest.raises(RefusedError) as refused:
        _load(application, good, "", bad_country, name="bad.jsonl")
    assert refused.value.message.startswith("bad.jsonl:3: country: ")
    assert "ZZ" in refused.value.message
    assert client.get("/v1/offices", headers=auth("broker")).json() == before
    for line, problem in [
        ("not json", "bad.jsonl:1: not a JSON object"),
        ('{"code": "22-01", "name": "A", "country": "CN", "valid_from": "2020-01-01"}', "code"),
        ('{"code": "2201", "name": "A", "country": "CN"}', "valid_from"),
        ('{"code": "2201", "name": "A", "country": "CN", "valid_from": "2020-01-01", "x": 1}', "x"),
        (
            '{"code": "2201", "name": "A", "country": "CN", "valid_from": "2020-01-01",'
            ' "valid_to": "2019-01-01"}',
            "valid_to 2019-01-01 is before valid_from",
        ),
    ]:
        with pytest.raises(RefusedError) as refused:
            _load(application, line, name="bad.jsonl")
        assert refused.value.message.startswith("bad.jsonl:1: "), refused.value.message
        assert problem in refused.value.message, refused.value.message
    with pytest.raises(RefusedError, match=r"bad.jsonl:2: office 2201 is already at bad.jsonl:1"):
        _load(application, good, good, name="bad.jsonl")
    assert client.get("/v1/offices", headers=auth("broker")).json() == before


def test_a_reload_replaces_by_code_and_the_same_file_changes_nothing(
    application: Application, auth: Auth, client: TestClient
) -> None:
    first = offices.load(application, LOCAL_OPERATOR, [Document.read(SAMPLE)])
    held = len(client.get("/v1/offices", headers=auth("broker")).json())
    again = offices.load(application, LOCAL_OPERATOR, [Document.read(SAMPLE)])
    assert (again.added, again.changed, again.unchanged) == (0, 0, first.offices)
    renamed = _load(
        application,
        '{"code": "2201", "name": "Renamed", "name_zh": "海关", "country": "CN",'
        ' "valid_from": "2021-01-01", "valid_to": "2030-12-31"}',
    )
    assert (renamed.added, renamed.changed) == (0, 1)
    shown = client.get("/v1/offices/2201", headers=auth("broker")).json()
    assert (shown["name"], shown["name_zh"], shown["valid_from"], shown["valid_to"]) == (
        "Renamed",
        "海关",
        "2021-01-01",
        "2030-12-31",
    )
    # Offices the reloaded file does not name are kept.
    assert len(client.get("/v1/offices", headers=auth("broker")).json()) == held


def test_only_the_admin_and_the_operator_load_offices(application: Application) -> None:
    document = Document.read(SAMPLE)
    assert offices.load(application, Actor("admin-01", Role.ADMIN), [document]).offices == 11
    for role in (Role.AGENCY, Role.BROKER, Role.TRADER, Role.OFFICER, Role.SUPERVISOR):
        with pytest.raises(NotPermittedError):
            offices.load(application, Actor("someone", role), [document])


def test_listing_the_offices_goes_through_the_permission_check(application: Application) -> None:
    # Every role reads the registry; a role without the ``reference`` permission would not.
    for role in Role:
        assert offices.list_offices(application, Actor("someone", role))
        assert offices.show_office(application, Actor("someone", role), "2201").code == "2201"
    without = dict(ROLE_PERMISSIONS)
    without[Role.BROKER] = ROLE_PERMISSIONS[Role.BROKER] - {Permission.REFERENCE}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("clearance.app.access.ROLE_PERMISSIONS", without)
        with pytest.raises(NotPermittedError):
            offices.list_offices(application, Actor("someone", Role.BROKER))


NEW_OFFICES = (
    '{"code": "9901", "name": "New office", "country": "CN", "valid_from": "2026-01-01"}\n'
    '{"code": "2201", "name": "Renamed 2201", "country": "CN", "valid_from": "2000-01-01"}\n'
)


def test_the_admin_loads_offices_over_http_as_the_cli_does(auth: Auth, client: TestClient) -> None:
    answer = client.post(
        "/v1/offices",
        content=NEW_OFFICES.encode(),
        headers={**auth("admin"), "Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"offices": 2, "added": 1, "changed": 1, "unchanged": 0}
    shown = client.get("/v1/offices/9901", headers=auth("broker"))
    assert shown.status_code == 200 and shown.json()["valid_from"] == "2026-01-01"
    assert client.get("/v1/offices/2201", headers=auth("broker")).json()["name"] == "Renamed 2201"
    again = client.post("/v1/offices", content=NEW_OFFICES.encode(), headers=auth("admin"))
    assert again.json() == {"offices": 2, "added": 0, "changed": 0, "unchanged": 2}


def test_a_bad_body_is_a_422_problem_by_line_and_nothing_is_loaded(
    auth: Auth, client: TestClient
) -> None:
    before = client.get("/v1/offices", headers=auth("broker")).json()
    body = (
        NEW_OFFICES + '{"code": "4701", "name": "B", "country": "ZZ", "valid_from": "2020-01-01"}\n'
    )
    answer = client.post(
        "/v1/offices?filename=upload.jsonl", content=body.encode(), headers=auth("admin")
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["detail"].startswith("upload.jsonl:3: country: "), answer.json()
    unnamed = client.post("/v1/offices", content=b"not json\n", headers=auth("admin"))
    assert unnamed.status_code == 422
    assert unnamed.json()["detail"].startswith("offices.jsonl:1: not a JSON object")
    assert client.get("/v1/offices", headers=auth("broker")).json() == before


def test_only_the_admin_loads_offices_over_http(auth: Auth, client: TestClient) -> None:
    before = client.get("/v1/offices", headers=auth("broker")).json()
    for who in ("broker", "officer2201", "agency", "carrier"):
        answer = client.post("/v1/offices", content=NEW_OFFICES.encode(), headers=auth(who))
        assert answer.status_code == 403, (who, answer.text)
        assert answer.json()["code"] == "not_permitted"
    anonymous = client.post("/v1/offices", content=NEW_OFFICES.encode())
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    assert client.get("/v1/offices", headers=auth("broker")).json() == before
