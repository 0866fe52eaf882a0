"""Risk assessment: evaluate a ruleset per goods item, draw the random selections, pick a lane.

Rows with a ``rate`` below 1 and the sampling table select at random, deterministically: the draw
is a sha256 of (secret seed, declaration number, stream) mapped to a uniform number in [0, 1),
where the stream is the row's stable rule id (or ``sampling``). The ruleset's content version is
deliberately *not* part of it: editing a description, another row or a layout must not re-draw
every declaration, so that a replay shows the effect of the edit and nothing else. What re-draws:
a new seed (all draws), a renamed rule id (that row's draws), and a changed rate (the same draw
compared with the new rate).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rules.context import ControlContext
from rules.errors import RiskEvaluationError, UnknownRulesetError
from rules.findings import EvidenceValue, render
from rules.outcome import Lane, max_lane
from rules.risk.compiled import CompiledTables
from rules.risk.inputs import HEADER_FIELDS, risk_contexts
from rules.risk.jdm import DecisionEngine, JsonObject
from rules.risk.ruleset import BUILTIN_DIRECTORY, Ruleset, load_rulesets
from rules.risk.tables import SAMPLING_PATH, RowInfo

Condition = tuple[str, str, EvidenceValue]  # field, cell expression, value compared
#: The fields every item context of one declaration shares (:func:`risk_contexts`).
_HEADER = frozenset(HEADER_FIELDS)


def uniform(declaration_number: str, seed: str, stream: str) -> float:
    """A deterministic draw in [0, 1) for (declaration, seed, stream = a rule's stable id)."""
    key = "\x1f".join((seed, declaration_number, stream))
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64


@dataclass(frozen=True, slots=True)
class RiskHit:
    """A matched row: its lane and weight, the draw when it selects at random, the values."""

    rule: str
    table: str
    row_id: str
    lane: Lane
    score: int
    rate: float
    draw: float | None  # None when the rate is 1 (always selected)
    selected: bool
    reason_en: str
    reason_zh: str
    items: tuple[int, ...]
    conditions: tuple[Condition, ...]

    @property
    def evidence(self) -> dict[str, EvidenceValue]:
        """Compared values (``field``), the row's expressions (``field~``), rate and draw."""
        values: dict[str, EvidenceValue] = {}
        for name, expression, value in self.conditions:
            values[name] = value
            values[f"{name}~"] = expression
        # What evidence(rate=str(rate), draw=_draw(draw), items=items) renders, written out:
        # a string stays itself, None stays None, the item numbers become strings.
        values["rate"] = str(self.rate)
        values["draw"] = _draw(self.draw)
        values["items"] = tuple([str(item) for item in self.items])
        return values


def _draw(draw: float | None) -> str | None:
    return None if draw is None else f"{draw:.6f}"


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """The outcome of a ruleset on one declaration, with the item contexts it was computed on."""

    ruleset_id: str
    ruleset_version: str
    hits: tuple[RiskHit, ...]
    sample: RiskHit
    lane: Lane
    score: int
    contexts: Sequence[dict[str, Any]] = field(default=(), compare=False, repr=False)

    @property
    def inputs_digest(self) -> str:
        """sha256 of the item contexts the ruleset was evaluated on.

        Worked out when asked: the pipeline never reads it (the decision's digest covers the
        declaration itself), and hashing the contexts' text cost a tenth of the assessment.
        """
        return _digest(self.contexts)

    @property
    def selected(self) -> tuple[RiskHit, ...]:
        """The hits that count (always-on rows and won draws), the sample last if drawn."""
        return tuple(h for h in (*self.hits, self.sample) if h.selected)


class RiskEngine:
    """Loaded rulesets behind one zen-engine; assess declarations against any of them."""

    def __init__(self, rulesets: Iterable[Ruleset]) -> None:
        self._by_version: dict[str, Ruleset] = {}
        self._by_id: dict[str, Ruleset] = {}
        for ruleset in rulesets:
            self._by_version[ruleset.version] = ruleset
            self._by_id[ruleset.id] = ruleset
        graphs = {version: r.graph for version, r in self._by_version.items()}
        self._engine = DecisionEngine(graphs)
        # Per version, its tables matched without walking the graph in zen (None: zen walks
        # it), built on first use: an engine over every stored version is built per replay.
        self._compiled: dict[str, CompiledTables | None] = {}

    @classmethod
    def builtin(cls) -> RiskEngine:
        """An engine over the rulesets shipped in ``rules/rulesets``."""
        return cls(load_rulesets(BUILTIN_DIRECTORY))

    def ruleset(self, key: str) -> Ruleset:
        """A loaded ruleset by id (``cn-default``) or by version (for replays)."""
        found = self._by_version.get(key) or self._by_id.get(key)
        if found is None:
            raise UnknownRulesetError(f"ruleset {key!r} is not loaded")
        return found

    def assess(self, context: ControlContext, ruleset: str, seed: str) -> RiskAssessment:
        """Assess the declaration of ``context`` with ``ruleset`` (id or version) and ``seed``."""
        sequences = [item.sequence for item in context.declaration.items]
        contexts = risk_contexts(context)
        number = context.declaration_number
        return self.assess_contexts(contexts, sequences, number, ruleset, seed, _HEADER)

    def assess_contexts(
        self,
        contexts: Sequence[dict[str, Any]],
        sequences: Sequence[int],
        declaration_number: str,
        ruleset: str,
        seed: str,
        same: frozenset[str] = frozenset(),
    ) -> RiskAssessment:
        """Assess prepared per-item ``contexts`` (see :mod:`rules.risk.inputs`).

        ``same``: fields every context holds the same value of (the declaration-level fields
        when the contexts are one declaration's items), matched once instead of per item.
        """
        loaded = self.ruleset(ruleset)
        results = self._results(loaded, contexts, same)
        draw = _Drawer(declaration_number, seed)
        matched = _matched(loaded, sequences, contexts, results)
        hits = tuple(draw.hit(row, items, ctx) for row, items, ctx in matched.values())
        sampled = results[0].get(SAMPLING_PATH, ())
        if not sampled:  # impossible with a validated ruleset (catch-all row), never ignored
            raise RiskEvaluationError(f"ruleset {loaded.id} returned no sampling row")
        sample = draw.hit(loaded.rows[sampled[0]], [], contexts[0], stream=SAMPLING_PATH)
        selected = [h for h in hits if h.selected]
        return RiskAssessment(
            ruleset_id=loaded.id,
            ruleset_version=loaded.version,
            hits=hits,
            sample=sample,
            lane=max_lane([h.lane for h in (*selected, sample) if h.selected]),
            score=sum(h.score for h in selected),
            contexts=contexts,
        )

    def _results(
        self,
        loaded: Ruleset,
        contexts: Sequence[dict[str, Any]],
        same: frozenset[str] = frozenset(),
    ) -> list[dict[str, tuple[str, ...]]]:
        """Per item context, the matched rule ids by table output path."""
        if loaded.version not in self._compiled:
            self._compiled[loaded.version] = CompiledTables.of(loaded.graph)
        compiled = self._compiled[loaded.version]
        if compiled is not None:
            return compiled.rules_of_items(contexts, same)
        return [self.zen_rules(loaded.version, c) for c in contexts]

    def zen_rules(self, version: str, context: dict[str, Any]) -> dict[str, tuple[str, ...]]:
        """The matched rule ids by table output path, with zen-engine walking the graph."""
        result = self._engine.evaluate(version, context)
        loaded = self.ruleset(version)
        return {t.output_path: tuple(_rules(result.get(t.output_path))) for t in loaded.tables}

    def trace(self, ruleset: str, context: dict[str, Any]) -> JsonObject:
        """zen-engine's per-node trace of one item context (for explaining a lane in depth)."""
        loaded = self.ruleset(ruleset)
        return self._engine.evaluate(loaded.version, context, trace=True)


def _matched(
    loaded: Ruleset,
    sequences: Sequence[int],
    contexts: Sequence[dict[str, Any]],
    results: Sequence[dict[str, tuple[str, ...]]],
) -> dict[str, tuple[RowInfo, list[int], dict[str, Any]]]:
    """Criteria rows that matched, by rule id: the row, its items, the first item's context."""
    matched: dict[str, tuple[RowInfo, list[int], dict[str, Any]]] = {}
    paths = _criteria_paths(loaded)
    for sequence, context, result in zip(sequences, contexts, results, strict=True):
        for path in paths:
            for rule in result.get(path, ()):
                matched.setdefault(rule, (loaded.rows[rule], [], context))[1].append(sequence)
    return matched


def _criteria_paths(loaded: Ruleset) -> tuple[str, ...]:
    """The output paths of the ruleset's criteria tables (all but sampling), in table order;
    worked out once per loaded ruleset (its tables never change), not per item."""
    paths = _CRITERIA_PATHS.get(id(loaded))
    if paths is None or paths[0] is not loaded:
        if len(_CRITERIA_PATHS) >= 64:
            _CRITERIA_PATHS.clear()
        found = tuple(t.output_path for t in loaded.tables if not t.sampling)
        paths = _CRITERIA_PATHS[id(loaded)] = (loaded, found)
    return paths[1]


#: Per loaded ruleset (by identity, the ruleset kept so its id is not reused): its criteria
#: tables' output paths.
_CRITERIA_PATHS: dict[int, tuple[Ruleset, tuple[str, ...]]] = {}


def _rules(output: object) -> list[str]:
    if isinstance(output, list):
        return [str(row["rule"]) for row in output]
    if isinstance(output, dict):
        return [str(output["rule"])]
    return []


@dataclass(frozen=True, slots=True)
class _Drawer:
    """Turns matched rows into hits with their deterministic draws for one declaration."""

    declaration_number: str
    seed: str

    def hit(
        self, row: RowInfo, items: list[int], context: dict[str, Any], stream: str | None = None
    ) -> RiskHit:
        """The hit of ``row``: drawn on ``stream`` (default: the rule id) when its rate is < 1."""
        random = row.rate < 1
        value = uniform(self.declaration_number, self.seed, stream or row.rule) if random else None
        selected = value is None or value < row.rate
        # Each compared value rendered as evidence(**values) renders it, without the
        # keyword dict and the lookups back into it (a name's value is the same either way).
        conditions = tuple(
            [(name, expr, render(context.get(name))) for name, expr in row.conditions]
        )
        return RiskHit(
            row.rule,
            row.table,
            row.row_id,
            row.lane,
            row.score,
            row.rate,
            value,
            selected,
            row.reason_en,
            row.reason_zh,
            tuple(items),
            conditions,
        )


def _digest(contexts: Sequence[dict[str, Any]]) -> str:
    # Contexts hold only str/int/float/bool/None in a fixed key order (rules.risk.inputs), so
    # their repr is canonical and much cheaper than JSON.
    return hashlib.sha256(repr(list(contexts)).encode()).hexdigest()
