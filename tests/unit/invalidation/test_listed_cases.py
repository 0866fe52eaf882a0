"""The listed cases of invalidation after release: the policy file and the pure judgement."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from clearance.lifecycle.invalidation import (
    Applies,
    Facts,
    NotListed,
    judge,
    listed_cases,
    load_policy,
)
from clearance.lifecycle.invalidation.policy import ListedCase
from clearance.lifecycle.regime_choice import regime_of
from edi.model import Direction
from tariffs.regimes import BUILTIN_REGIMES
from tests.unit.rules.builders import declaration

RELEASED = date(2026, 6, 15)
NUMBER = "531620260000000001"


def _export(released_on: date | None = RELEASED, exit_on: date | None = None) -> Facts:
    return Facts("export", released_on, exit_on is not None, exit_on)


def test_every_built_in_regime_lists_its_cases_with_a_basis_to_verify() -> None:
    policy = load_policy()
    assert set(policy.regimes) == set(BUILTIN_REGIMES)
    for regime, cases in policy.regimes.items():
        assert cases, regime
        assert len({c.id for c in cases}) == len(cases), regime
        for case in cases:
            assert case.legal_basis.endswith("(verify)"), (regime, case.id)
            assert case.label_zh and case.label_en, (regime, case.id)


def test_the_conditions_read_as_the_refusals_name_them() -> None:
    (cn,) = listed_cases("cn")
    (eu,) = listed_cases("eu")
    assert cn.summary() == "export whose exit is not confirmed"
    assert eu.summary() == "export whose exit is not confirmed, within 150 days of release"
    assert listed_cases("xx") == ()


def test_a_condition_the_code_cannot_check_is_refused_when_read() -> None:
    data = {
        "id": "X",
        "label_en": "x",
        "label_zh": "x",
        "legal_basis": "x (verify)",
        "conditions": {"direction": "export", "goods_destroyed": True},
    }
    with pytest.raises(ValidationError, match="goods_destroyed"):
        ListedCase.model_validate(data)


def test_an_export_not_exited_is_a_listed_case_whatever_the_delay_in_china() -> None:
    verdict = judge("cn", listed_cases("cn"), _export(), date(2036, 6, 15))
    assert isinstance(verdict, Applies)
    assert (verdict.case.id, verdict.days_since_release) == ("EXPORT_NOT_EXITED", 3653)


@pytest.mark.parametrize(
    ("today", "applies"), [(date(2026, 11, 12), True), (date(2026, 11, 13), False)]
)
def test_the_eu_limit_counts_150_calendar_days_from_the_day_of_release(
    today: date, applies: bool
) -> None:
    verdict = judge("eu", listed_cases("eu"), _export(), today)
    assert isinstance(verdict, Applies) is applies


def test_a_refusal_names_every_failed_condition_of_every_case() -> None:
    facts = Facts("import", RELEASED, True, date(2026, 11, 20))
    verdict = judge("eu", listed_cases("eu"), facts, date(2027, 1, 1))
    assert isinstance(verdict, NotListed)
    assert verdict.reason(NUMBER) == (
        f"declaration {NUMBER} is released; invalidation after release only in listed cases: "
        "EXPORT_NOT_EXITED (export whose exit is not confirmed, within 150 days of release): "
        "the declaration is an import, exit was confirmed on 2026-11-20, "
        "released on 2026-06-15, 200 days ago (limit 150)"
    )


def test_without_a_recorded_release_time_a_day_limit_is_not_met() -> None:
    verdict = judge("eu", listed_cases("eu"), _export(released_on=None), RELEASED)
    assert isinstance(verdict, NotListed)
    assert verdict.reason(NUMBER).endswith("its release time is not recorded")
    assert isinstance(judge("cn", listed_cases("cn"), _export(released_on=None), RELEASED), Applies)


def test_an_undated_exit_confirmation_still_counts() -> None:
    facts = Facts("export", RELEASED, exit_confirmed=True)
    verdict = judge("cn", listed_cases("cn"), facts, RELEASED)
    assert isinstance(verdict, NotListed)
    assert verdict.reason(NUMBER).endswith(": exit was confirmed")


def test_a_regime_without_listed_cases_refuses_every_invalidation_after_release() -> None:
    verdict = judge("xx", (), _export(), RELEASED)
    assert isinstance(verdict, NotListed)
    assert verdict.reason(NUMBER) == (
        f"declaration {NUMBER} is already released; regime xx lists no case of invalidation "
        "after release"
    )


def test_the_regime_is_chosen_as_for_the_assessment() -> None:
    uk_exit = declaration(
        direction=Direction.EXPORT, declaration_office=None, port_office="GB000051"
    )
    assert regime_of(uk_exit, "2201", None).id == "eu"  # by the exit office
    assert regime_of(declaration(), "GB000051", None).id == "cn"  # declaring office 2201 first
    assert regime_of(declaration(declaration_office=None), "2201", None).id == "cn"
    assert regime_of(declaration(), "2201", "eu").id == "eu"  # CUSTOMS_REGIME wins
