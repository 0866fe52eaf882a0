"""Plans: what to charge an item and why, prepared once per (regime, code, origin, period …).

A :class:`Plan` holds compiled :class:`Candidate` measures, the reasons for the choice and the
alternatives; :mod:`tariffs.items` only does the arithmetic on it. Plans are built by
:mod:`tariffs.selection`.
"""

from __future__ import annotations

from tariffs.expressions import DutyExpression, Evaluator
from tariffs.measures import Measure
from tariffs.results import Alternative, ChosenRate, ConditionFinding, prewrite


class Candidate:
    """A measure ready to charge: compiled expression, words and a human label."""

    __slots__ = ("evaluator", "fraction", "id", "label", "tax", "type", "words", "words_zh")

    def __init__(
        self,
        measure: Measure,
        expression: DutyExpression,
        evaluator: Evaluator,
        label: str,
        tax: str,
    ) -> None:
        self.type = measure.type
        self.id = measure.id
        self.tax = tax
        self.evaluator = evaluator
        self.words = expression.words
        self.words_zh = expression.words_zh
        self.label = label
        self.fraction = expression.ad_valorem_fraction

    def chosen(self, reason: str) -> ChosenRate:
        """The record of this candidate as the chosen rate."""
        return ChosenRate(self.type, self.id, self.label, self.words, reason)


class Plan:
    """What to charge an item and the reasons; ``problems`` non-empty means not assessable."""

    __slots__ = (
        "additional",
        "chosen",
        "conditions",
        "consumption",
        "contenders",
        "fixed_alternatives",
        "loser_why",
        "notes",
        "obtainable",
        "others",
        "plain",
        "problems",
        "rebate",
        "uses_quantities",
        "vat",
    )

    def __init__(self) -> None:
        self.problems: tuple[str, ...] = ()
        self.contenders: tuple[Candidate, ...] = ()
        self.chosen: tuple[ChosenRate, ...] = ()  # per contender: the record if it is chosen
        self.loser_why: tuple[str, ...] = ()
        self.others: tuple[tuple[Candidate, str, tuple[str, ...]], ...] = ()
        # After seal(): the others the trader could obtain by presenting documents (their duty
        # and saving are worked out per item), and the rest as ready-made records (why only).
        self.obtainable: tuple[tuple[Candidate, str, tuple[str, ...]], ...] = ()
        self.fixed_alternatives: tuple[Alternative, ...] = ()
        self.additional: tuple[Candidate, ...] = ()
        self.consumption: Candidate | None = None
        self.vat: Candidate | None = None
        self.rebate: Candidate | None = None
        self.conditions: tuple[ConditionFinding, ...] = ()
        self.notes: tuple[str, ...] = ()
        self.uses_quantities = False  # any specific component: only then are quantities read
        #: One ad valorem rate and VAT, nothing else to work out per item (the common shape).
        self.plain = False

    def seal(self, currency: str) -> Plan:
        """Split the others, and work out :attr:`uses_quantities`, once the plan is complete."""
        self.obtainable = tuple(o for o in self.others if o[2])
        self.fixed_alternatives = tuple(
            Alternative(c.type, c.id, c.label, why, None, None, currency, needs)
            for c, why, needs in self.others
            if not needs
        )
        candidates = [*self.contenders, *(c for c, _, _ in self.obtainable), *self.additional]
        candidates += [c for c in (self.consumption, self.vat, self.rebate) if c is not None]
        self.uses_quantities = any(c.evaluator.has_specifics for c in candidates)
        self.plain = (
            len(self.contenders) == 1
            and self.contenders[0].evaluator.simple
            and not self.additional
            and self.consumption is None
            and self.vat is not None
            and not self.obtainable
        )
        # Shared by every item this plan assesses: their stored text is written once.
        prewrite((*self.chosen, *self.fixed_alternatives, *self.conditions))
        return self
