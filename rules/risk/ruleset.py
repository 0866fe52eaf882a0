"""Risk rulesets: JDM decision graphs loaded from ``rules/rulesets/*.json``, validated, hashed.

A ruleset is a JDM graph (gorules jdm-editor format) of one input node, decision tables and one
output node. Each table writes its hits under its ``outputPath``; the table with ``outputPath``
``"sampling"`` is the per-office random-sampling table, every other table holds risk criteria.
The version is the sha256 of the canonical JSON of the graph without layout (node positions), so
moving a node in the editor keeps the version and changing any cell changes it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rules.errors import RulesetError, RulesetLocation
from rules.risk.jdm import JsonObject
from rules.risk.tables import RowInfo, TableInfo, validate_graph


@dataclass(frozen=True)
class Ruleset:
    """A loaded, validated ruleset: name, content version, graph and its rows by rule id."""

    id: str
    version: str
    path: str
    graph: JsonObject
    tables: tuple[TableInfo, ...]
    rows: dict[str, RowInfo]

    @property
    def short_version(self) -> str:
        """The first 12 hex digits of the version, for people."""
        return self.version[:12]


def content_version(graph: JsonObject) -> str:
    """sha256 of the canonical JSON of ``graph`` without node positions."""
    canonical = json.dumps(_without_layout(graph), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _without_layout(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_layout(v) for k, v in value.items() if k != "position"}
    if isinstance(value, list):
        return [_without_layout(v) for v in value]
    return value


def parse_ruleset(text: str, path: str, ruleset_id: str | None = None) -> Ruleset:
    """Validate the JDM ``text`` (every cell) and return the ruleset; ``RulesetError`` if bad."""
    try:
        graph = json.loads(text)
    except json.JSONDecodeError as exc:
        where = RulesetLocation(path, expression=f"line {exc.lineno} column {exc.colno}")
        raise RulesetError(where, f"invalid JSON: {exc.msg}") from exc
    if not isinstance(graph, dict):
        raise RulesetError(RulesetLocation(path), "a ruleset is a JSON object (a JDM graph)")
    tables, rows = validate_graph(graph, path)
    return Ruleset(
        id=ruleset_id or Path(path).stem,
        version=content_version(graph),
        path=path,
        graph=graph,
        tables=tables,
        rows={row.rule: row for row in rows},
    )


def load_ruleset(path: Path) -> Ruleset:
    """Read and validate one ruleset file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesetError(RulesetLocation(str(path)), f"cannot read: {exc}") from exc
    return parse_ruleset(text, str(path))


def load_rulesets(directory: Path) -> tuple[Ruleset, ...]:
    """Every ``*.json`` ruleset of ``directory``, by file name; the first bad one raises."""
    return tuple(load_ruleset(p) for p in sorted(directory.glob("*.json")))


#: The rulesets shipped with the package.
BUILTIN_DIRECTORY = Path(__file__).resolve().parent.parent / "rulesets"
