"""Validation of a JDM graph as a risk ruleset: structure, columns and every single cell.

Nothing is left for zen-engine to accept silently: input cells pass zen's unary validator (comma
lists part by part), output cells pass the expression validator and must be constants of the right
type, input fields must be known risk inputs, and each problem raises :class:`RulesetError` naming
file, node, row, column and the expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rules.errors import RulesetError, RulesetLocation
from rules.outcome import Lane
from rules.risk.inputs import HEADER_FIELDS, INPUT_FIELDS
from rules.risk.jdm import JsonObject, constant_value, expression_problem, unary_problem

SAMPLING_PATH = "sampling"
_NODE_TYPES = {"inputNode", "outputNode", "decisionTableNode"}
_OUTPUTS = {  # (required, optional) output fields
    False: ({"rule", "lane", "reason_en", "reason_zh"}, {"score", "rate"}),
    True: ({"rule", "rate", "lane"}, {"reason_en", "reason_zh"}),
}
_RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
_OUTPUT_PATH = re.compile(r"^[a-z][a-z0-9_]*$")
_KNOWN = frozenset(INPUT_FIELDS)


@dataclass(frozen=True, slots=True)
class TableInfo:
    """A decision table node: where its hits go and the fields it reads."""

    node_id: str
    name: str
    output_path: str
    hit_policy: str
    fields: tuple[str, ...]

    @property
    def sampling(self) -> bool:
        """Whether this is the random-sampling table."""
        return self.output_path == SAMPLING_PATH


@dataclass(frozen=True, slots=True)
class RowInfo:
    """One row of a table, as validated: its conditions and constant outputs."""

    rule: str
    table: str
    row_id: str
    index: int  # 1-based position in the table
    conditions: tuple[tuple[str, str], ...]  # (field, cell expression), non-empty cells only
    lane: Lane
    score: int
    rate: float
    reason_en: str
    reason_zh: str
    sampling: bool


def _fail(where: RulesetLocation, reason: str) -> RulesetError:
    return RulesetError(where, reason)


def _list(container: JsonObject, key: str, where: RulesetLocation) -> list[Any]:
    value = container.get(key)
    if not isinstance(value, list):
        raise _fail(where, f"{key!r} must be a list")
    return value


def validate_graph(
    graph: JsonObject, path: str
) -> tuple[tuple[TableInfo, ...], tuple[RowInfo, ...]]:
    """Check ``graph`` as a risk ruleset; return its tables and rows."""
    top = RulesetLocation(path)
    nodes: dict[str, JsonObject] = {}
    for node in _list(graph, "nodes", top):
        if not isinstance(node, dict) or not isinstance(node.get("id"), str):
            raise _fail(top, "every node is an object with a string 'id'")
        where = RulesetLocation(path, node=str(node.get("name", node["id"])))
        if node.get("type") not in _NODE_TYPES:
            raise _fail(
                where, f"node type {node.get('type')!r} is not one of {sorted(_NODE_TYPES)}"
            )
        if node["id"] in nodes:
            raise _fail(where, f"duplicate node id {node['id']!r}")
        nodes[node["id"]] = node
    edges = set()
    for edge in _list(graph, "edges", top):
        ends = (edge.get("sourceId"), edge.get("targetId")) if isinstance(edge, dict) else ()
        if len(ends) != 2 or not all(end in nodes for end in ends):
            raise _fail(top, f"edge {edge!r} does not join two nodes of the graph")
        edges.add(ends)
    (source,) = _only(nodes, "inputNode", top)
    (sink,) = _only(nodes, "outputNode", top)
    tables: list[TableInfo] = []
    rows: list[RowInfo] = []
    for node in nodes.values():
        if node["type"] != "decisionTableNode":
            continue
        where = RulesetLocation(path, node=str(node.get("name", node["id"])))
        if (source, node["id"]) not in edges or (node["id"], sink) not in edges:
            raise _fail(where, "a table must be joined from the input node and to the output node")
        table, table_rows = _table(node, where)
        tables.append(table)
        rows.extend(table_rows)
    _check_unique(tables, rows, top)
    return tuple(tables), tuple(rows)


def _only(nodes: dict[str, JsonObject], kind: str, where: RulesetLocation) -> list[str]:
    found = [node_id for node_id, node in nodes.items() if node["type"] == kind]
    if len(found) != 1:
        raise _fail(where, f"a ruleset has exactly one {kind} (found {len(found)})")
    return found


def _check_unique(tables: list[TableInfo], rows: list[RowInfo], where: RulesetLocation) -> None:
    paths = [t.output_path for t in tables]
    if len(set(paths)) != len(paths):
        raise _fail(where, f"two tables share an outputPath: {sorted(paths)}")
    if paths.count(SAMPLING_PATH) != 1:
        raise _fail(where, f"a ruleset has exactly one table with outputPath {SAMPLING_PATH!r}")
    seen: dict[str, RowInfo] = {}
    for row in rows:
        if row.rule in seen:
            other = seen[row.rule]
            raise _fail(
                RulesetLocation(where.path, node=row.table, row=f"{row.index} ({row.row_id})"),
                f"rule id {row.rule} is already used in {other.table} row {other.index}",
            )
        seen[row.rule] = row


def _table(node: JsonObject, where: RulesetLocation) -> tuple[TableInfo, list[RowInfo]]:
    content = node.get("content")
    if not isinstance(content, dict):
        raise _fail(where, "a decision table needs a 'content' object")
    output_path = content.get("outputPath")
    if not isinstance(output_path, str) or not _OUTPUT_PATH.match(output_path):
        raise _fail(where, f"outputPath {output_path!r} must be a lower-case identifier")
    sampling = output_path == SAMPLING_PATH
    hit_policy = str(content.get("hitPolicy"))
    if hit_policy not in (("first",) if sampling else ("first", "collect")):
        raise _fail(where, f"hitPolicy {hit_policy!r} is not allowed for this table")
    inputs = _columns(content, "inputs", where, HEADER_FIELDS if sampling else INPUT_FIELDS)
    outputs = _columns(content, "outputs", where, None)
    required, optional = _OUTPUTS[sampling]
    fields = set(outputs.values())
    if not required <= fields or not fields <= required | optional:
        expected = f"required {sorted(required)}, optional {sorted(optional)}"
        raise _fail(where, f"output fields {sorted(fields)} do not fit: {expected}")
    rows = [
        _row(raw, index, where, inputs, outputs, sampling)
        for index, raw in enumerate(_list(content, "rules", where), start=1)
    ]
    if sampling and (not rows or rows[-1].conditions):
        raise _fail(where, "the sampling table must end with a catch-all row (all inputs empty)")
    name = str(node.get("name", node["id"]))
    table = TableInfo(node["id"], name, output_path, hit_policy, tuple(inputs.values()))
    return table, rows


def _columns(
    content: JsonObject, key: str, where: RulesetLocation, allowed: dict[str, str] | None
) -> dict[str, str]:
    """Column id → field, checked against the ``allowed`` input fields."""
    columns: dict[str, str] = {}
    for column in _list(content, key, where):
        field = column.get("field") if isinstance(column, dict) else None
        column_id = column.get("id") if isinstance(column, dict) else None
        if not isinstance(column_id, str) or not isinstance(field, str) or not field:
            raise _fail(where, f"every {key[:-1]} column needs a string 'id' and 'field'")
        at = RulesetLocation(where.path, node=where.node, column=f"{column.get('name')} ({field})")
        if allowed is not None and field not in allowed:
            raise _fail(at, f"{field!r} is not a risk input allowed here: {sorted(allowed)}")
        if column_id in columns or field in columns.values():
            raise _fail(at, "duplicate column")
        columns[column_id] = field
    return columns


def _row(
    raw: object,
    index: int,
    where: RulesetLocation,
    inputs: dict[str, str],
    outputs: dict[str, str],
    sampling: bool,
) -> RowInfo:
    if not isinstance(raw, dict) or not isinstance(raw.get("_id"), str):
        raise _fail(where, f"row {index} must be an object with a string '_id'")
    row_at = RulesetLocation(where.path, node=where.node, row=f"{index} ({raw['_id']})")
    unknown = [k for k in raw if not k.startswith("_") and k not in inputs and k not in outputs]
    if unknown:
        raise _fail(row_at, f"cells for unknown columns {unknown}")
    conditions = []
    for column_id, field in inputs.items():
        cell = _cell(raw, column_id, row_at, field)
        problem = unary_problem(cell, _KNOWN)
        if problem is not None:
            raise _fail(_at(row_at, field, cell), f"invalid input expression: {problem}")
        if cell.strip():
            conditions.append((field, cell))
    values = {field: _output(raw, column_id, row_at, field) for column_id, field in outputs.items()}
    return RowInfo(
        rule=str(values["rule"]),
        table=str(where.node),
        row_id=raw["_id"],
        index=index,
        conditions=tuple(conditions),
        lane=_lane(values["lane"], row_at, sampling),
        score=int(_as_float(values.get("score", 0))),
        rate=_as_float(values.get("rate", 1.0)),
        reason_en=str(values.get("reason_en", "random selection")),
        reason_zh=str(values.get("reason_zh", "随机抽中")),
        sampling=sampling,
    )


def _as_float(value: object) -> float:
    assert isinstance(value, int | float)  # checked by _number_problem
    return float(value)


def _at(row_at: RulesetLocation, field: str, cell: str) -> RulesetLocation:
    return RulesetLocation(row_at.path, row_at.node, row_at.row, field, cell)


def _cell(raw: JsonObject, column_id: str, row_at: RulesetLocation, field: str) -> str:
    cell = raw.get(column_id, "")
    if not isinstance(cell, str):
        raise _fail(_at(row_at, field, repr(cell)), "a cell holds an expression string")
    return cell


def _output(raw: JsonObject, column_id: str, row_at: RulesetLocation, field: str) -> object:
    cell = _cell(raw, column_id, row_at, field)
    problem = expression_problem(cell)
    if problem is not None:
        raise _fail(_at(row_at, field, cell), f"invalid output expression: {problem}")
    try:
        value = constant_value(cell)
    except ValueError as exc:
        raise _fail(_at(row_at, field, cell), f"output cells must be constants ({exc})") from exc
    reason = _type_problem(field, value)
    if reason is not None:
        raise _fail(_at(row_at, field, cell), reason)
    return value


def _type_problem(field: str, value: object) -> str | None:
    if field in ("score", "rate"):
        return _number_problem(field, value)
    if field == "rule" and not (isinstance(value, str) and _RULE_ID.match(value)):
        return 'rule must be an id such as "RISK-COM-001"'
    if field in ("reason_en", "reason_zh") and not (isinstance(value, str) and value.strip()):
        return f"{field} must be a non-empty string"
    if field == "lane" and value not in {lane.value for lane in Lane}:
        return f"lane must be one of {[lane.value for lane in Lane]}"
    return None


def _number_problem(field: str, value: object) -> str | None:
    number = (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    )
    if field == "score" and (number is None or not number.is_integer() or abs(number) > 100):
        return "score must be a whole number from -100 to 100"
    if field == "rate" and (number is None or not 0 <= number <= 1):
        return "rate must be a number from 0 to 1"
    return None


def _lane(value: object, row_at: RulesetLocation, sampling: bool) -> Lane:
    lane = Lane(str(value))
    if sampling and lane is Lane.GREEN:
        raise _fail(row_at, "a sampling row must select for a lane other than green")
    return lane
