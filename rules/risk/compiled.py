"""A ruleset's decision tables matched here, each cell's truth asked of zen-engine once per value.

zen-engine evaluates the whole decision graph of a ruleset in about 35 µs per goods item, five
items a declaration: the largest single cost of the controls-and-decision step. A row of a
decision table matches when every non-empty input cell, a unary expression over its column's
field (``$``), holds; a cell that fails to evaluate does not hold. So the tables can be matched
here row by row, and each cell's truth for a value is asked of zen-engine's own unary evaluator
(:func:`rules.risk.jdm.unary_truth`, the compiler the tables use) the first time that value is
met; which rows of a column hold for a value is remembered as a bit set, and a row matches when
it is in the sets of every column. Codes, countries, offices and grades repeat from one
declaration to the next. A value in yuan is new for nearly every declaration, but a column whose
cells only compare ``$`` with number literals (``>= 10000000``) holds the same rows for every
number between two of its literals: such a column's row set is remembered per band, and zen is
asked for the first number of each band (and for any number within a millionth of a literal).
The declaration-level fields are matched once per declaration (:meth:`rules_of_items`).

What zen-engine would do is what is done, because zen still decides every cell; only the
graph around the cells is walked here, and only for graphs whose shape is fully understood: an
input node, decision tables with hit policy ``first`` or ``collect`` reading plain fields of
the item (no ``inputField``, no loop, no pass-through), an output node, and input cells that
read nothing but ``$`` (a cell may name another input field, which makes its truth depend on
the whole item). Any other graph gives ``None`` from :meth:`CompiledTables.of`, and the engine
evaluates it with zen-engine as before. ``tests/unit/rules/test_risk_compiled.py`` compares
both on the shipped rulesets, the day's declarations and edge values.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rules.risk.jdm import JsonObject, constant_value, unary_truth, unknown_names

#: Row sets remembered at most (then all forgotten at once): a value in yuan is new for nearly
#: every declaration, so the memo would otherwise grow with the day.
ROW_SETS_KEPT = 65_536

_ENDS = {"inputNode", "outputNode"}


@dataclass(frozen=True, slots=True)
class _Table:
    output_path: str
    first: bool  # hit policy "first" (else "collect": every matching row, in order)
    rules: tuple[str, ...]  # the rule id of each row, in row order
    # Per input field, each row's cell for it ("" when empty: holds for every value).
    columns: tuple[tuple[str, tuple[str, ...]], ...]

    @staticmethod
    def holding(cells: tuple[str, ...], value: object) -> int:
        """The rows (bit n: row n) whose cell in a column (``cells``) holds for ``value``."""
        mask = 0
        for n, cell in enumerate(cells):
            if not cell.strip() or unary_truth(cell, value):
                mask |= 1 << n
        return mask

    def hits(self, mask: int) -> tuple[str, ...]:
        """The rule ids of the rows in ``mask``: all of them, or the first."""
        found = tuple(rule for n, rule in enumerate(self.rules) if mask >> n & 1)
        return found[:1] if self.first else found


class CompiledTables:
    """The decision tables of one ruleset graph, matched against item contexts."""

    def __init__(self, tables: tuple[_Table, ...]) -> None:
        self._tables = tables
        # (table, column, type, value) → the rows whose cell holds; the type is in the key
        # because True == 1 == 1.0 for a dict, not for zen.
        # A column of plain number comparisons is keyed by the band between its thresholds
        # instead of the value (_band).
        self._holding: dict[_Key, int] = {}
        self._hits: dict[tuple[int, int], tuple[str, ...]] = {}
        self._split: dict[frozenset[str], tuple[_Columns, _Columns]] = {}
        self._all = [(1 << len(table.rules)) - 1 for table in tables]  # every row, per table

    @classmethod
    def of(cls, graph: JsonObject) -> CompiledTables | None:
        """The tables of a validated ruleset ``graph``, or ``None`` if zen must walk it."""
        tables = []
        for node in graph.get("nodes", ()):
            kind = node.get("type")
            if kind in _ENDS:
                if node.get("content"):  # e.g. an input schema: zen's to apply
                    return None
                continue
            if kind != "decisionTableNode":
                return None
            table = _table(node.get("content"))
            if table is None:
                return None
            tables.append(table)
        return cls(tuple(tables))

    def rules(self, context: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
        """Per table (by output path), the rule ids of the rows ``context`` matches, in order."""
        shared, own = self._columns(frozenset())
        return self._rules(context, self._matching(context, shared), own)

    def rules_of_items(
        self, contexts: Sequence[Mapping[str, Any]], same: frozenset[str]
    ) -> list[dict[str, tuple[str, ...]]]:
        """:meth:`rules` of each of ``contexts``, which all hold the same value of every field
        in ``same`` (the declaration-level fields, for the items of one declaration).

        The columns of those fields are matched once, on the first context: the rows they
        allow are the same for every item.
        """
        if not contexts:
            return []
        shared, own = self._columns(same)
        first = self._matching(contexts[0], shared)
        return [self._rules(context, first, own) for context in contexts]

    def _columns(self, same: frozenset[str]) -> tuple[_Columns, _Columns]:
        """Per table, its columns reading a field of ``same``, and the others (kept per set)."""
        split = self._split.get(same)
        if split is None:
            shared: _Columns = []
            own: _Columns = []
            for table in self._tables:
                columns = [
                    (n, field, cells, _thresholds(cells))
                    for n, (field, cells) in enumerate(table.columns)
                ]
                shared.append(tuple(c for c in columns if c[1] in same))
                own.append(tuple(c for c in columns if c[1] not in same))
            split = self._split[same] = (shared, own)
        return split

    def _matching(self, context: Mapping[str, Any], columns: _Columns) -> list[int]:
        """Per table, the rows whose cells hold for ``context`` in the given columns."""
        return [self._rows(index, context, columns[index]) for index in range(len(self._tables))]

    def _rules(
        self, context: Mapping[str, Any], start: list[int], columns: _Columns
    ) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for index, table in enumerate(self._tables):
            mask = start[index] & self._all[index]
            if columns[index]:  # else the table reads only the shared fields
                mask &= self._rows(index, context, columns[index])
            hits = self._hits.get((index, mask))
            if hits is None:
                hits = self._hits[(index, mask)] = table.hits(mask)
            out[table.output_path] = hits
        return out

    def _rows(self, index: int, context: Mapping[str, Any], columns: _Picked) -> int:
        """The rows of table ``index`` whose cells in ``columns`` all hold for ``context``."""
        holding = self._holding
        mask = -1  # every row; a table's hits are looked up by its own rows' bits only
        for column, field, cells, thresholds in columns:
            value = context.get(field)  # a missing field is null, as in zen
            band = None if thresholds is None else _band(thresholds, value)
            key: _Key = (
                (index, column, type(value), value)
                if band is None
                else (index, column, type(value), _BAND, band)
            )
            rows = holding.get(key)
            if rows is None:
                if len(holding) >= ROW_SETS_KEPT:
                    holding.clear()
                rows = holding[key] = self._tables[index].holding(cells, value)
            mask &= rows
        return mask


#: Some columns of a table: (column number, field, cells, thresholds or None: see _thresholds).
_Picked = tuple[tuple[int, str, tuple[str, ...], tuple[float, ...] | None], ...]
#: Per table, some of its columns.
_Columns = list[_Picked]
#: A remembered row set's key: (table, column, type, value) or (table, column, type, _BAND, band).
_Key = tuple[int, int, type, object] | tuple[int, int, type, str, int]
_BAND = "band"

#: A cell that compares ``$`` with number literals only: ``>= 10000000``, ``< 5.5``, ``12``
#: (equal), ``[1..5]`` or ``(1..5)``. Its truth for a number changes only at its numbers.
_NUMBER = r"(-?\d+(?:\.\d+)?)"
_SIMPLE_CELLS = (
    re.compile(rf"(?:<=|>=|<|>)?\s*{_NUMBER}"),
    re.compile(rf"[\[(]\s*{_NUMBER}\s*\.\.\s*{_NUMBER}\s*[\])]"),
)
#: Numbers banded: well inside what zen's decimals and a float's cents both hold exactly.
_BANDED_RANGE = 1e15


def _thresholds(cells: tuple[str, ...]) -> tuple[float, ...] | None:
    """The sorted numbers of a column whose every non-empty cell is a plain comparison with
    number literals (:data:`_SIMPLE_CELLS`), else None.

    Such a column holds the same rows for every number strictly between two neighbouring
    thresholds (or beyond the last): a value in yuan, new for nearly every declaration, then
    shares the row set zen gave the first value of its band instead of asking zen again.
    """
    numbers: set[float] = set()
    for cell in cells:
        text = cell.strip()
        if not text:
            continue
        for pattern in _SIMPLE_CELLS:
            matched = pattern.fullmatch(text)
            if matched is not None:
                numbers.update(float(number) for number in matched.groups())
                break
        else:
            return None
    return tuple(sorted(numbers)) if numbers else None


def _band(thresholds: tuple[float, ...], value: object) -> int | None:
    """How many thresholds lie below ``value``, a number clear of every threshold; else None
    (not a plain int or float, too large, or within a millionth of a threshold: asked of zen
    for itself)."""
    if type(value) is not float and type(value) is not int:  # bool is not a number for zen
        return None
    if not -_BANDED_RANGE < value < _BANDED_RANGE:  # also false for NaN
        return None
    band = bisect_left(thresholds, value)
    for threshold in thresholds[max(band - 1, 0) : band + 1]:
        if abs(value - threshold) <= 1e-6 * max(1.0, abs(threshold)):
            return None
    return band


def _table(content: object) -> _Table | None:
    if not isinstance(content, dict):
        return None
    if content.get("inputField") or content.get("passThrough"):
        return None
    if content.get("executionMode", "single") != "single":
        return None
    policy = content.get("hitPolicy")
    if policy not in ("first", "collect"):
        return None
    inputs = {column["id"]: column.get("field") for column in content.get("inputs", ())}
    if not all(isinstance(field, str) and field.isidentifier() for field in inputs.values()):
        return None
    (rule_column,) = [c["id"] for c in content.get("outputs", ()) if c.get("field") == "rule"]
    raws = list(content.get("rules", ()))
    columns = []
    for column_id, field in inputs.items():
        cells = tuple(raw.get(column_id, "") for raw in raws)
        for cell in cells:
            if not isinstance(cell, str):
                return None
            if cell.strip() and unknown_names(cell, frozenset()):  # names another field
                return None
        if any(cell.strip() for cell in cells):  # an all-empty column holds for every row
            columns.append((str(field), cells))
    rules = tuple(str(constant_value(raw[rule_column])) for raw in raws)
    return _Table(str(content["outputPath"]), policy == "first", rules, tuple(columns))
