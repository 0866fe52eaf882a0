"""Linked tables of overlapping frames (issue 14): tables whose facts overlap without being
equal leak by difference. Publish partner × trade mode for January–March, then ask for
January–February: every March cell is a public quarter cell minus a public two-month cell.
The same for a month against its quarter, HS chapters {84, 85} against {84}, and one flow
against both. Protected apart, a confidential cell of the difference is given away exactly;
protected together (the new table with the published one, cut into pieces), the LP audit
over both tables passes and no confidential difference cell is the difference of two public
cells."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from clearance.statistics import columns, linked
from clearance.statistics.cube import Query, crosstab, selection
from clearance.statistics.disclosure import Rules, primary
from clearance.statistics.protection import Audit, ProtectionError, audit_table, protect
from clearance.statistics.published import Pattern, protect_grid

AXES: dict[str, Any] = {"rows": "partner", "columns": "trade_mode"}
QUARTER = Query(**AXES, period_from=202501, period_to=202503)
#: (published, asked for later, a seed of _facts where protecting them apart leaks)
CASES = {
    "two months of a published quarter": (
        QUARTER,
        Query(**AXES, period_from=202501, period_to=202502),
        5,
    ),
    "a month of a published quarter": (
        QUARTER,
        Query(**AXES, period_from=202503, period_to=202503),
        1,
    ),
    "chapter 84 of published chapters 84 and 85": (
        Query(**AXES, filters={"hs": ("84", "85")}),
        Query(**AXES, filters={"hs": ("84",)}),
        0,
    ),
    "imports of published total trade": (Query(**AXES), Query(**AXES, flow="M"), 1),
}
RULES = Rules()


def _facts(seed: int) -> columns.Columns:
    """A small quarter of trade, both flows, two chapters (cases found by a seeded search)."""
    rng = random.Random(seed)
    partners = ["CN", "DE", "JP", "US", "KR"][: rng.randint(3, 5)]
    modes = ["0110", "0214", "0615"][: rng.randint(2, 3)]
    records: list[dict[str, Any]] = []
    for i in range(rng.randint(30, 70)):
        records.append(
            {
                "id": i + 1,
                "period": 202501 + rng.randint(0, 2),
                "flow": rng.choice("MX"),
                "partner": rng.choice(partners),
                "trade_mode": rng.choice(modes),
                "hs": rng.choice(["8471300000", "8517120000"]),
                "trader": f"T{rng.randint(1, 9)}",
                "value_cny": rng.choice([1, 5, 20, 100, 500, 3000]) * 100 * rng.randint(1, 9),
                "seq": i + 1,
            }
        )
    return columns.from_records(records)


def _facts_of(cols: columns.Columns) -> linked.Facts:
    return linked.Facts(cols, lambda grid: primary(grid, RULES))


def _protect(
    cols: columns.Columns, query: Query, published: list[linked.Published] | None = None
) -> Pattern:
    facts = _facts_of(cols) if published else None
    table = protect_grid(crosstab(cols, query), query, 0, True, RULES, 0.0, published, facts)
    assert table.audit.passed and table.pattern is not None
    return table.pattern


def _published(pattern: Pattern, query: Query) -> linked.Published:
    return linked.as_published(
        pattern.grid, pattern.suppressed, pattern.confidential, pattern.lines, query
    )


def _audit_both(
    cols: columns.Columns, query: Query, pattern: Pattern, published: linked.Published
) -> tuple[linked.System, Audit]:
    """The LP audit over both tables as an attacker holding both sees them: every cell a sum
    of its pieces, nothing assumed but that the pieces are not negative."""
    cents = pattern.grid.sums["value_cny"].ravel()
    system = linked.join(
        linked.grid_keys(pattern.grid),
        cents.tolist(),
        cents.astype(np.float64) / 100,
        pattern.confidential,
        pattern.lines,
        [published],
        query=query,
        facts=_facts_of(cols),
    )
    hidden = system.suppressed.copy()
    hidden[: system.own] |= pattern.suppressed
    lines = system.lines + system.links
    return system, audit_table(system.values, system.confidential, hidden, lines, 0.10)


def _given_away(
    cols: columns.Columns,
    wide: Query,
    wide_pattern: Pattern,
    narrow: Query,
    narrow_pattern: Pattern,
) -> dict[linked.Key, tuple[int, int]]:
    """Confidential cells of the difference (facts in ``wide`` but not ``narrow``) that are
    a public cell of one table minus a public cell of the other: key → (difference, value)."""
    rest = selection(cols, wide) & ~selection(cols, narrow)
    difference = crosstab(cols, Query(**AXES), within=rest)
    secret = dict(
        zip(
            linked.grid_keys(difference),
            zip(
                difference.sums["value_cny"].ravel().tolist(),
                primary(difference, RULES).ravel().tolist(),
                strict=True,
            ),
            strict=True,
        )
    )

    def public(pattern: Pattern) -> dict[linked.Key, int]:
        cents = pattern.grid.sums["value_cny"].ravel().tolist()
        keys = linked.grid_keys(pattern.grid)
        return {k: v for k, v, s in zip(keys, cents, pattern.suppressed, strict=True) if not s}

    shown_wide, shown_narrow = public(wide_pattern), public(narrow_pattern)
    out = {}
    for key, (value, confidential) in secret.items():
        if confidential and key in shown_wide:
            # A cell the narrow table lacks is zero there (nothing of it in its frame).
            narrow_value = shown_narrow.get(key, 0 if key not in _keys(narrow_pattern) else None)
            if narrow_value is not None:
                out[key] = (shown_wide[key] - narrow_value, value)
    return out


def _keys(pattern: Pattern) -> set[linked.Key]:
    return set(linked.grid_keys(pattern.grid))


@pytest.mark.parametrize("case", CASES)
def test_protected_apart_a_confidential_difference_cell_is_given_away(case: str) -> None:
    wide, narrow, seed = CASES[case]
    cols = _facts(seed)
    first, second = _protect(cols, wide), _protect(cols, narrow)
    system, audit = _audit_both(cols, narrow, second, _published(first, wide))
    assert not audit.passed
    # What narrows is a cell neither table publishes: a piece of the difference.
    assert any(f.cell >= system.own for f in audit.failures)
    leaks = _given_away(cols, wide, first, narrow, second)
    assert leaks, "a confidential cell is exactly a public cell minus another"
    for difference, value in leaks.values():
        assert difference == value


@pytest.mark.parametrize("case", CASES)
def test_protected_together_no_difference_cell_is_narrowed(case: str) -> None:
    wide, narrow, seed = CASES[case]
    cols = _facts(seed)
    first = _protect(cols, wide)
    published = _published(first, wide)
    second = _protect(cols, narrow, [published])
    system, audit = _audit_both(cols, narrow, second, published)
    assert system.linked == 1 and system.elementary > 0
    assert audit.passed, audit.failures
    assert not _given_away(cols, wide, first, narrow, second)


def test_the_request_published_first_is_protected_the_other_way_round_too() -> None:
    """The narrow table published first, the wide one asked for: protected the same way."""
    wide, narrow, seed = CASES["two months of a published quarter"]
    cols = _facts(seed)
    first = _protect(cols, narrow)
    published = _published(first, narrow)
    second = _protect(cols, wide, [published])
    system, audit = _audit_both(cols, wide, second, published)
    assert system.linked == 1 and audit.passed, audit.failures
    assert not _given_away(cols, wide, second, narrow, first)


def test_frames_that_share_no_facts_are_not_linked() -> None:
    cols = _facts(5)
    january = Query(**AXES, period_from=202501, period_to=202501)
    march = Query(**AXES, period_from=202503, period_to=202503)
    assert not linked.overlaps(january, march)
    assert not linked.overlaps(Query(**AXES, flow="M"), Query(**AXES, flow="X"))
    assert not linked.overlaps(
        Query(**AXES, filters={"hs": ("84",)}), Query(**AXES, filters={"hs": ("85",)})
    )
    assert linked.overlaps(Query(**AXES, filters={"hs": ("84",)}), Query(**AXES, filters={}))
    assert linked.overlaps(
        Query(**AXES, filters={"hs": ("8471",)}), Query(**AXES, filters={"hs": ("84",)})
    )
    # Frames that might overlap but share no fact take no part either.
    published = _published(_protect(cols, january), january)
    table = protect_grid(
        crosstab(cols, march), march, 0, True, RULES, 0.0, [published], _facts_of(cols)
    )
    assert table.linked == 0


def test_what_the_published_tables_already_give_away_does_not_refuse_the_new_table() -> None:
    """A confidential two-month cell that is most of its public quarter cell is narrowed by
    the quarter alone (it cannot exceed it): the new table can only not narrow it further.
    Asking for the full protection interval refuses the table; asking for what is left
    protects it."""
    wide, narrow, _ = CASES["two months of a published quarter"]
    cols = _facts(0)
    published = _published(_protect(cols, wide), wide)
    grid = crosstab(cols, narrow)
    cents = grid.sums["value_cny"].ravel()
    system = linked.join(
        linked.grid_keys(grid),
        cents.tolist(),
        cents.astype(np.float64) / 100,
        primary(grid, RULES).ravel(),
        _protect(cols, narrow).lines,
        [published],
        query=narrow,
        facts=_facts_of(cols),
    )
    known, _ = linked.known_before(system, 0.10)
    assert known
    arguments: dict[str, Any] = {
        "suppressed": system.suppressed,
        "frozen": system.frozen,
        "links": system.links,
    }
    with pytest.raises(ProtectionError):
        protect(system.values, system.confidential, system.lines, 0.10, **arguments)
    hidden, audit = protect(
        system.values, system.confidential, system.lines, 0.10, known=known, **arguments
    )
    assert audit.passed
    # And it is not narrowed further than the quarter alone narrows it.
    again = audit_table(
        system.values,
        system.confidential,
        hidden,
        system.lines + system.links,
        0.10,
        known=known,
    )
    assert again.passed


def test_a_published_cell_revised_since_is_not_linked_to_its_pieces() -> None:
    """After publication a January fact changes (an amendment): the quarter's cells holding it
    are no longer the sum of their pieces. Linked anyway, the system would contradict itself
    (no table fits it) and every audit would fail; not linked, the new table is protected on
    today's figures."""
    wide, narrow, seed = CASES["two months of a published quarter"]
    cols = _facts(seed)
    published = _published(_protect(cols, wide), wide)
    records = _records(cols)
    changed = next(r["id"] for r in records if r["period"] in (202501, 202502))
    revised = columns.from_records(
        [{**r, "value_cny": r["value_cny"] + 77_700 * (r["id"] == changed)} for r in records]
    )

    def links(facts: columns.Columns) -> int:
        grid = crosstab(facts, narrow)
        cents = grid.sums["value_cny"].ravel()
        system = linked.join(
            linked.grid_keys(grid),
            cents.tolist(),
            cents.astype(np.float64) / 100,
            primary(grid, RULES).ravel(),
            [],
            [published],
            query=narrow,
            facts=_facts_of(facts),
        )
        return len(system.links)

    assert links(revised) < links(cols)
    _protect(revised, narrow, [published])  # passes its audit over both


def _records(cols: columns.Columns) -> list[dict[str, Any]]:
    """The facts of ``cols`` back as records (what _facts made)."""
    out = []
    for i in range(cols.rows):
        record: dict[str, Any] = {name: int(cols.numbers[name][i]) for name in ("id", "period")}
        record["seq"] = int(cols.numbers["seq"][i])
        for name in ("flow", "partner", "trade_mode", "hs", "trader"):
            record[name] = cols.labels[name][int(cols.codes[name][i])]
        record["value_cny"] = int(cols.measures["value_cny"][i])
        out.append(record)
    return out
