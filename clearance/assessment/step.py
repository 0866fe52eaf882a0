"""The tariff assessment step: every registered declaration is assessed on its acceptance date.

The result is stored per declaration version, item and line, put on the outcome (customs value
and duty lines per item, answered in CUSRES TAX/MOA), and what could not be assessed becomes a
finding for the decision. Items assessed at an in-quota rate draw on the tariff-quota ledgers
first come, first served (:mod:`clearance.ledgers.quotas`): when the balance cannot cover them,
the declaration is assessed again with the quota exhausted (out-of-quota rate, QUO-001).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from clearance.assessment import certificates, tariff_store
from clearance.assessment.adapter import NotAssessableError, assessment_request
from clearance.flow.outcome import DeclarationOutcome
from clearance.ledgers import quotas
from clearance.lifecycle.regime_choice import regime_of, tax_point
from clearance.lifecycle.registration import Registered
from clearance.store.bulk import insert_rows, insert_rows_returning_ids
from clearance.store.deferred import defer
from clearance.store.tariff_tables import AssessmentLine, DeclarationAssessmentRow
from core.clock import Clock
from edi.model import DeclarationFunction
from rules.findings import Finding, Severity
from rules.registry import Registries
from tariffs import AssessmentRequest, DeclarationAssessment, TariffError, assess_declaration

#: How the step finds the registry snapshot in force (injected: the registries live above).
RegistryLookup = Callable[[Session], tuple[int | None, Registries]]


class TariffAssessment:
    """A :class:`~clearance.flow.steps.DeclarationStep` that assesses duties and taxes."""

    def __init__(
        self, clock: Clock, regime: str | None = None, registries: RegistryLookup | None = None
    ) -> None:
        self._clock = clock
        self._regime = regime
        self._registries = registries

    def __call__(
        self, session: Session, registered: Registered, outcome: DeclarationOutcome
    ) -> None:
        """Assess ``registered`` and record the result (cancellations are not assessed)."""
        if registered.function is DeclarationFunction.CANCELLATION:
            return
        declaration = registered.declaration
        regime = regime_of(declaration, registered.office, self._regime)
        schedule = tariff_store.latest_in_unit(session, regime.id)
        if schedule is None:
            outcome.findings.append(
                _finding(
                    "TAR-002",
                    f"no tariff schedule of regime {regime.id} is loaded",
                    f"未加载{regime.id}税则",
                    {"regime": regime.id},
                )
            )
            return
        try:
            as_of = tax_point(regime, declaration, registered.accepted_on)
            request = assessment_request(declaration, as_of)
            request, refused = self._claimed(session, registered, request)
            assessment = assess_declaration(request, schedule, regime)
            now = self._clock.now()
            args = (registered.number, request, assessment, schedule, regime, now)
            quota = quotas.draw_on_quotas(session, *args)
            if quota.exhausted:  # first come, first served: outside the quota from here
                request = request.model_copy(update={"exhausted_quotas": quota.exhausted})
                assessment = assess_declaration(request, schedule, regime)
        except (NotAssessableError, ValidationError, TariffError) as exc:
            outcome.findings.append(
                _finding(
                    "TAR-001",
                    f"the declaration cannot be assessed: {_first_line(exc)}",
                    "申报无法计税",
                    {"reason": _first_line(exc)},
                )
            )
            return
        quotas.remember(session, registered.number, quota.draws)
        outcome.findings.extend(quota.findings)
        outcome.findings.extend(certificates.findings(refused, assessment))
        self._store(session, registered, assessment)
        _fill(outcome, assessment)

    def _claimed(
        self, session: Session, registered: Registered, request: AssessmentRequest
    ) -> tuple[AssessmentRequest, dict[int, certificates.Refusal]]:
        """``request`` on the certificate controls' claims, without the certificates that
        cannot prove origin, and those refusals (unchanged without registries or documents)."""
        if self._registries is None or not certificates.cites_documents(registered.declaration):
            return request, {}
        load_id, registries = self._registries(session)
        if load_id is None:
            return request, {}
        declaration, number = registered.declaration, registered.number
        return certificates.claimed(request, declaration, number, request.as_of, registries)

    def _store(
        self, session: Session, registered: Registered, assessment: DeclarationAssessment
    ) -> None:
        # Nothing reads the assessment rows back while the interchange is processed (the
        # rebate lookup writes the queue first): they are inserted together at the end.
        row = {
            "declaration_id": registered.id,
            "declaration_version": registered.version,
            "schedule_version_id": assessment.schedule_version,
            "regime": assessment.regime,
            "as_of": assessment.as_of,
            "currency": assessment.currency,
            "total_assessed": assessment.total_assessed,
            "total_payable": assessment.total_payable,
            "complete": assessment.complete,
            "result": assessment.model_dump_json(),
            "created_at": self._clock.now(),
        }
        lines = [
            {
                "item_sequence": item.sequence,
                "tax": tax,
                "measure_type": measure_type,
                "measure_id": measure_id,
                "expression": expression[:256],
                "base": base,
                "amount": amount,
                "currency": currency,
            }
            for item in assessment.items
            # unpacked: a TaxLine's fields in order, cheaper than eight attribute reads
            for tax, measure_type, measure_id, expression, base, amount, currency, _ in item.lines
        ]
        defer(session, _write_assessments, (row, lines))


def _write_assessments(
    session: Session, queued: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> None:
    """One INSERT … RETURNING for the assessment rows, one INSERT for all their lines."""
    ids = insert_rows_returning_ids(session, DeclarationAssessmentRow, [row for row, _ in queued])
    lines = [
        {"assessment_id": row_id, **line}
        for row_id, (_, row_lines) in zip(ids, queued, strict=True)
        for line in row_lines
    ]
    if lines:
        insert_rows(session, AssessmentLine, lines)


def _fill(outcome: DeclarationOutcome, assessment: DeclarationAssessment) -> None:
    outcome.assessment = assessment
    by_sequence = {item.sequence: item for item in assessment.items}
    for n, item in enumerate(outcome.items):
        assessed = by_sequence.get(item.sequence)
        if assessed is None:
            continue
        value = assessed.value
        outcome.items[n] = item.with_assessment(
            None if value is None else str(value.customs_value),
            assessed.lines,
        )
        if assessed.status != "assessed":
            problems = "; ".join(assessed.problems) or "not assessable"
            outcome.findings.append(
                _finding(
                    "TAR-001",
                    f"goods item {item.sequence} cannot be assessed: {problems}",
                    f"第{item.sequence}项无法计税",
                    {"code": assessed.code, "problems": problems},
                    item.sequence,
                )
            )


def _finding(
    rule_id: str, en: str, zh: str, evidence: dict[str, Any], item: int | None = None
) -> Finding:
    return Finding(
        rule_id, 1, Severity.DOCUMENTS, zh, en, {k: str(v) for k, v in evidence.items()}, item
    )


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
