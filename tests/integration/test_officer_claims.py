"""Claims on flagged declarations: one holder at a time, named to whoever comes second;
decisions only by the holder (or a supervisor) on the version seen; the audit trail."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from clearance.app import (
    LOCAL_OPERATOR,
    Actor,
    ConflictError,
    NotFoundError,
    NotPermittedError,
    RefusedError,
    officer,
    officer_work,
)
from clearance.app.access import visible_declaration
from clearance.officer import claims
from clearance.store.officer_tables import OfficerClaim
from clearance.store.tables import Event
from tests.concurrency import Start, Worker, lock_waits, race_threads
from tests.integration.officer_support import (
    HELD,
    O1,
    O2,
    O_ELSEWHERE,
    RED,
    SUPERVISOR,
    TRADER,
    flagged,
    officer_app,
)
from tests.integration.test_controls_support import INSTANT

pytestmark = pytest.mark.db


def _kinds(engine: Engine, number: str) -> list[str]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(Event.kind).where(Event.declaration_number == number).order_by(Event.id)
            )
        )


def test_one_holder_at_a_time_and_the_second_is_told_who(engine: Engine) -> None:
    app = officer_app(engine)
    number = flagged(engine, RED, "0101")
    held = officer_work.claim(app, O1, number)
    assert (held.holder, held.number, held.version) == ("O1", number, 1)
    with pytest.raises(ConflictError, match="claimed by O1"):
        officer_work.claim(app, O2, number)
    assert officer_work.claim(app, O1, number).holder == "O1"  # again: nothing changes
    assert _kinds(engine, number).count("claimed") == 1
    with pytest.raises(ConflictError, match="claimed by O1"):
        officer_work.unclaim(app, O2, number)
    assert (
        officer_work.unclaim(app, O1, number, officer_work.Release(reason="lunch")).holder is None
    )
    with pytest.raises(RefusedError, match="not claimed"):
        officer_work.unclaim(app, O1, number)
    assert officer_work.claim(app, O2, number).holder == "O2"
    trail = officer_work.history(app, O1, number)
    assert [(e.kind, e.by) for e in trail] == [
        ("claimed", "O1"),
        ("unclaimed", "O1"),
        ("claimed", "O2"),
    ]
    assert trail[1].data["reason"] == "lunch"


def test_another_office_does_not_see_the_declaration(engine: Engine) -> None:
    app = officer_app(engine)
    number = flagged(engine, RED, "0201")
    for act in (officer_work.claim, officer_work.unclaim, officer_work.history):
        with pytest.raises(NotFoundError, match=f"no declaration {number}"):
            act(app, O_ELSEWHERE, number)
    assert officer_work.queue(app, O_ELSEWHERE).counts.total == 0
    with pytest.raises(NotPermittedError):
        officer_work.claim(app, TRADER, number)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(OfficerClaim)) == 0


def test_only_the_holder_decides_on_the_version_it_saw(engine: Engine) -> None:
    app = officer_app(engine)
    number = flagged(engine, RED, "0301")
    release = officer.Decide(action="release", reason="seal intact", version=1)
    with pytest.raises(RefusedError, match="claim it first"):
        officer.decide(app, O1, number, release)
    with pytest.raises(RefusedError, match="version"):
        officer.decide(app, O1, number, officer.Decide(action="release", reason="x"))
    officer_work.claim(app, O1, number)
    with pytest.raises(ConflictError, match="claimed by O1"):
        officer.decide(app, O2, number, release)
    stale = officer.Decide(action="release", reason="seal intact", version=2)
    with pytest.raises(ConflictError, match="version 1, not 2"):
        officer.decide(app, O1, number, stale)
    inspect = officer.Decide(action="inspect", reason="open container", version=1)
    assert officer.decide(app, O1, number, inspect).status == "under_control"
    assert officer_work.queue(app, O1).entries[0].claimed_by == "O1"  # still waiting: still held
    assert officer.decide(app, O1, number, release).status == "released"
    with Session(engine) as session:  # the decision ended the wait, and with it the claim
        assert session.scalar(select(func.count()).select_from(OfficerClaim)) == 0
    with pytest.raises(RefusedError, match="does not wait"):
        officer_work.claim(app, O2, number)
    decided = [e for e in officer_work.history(app, O1, number) if e.kind == "officer_decided"]
    assert [(e.by, e.data["action"]) for e in decided] == [("O1", "inspect"), ("O1", "release")]


def test_a_supervisor_reassigns_and_may_decide_without_the_claim(engine: Engine) -> None:
    app = officer_app(engine)
    first, second = flagged(engine, RED, "0401"), flagged(engine, RED, "0402")
    officer_work.claim(app, O1, first)
    move = officer_work.Reassign(to="O2", reason="O1 off sick")
    with pytest.raises(NotPermittedError):
        officer_work.reassign(app, O1, first, move)
    elsewhere = Actor("S9", SUPERVISOR.role, offices=frozenset({"5300"}))
    with pytest.raises(NotFoundError):
        officer_work.reassign(app, elsewhere, first, move)
    assert officer_work.reassign(app, SUPERVISOR, first, move).holder == "O2"
    release = officer.Decide(action="release", reason="ok", version=1)
    with pytest.raises(ConflictError, match="claimed by O2"):
        officer.decide(app, O1, first, release)
    assert officer.decide(app, O2, first, release).status == "released"
    (moved,) = [e for e in officer_work.history(app, O2, first) if e.kind == "claim_reassigned"]
    assert moved.by == "S1" and moved.data["from"] == "O1" and moved.data["to"] == "O2"
    officer_work.claim(app, O1, second)
    assert officer_work.unclaim(app, SUPERVISOR, second).holder is None  # a supervisor may
    assert officer.decide(app, SUPERVISOR, second, release).status == "released"


def test_two_officers_claiming_at_once_exactly_one_wins(engine: Engine) -> None:
    app = officer_app(engine)
    number = flagged(engine, RED, "0501")
    officers = [Actor(f"racer-{i}", O1.role, offices=O1.offices) for i in range(2)]

    def worker(actor: Actor) -> Worker[tuple[str, str]]:
        def run(start: Start) -> tuple[str, str]:
            start()
            try:
                return ("won", officer_work.claim(app, actor, number).holder or "")
            except ConflictError as exc:
                return ("lost", exc.message)

        return run

    results = race_threads([worker(a) for a in officers])
    assert sorted(r[0] for r in results) == ["lost", "won"]
    winner = next(holder for outcome, holder in results if outcome == "won")
    loser_message = next(message for outcome, message in results if outcome == "lost")
    assert loser_message == f"declaration {number} is claimed by {winner}"
    assert _kinds(engine, number).count("claimed") == 1


def test_the_second_claim_waits_for_the_first_ones_lock(engine: Engine) -> None:
    """The row lock, not luck: the second claim is seen waiting while the first one's
    transaction is open, and once it commits reads the claim and names its holder."""
    app = officer_app(engine)
    number = flagged(engine, RED, "0601")
    answer: list[BaseException | str] = []

    def second() -> None:
        try:
            answer.append(officer_work.claim(app, O2, number).holder or "")
        except ConflictError as exc:
            answer.append(exc)

    with lock_waits(engine) as wait, Session(engine) as session:
        row = visible_declaration(session, LOCAL_OPERATOR, number, for_update=True)
        claims.claim(session, row, "O1", INSTANT)
        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        wait(thread)
        session.commit()
    thread.join(60)
    (result,) = answer
    assert isinstance(result, ConflictError) and "claimed by O1" in result.message


def test_the_queue_filters_sorts_and_counts(engine: Engine) -> None:
    app = officer_app(engine)
    red_old = flagged(engine, RED, "0701", hours_ago=6)
    yellow = flagged(engine, "06-expired-certificate", "0702", hours_ago=3)
    held = flagged(engine, HELD, "0703")
    elsewhere = flagged(engine, RED, "0704", office="5300")
    officer_work.claim(app, O1, yellow)

    everything = officer_work.queue(app, LOCAL_OPERATOR)
    assert [e.number for e in everything.entries] == [red_old, yellow, held, elsewhere]
    assert everything.counts.total == 4 and everything.counts.claimed == 1
    assert everything.counts.by_lane == {"green": 1, "red": 2, "yellow": 1}
    assert everything.counts.by_office == {"2201": 3, "5300": 1}
    assert everything.counts.by_officer == {"O1": 1}

    mine = officer_work.queue(app, O1)  # an officer of 2201 sees its own office only
    assert elsewhere not in [e.number for e in mine.entries] and mine.counts.total == 3
    entry = mine.entries[0]
    assert (entry.number, entry.office, entry.age_hours, entry.lane) == (red_old, "2201", 6, "red")

    def numbers(**fields: object) -> list[str]:
        query = officer_work.QueueFilter.model_validate(fields)
        return [e.number for e in officer_work.queue(app, LOCAL_OPERATOR, query).entries]

    assert numbers(lanes=["red"]) == [red_old, elsewhere]
    assert numbers(offices=["5300"]) == [elsewhere]
    assert numbers(claimed_by="O1") == [yellow]
    assert numbers(unclaimed=True) == [red_old, held, elsewhere]
    assert numbers(min_age_hours=3) == [red_old, yellow]
    assert numbers(max_age_hours=2) == [held, elsewhere]
    assert numbers(sort="newest") == [elsewhere, held, yellow, red_old]  # ties: later first
    assert numbers(sort="lane") == [red_old, elsewhere, yellow, held]
    assert numbers(statuses=["documents_required"]) == [yellow]
    page = officer_work.queue(
        app, LOCAL_OPERATOR, officer_work.QueueFilter(limit=1, offset=1, lanes=["red"])
    )
    assert [e.number for e in page.entries] == [elsewhere] and page.counts.total == 2
