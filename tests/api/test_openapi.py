"""The committed OpenAPI document is the one the routes make; the API survives generated input.

schemathesis generates requests from the document (bounded: a few examples per operation)
and sends them through the ASGI app with a real API key; no answer may be a 500, and each
answer must be one the document allows.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CheckFunction
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.openapi_doc import COMMITTED, current, render
from clearance.app import Application
from tests.api.conftest import Auth
from tests.golden_support import SAMPLES

#: Generated requests per operation (a bounded run; CI time is shared).
EXAMPLES = 10
#: An interchange's schema is "a string": no schema can say which strings are valid EDIFACT,
#: so schema-valid bodies are answered 400 with the sender's acknowledgement by design.
EXCLUDED: list[CheckFunction] = [positive_data_acceptance]


def test_the_committed_openapi_document_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(current()), (
        "docs/openapi.json is stale: run `python3 dev.py openapi` and commit it"
    )


def test_every_operation_answers_problems_and_documents_its_security() -> None:
    document = current()
    assert document["paths"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path in ("/healthz", "/readyz"):
                continue
            assert operation.get("security") == [{"HTTPBearer": []}], (method, path)


@pytest.mark.db
@pytest.mark.slow
def test_generated_requests_never_break_the_api(
    auth: Auth, application: Application, client: TestClient
) -> None:
    raw = (SAMPLES / "01-import-d96b.edi").read_bytes()
    headers = {**auth("broker"), "Content-Type": "application/EDIFACT"}
    assert client.post("/v1/submissions", content=raw, headers=headers).status_code == 202
    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", client.app, headers=auth("broker"))
    failures: list[str] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        label = operation.label

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case[Any]) -> None:
            try:
                case.call_and_validate(headers=auth("broker"), excluded_checks=EXCLUDED)
            except Exception as exc:  # collect, so one run names every failing operation
                failures.append(f"{label}: {exc}")  # noqa: B023 - called at once
                raise

        with contextlib.suppress(Exception):  # recorded in failures above
            call()
    assert not failures, "\n\n".join(failures[:10])


def test_a_value_the_store_cannot_hold_is_refused_not_a_fault(
    auth: Auth, client: TestClient
) -> None:
    # schemathesis found it: a NUL character in a query parameter reached PostgreSQL, which
    # refuses NUL in text, and the API answered 500. It is the caller's input: a 4xx problem.
    answer = client.get(
        "/v1/tariff/0304620000",
        params={"origin": "VN", "date": "2026-11-28", "version": "v\x00x"},
        headers=auth("admin"),
    )
    assert 400 <= answer.status_code < 500
    assert answer.headers["content-type"] == "application/problem+json"
