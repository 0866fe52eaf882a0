"""Stateful contract tests: schemathesis follows the document's OpenAPI links (a submission's
202 to the submission and its declaration, the declarations list to one declaration, one
declaration to its history and first message) with real ids from real answers; no answer may
be a 500 or one the document does not allow. Bounded: a few short scenarios."""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from schemathesis.checks import CheckFunction
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.openapi_doc import current
from tests.api.conftest import Auth
from tests.golden_support import SAMPLES

#: As in test_openapi.py: schema-valid strings are not valid EDI, answered 400 by design.
EXCLUDED: list[CheckFunction] = [positive_data_acceptance]
#: The links the document must offer (source operation, status, link name).
EXPECTED_LINKS = {
    ("/v1/submissions", "post", "202", "GetSubmission"),
    ("/v1/submissions", "post", "202", "GetSubmissionRaw"),
    ("/v1/submissions", "post", "202", "GetRegisteredDeclaration"),
    ("/v1/declarations", "get", "200", "GetFirstDeclaration"),
    ("/v1/declarations/{number}", "get", "200", "GetDeclarationHistory"),
    ("/v1/declarations/{number}", "get", "200", "GetFirstVersionMessage"),
}


def _links(document: dict[str, Any]) -> dict[tuple[str, str, str, str], dict[str, Any]]:
    return {
        (path, method, status, name): link
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for status, answer in operation["responses"].items()
        for name, link in answer.get("links", {}).items()
    }


def test_every_link_leads_to_an_operation_of_the_document_with_its_parameters() -> None:
    document = current()
    links = _links(document)
    assert set(links) >= EXPECTED_LINKS
    operations = {
        operation["operationId"]: operation
        for operations in document["paths"].values()
        for operation in operations.values()
    }
    for where, link in links.items():
        target = operations.get(link["operationId"])
        assert target is not None, where
        path_parameters = {p["name"] for p in target["parameters"] if p["in"] == "path"}
        assert path_parameters == set(link["parameters"]), where


def _interchanges() -> itertools.count[int]:
    return itertools.count(1)


def valid_interchange(n: int) -> bytes:
    """Sample 01 (broker BROKER01) under a fresh interchange and declaration reference."""
    raw = (SAMPLES / "01-import-d96b.edi").read_bytes()
    return raw.replace(b"IC0000001", f"ST{n:07d}".encode()).replace(
        b"BRK-2026-0001", f"STF-2026-{n:04d}".encode()
    )


@pytest.mark.db
@pytest.mark.slow
def test_stateful_scenarios_along_the_links_never_break_the_api(
    auth: Auth, client: TestClient
) -> None:
    headers = auth("broker")
    loaded = schemathesis.openapi.from_asgi("/v1/openapi.json", client.app, headers=headers)
    # The submission and declaration operations the links join (the stateless test covers
    # every operation); otherwise most steps go to admin routes a broker is refused.
    schema = loaded.include(path_regex=r"^/v1/(submissions|declarations)")
    # Valid requests only: the stateless test (test_openapi.py) covers invalid input; here
    # the point is what a real client's sequence of calls meets.
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    numbers = _interchanges()
    calls: list[tuple[str, int]] = []
    failures: list[str] = []

    class Scenarios(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: schemathesis.Case[Any]) -> None:
            # Half the submissions are a valid interchange (a 202 whose links are followed),
            # half what schemathesis generated (refusals: 400, 415, 422).
            if case.operation.method.upper() == "POST" and case.operation.path == (
                "/v1/submissions"
            ):
                n = next(numbers)
                if n % 2:
                    case.body = valid_interchange(n)
                    case.media_type = "application/octet-stream"  # detected

        def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
            return {"headers": headers}

        def after_call(self, response: Any, case: schemathesis.Case[Any]) -> None:
            super().after_call(response, case)
            calls.append(
                (f"{case.operation.method.upper()} {case.operation.path}", response.status_code)
            )

        def validate_response(
            self,
            response: Any,
            case: schemathesis.Case[Any],
            additional_checks: list[CheckFunction] | None = None,
            **kwargs: Any,
        ) -> None:
            # Collected, not raised: a failing check must not send Hypothesis replaying
            # scenarios against a store that has moved on (see below).
            try:
                case.validate_response(response, excluded_checks=EXCLUDED)
            except Exception as exc:
                failures.append(f"{case.operation.label}: {exc}")

    # The scenarios' choices depend on the store's answers (which links have data), which
    # Hypothesis may take for flaky generation and stop a run early; schemathesis' own engine
    # restarts then, and so do we, a bounded number of times.
    for _ in range(RUNS):
        with contextlib.suppress(Flaky):
            Scenarios.run(settings=SCENARIOS)
        if len(calls) >= MIN_CALLS and FOLLOWED in calls:
            break
    assert not failures, "\n\n".join(failures[:10])
    assert all(status < 500 for _, status in calls)
    # The links were really followed: a declaration read with a number from an answer.
    assert ("POST /v1/submissions", 202) in calls
    assert FOLLOWED in calls


SCENARIOS = settings(
    max_examples=10,
    stateful_step_count=5,
    deadline=None,
    database=None,
    # No replay or shrinking: the store keeps what earlier scenarios registered, so a replay
    # would meet other answers.
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
#: At most this many runs of the scenarios, until :data:`MIN_CALLS` calls were made.
RUNS = 5
MIN_CALLS = 30
#: A declaration read with a number taken from an earlier answer (a followed link).
FOLLOWED = ("GET /v1/declarations/{number}", 200)
