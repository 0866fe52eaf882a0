"""Officer inputs checked before any database work: container numbers, queue filters,
commands built from a front door's loose fields."""

from __future__ import annotations

import pytest

from clearance.app import RefusedError, officer_requests, officer_work
from clearance.app.typed_inputs import typed_input
from clearance.officer.examinations import InvalidContainerError, container_numbers


def test_container_numbers_are_checked_and_made_compact() -> None:
    assert container_numbers(["csqu 305438 3", "MSKU9070323"]) == ["CSQU3054383", "MSKU9070323"]
    with pytest.raises(InvalidContainerError, match=r"container 1 \('CSQU3054384'\).*check"):
        container_numbers(["CSQU3054384"])  # the check digit of CSQU305438 is 3
    with pytest.raises(InvalidContainerError, match=r"container 2 \('CSQ305438'\).*length"):
        container_numbers(["CSQU3054383", "CSQ305438"])
    assert container_numbers([]) == []


def test_queue_filters_refuse_what_cannot_match() -> None:
    with pytest.raises(RefusedError, match="exclude each other"):
        officer_work.queue_filter(claimed_by="O1", unclaimed=True)
    with pytest.raises(RefusedError, match="min_age_hours is above max_age_hours"):
        officer_work.queue_filter(min_age_hours=5, max_age_hours=1)
    with pytest.raises(RefusedError, match=r"lanes\.0"):
        officer_work.queue_filter(lanes=["purple"])
    with pytest.raises(RefusedError, match="limit"):
        officer_work.queue_filter(limit=0)
    query = officer_work.queue_filter(lanes=["red"], sort="lane")
    assert (query.lanes, query.sort, query.limit) == (["red"], "lane", 100)


def test_commands_name_the_field_that_is_wrong() -> None:
    with pytest.raises(RefusedError, match="reason"):
        typed_input(
            officer_requests.RequestDocuments,
            {"documents": ["invoice"], "reason": "", "due_on": "2026-06-22"},
        )
    with pytest.raises(RefusedError, match="kind"):
        typed_input(
            officer_requests.Examine, {"kind": "aerial", "outcome": "conform", "findings": "fine"}
        )
    exam = typed_input(
        officer_requests.Examine, {"kind": "physical", "outcome": "conform", "findings": "fine"}
    )
    assert exam.containers == [] and exam.version is None
