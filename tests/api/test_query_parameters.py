"""Query parameters over HTTP: a value given twice, one no declaration can have, or a parameter
the operation does not take, is a 422 problem+json naming the parameter, never a 500, never an
answer for one of the values only, and never a whole list for a misspelt filter; a route that
takes a list of a parameter (the officers' queue) still takes it repeated."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Auth, flagged_declaration

pytestmark = pytest.mark.db


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("status=released&status=documents_required", "query.status"),
        ("lane=green&lane=yellow", "query.lane"),
        ("limit=1&limit=50", "query.limit"),
        ("office=2201&trader=BROKER01&office=5300", "query.office"),
        ("status=bogus", "query.status"),
        ("lane=purple", "query.lane"),
        ("direction=sideways", "query.direction"),
        ("office=22%0001", "query.office"),
        ("office=" + "9" * 40, "query.office"),
        ("trader=a%00b", "query.trader"),
    ],
)
def test_a_repeated_or_impossible_filter_is_refused(
    auth: Auth, client: TestClient, query: str, location: str
) -> None:
    flagged_declaration(auth, client)
    answer = client.get(f"/v1/declarations?{query}", headers=auth("broker"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "invalid_request"
    assert location in [e["location"] for e in problem["errors"]]


def test_repeated_parameters_elsewhere_are_refused_too(auth: Auth, client: TestClient) -> None:
    answer = client.get("/v1/events?after=0&after=5", headers=auth("broker"))
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"location": "query.after", "message": "given more than once; give it once"}
    ]


def test_a_list_parameter_may_be_repeated_and_filters_still_work(
    auth: Auth, client: TestClient
) -> None:
    number = flagged_declaration(auth, client)
    queue = client.get(
        "/v1/officer/queue?lane=yellow&lane=red&office=2201&office=5300",
        headers=auth("officer2201"),
    )
    assert queue.status_code == 200, queue.text
    assert [e["number"] for e in queue.json()["entries"]] == [number]
    found = client.get(
        "/v1/declarations?status=documents_required&lane=yellow&direction=import&office=2201",
        headers=auth("broker"),
    )
    assert [d["number"] for d in found.json()["declarations"]] == [number]


def test_a_misspelt_filter_is_refused_instead_of_answering_the_whole_list(
    auth: Auth, client: TestClient
) -> None:
    flagged_declaration(auth, client)
    answer = client.get("/v1/declarations?statuss=released", headers=auth("broker"))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    (error,) = answer.json()["errors"]
    assert error["location"] == "query.statuss"
    assert error["message"].startswith("not a parameter of this operation")
    assert error["message"].endswith("did you mean status?")


def test_unknown_parameters_are_named_once_each_beside_repeated_ones(
    auth: Auth, client: TestClient
) -> None:
    answer = client.get("/v1/events?after=0&after=5&limt=3&limt=4&x=1", headers=auth("broker"))
    assert answer.status_code == 422
    locations = [e["location"] for e in answer.json()["errors"]]
    assert locations == ["query.after", "query.limt", "query.x"]


def test_an_operation_without_query_parameters_refuses_any(auth: Auth, client: TestClient) -> None:
    number = flagged_declaration(auth, client)
    answer = client.get(
        f"/v1/declarations/{number}/versions/1/message?verbose=1", headers=auth("broker")
    )
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error == {
        "location": "query.verbose",
        "message": "not a parameter: this operation takes no query parameters",
    }
