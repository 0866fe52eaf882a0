"""The one module that talks to zen-engine (JDM decision tables), with explicit types.

zen-engine accepts malformed cells at load and then never matches the row, so every cell goes
through :func:`unary_problem` / :func:`expression_problem` before a ruleset is handed to
:class:`DecisionEngine`. Input cells are compiled with the engine's unary compiler (the same parser
that evaluates them) and bare names that are not known fields are refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import zen

from rules.errors import RiskEvaluationError

JsonObject = dict[str, Any]


def _first_line(exc: BaseException) -> str:
    # zen appends a native backtrace to its messages; the first line carries the JSON error.
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return str(data.get("source", text)) if isinstance(data, dict) else text


def _describe(problem: object) -> str:
    if isinstance(problem, dict):
        return f"{problem.get('type', 'error')}: {problem.get('source', '')}".strip()
    return str(problem)


_NAME = re.compile(r"(?<![\w.$#])([A-Za-z_][A-Za-z0-9_]*)\b(?!\s*\()")
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})


def unknown_names(expression: str, known: frozenset[str]) -> list[str]:
    """Bare names in ``expression`` that are neither keywords, functions nor ``known`` fields.

    A bare ``VN`` (meant as ``"VN"``) reads an undefined variable, which is ``null``: zen accepts
    it and the row never matches. Such names are reported instead.
    """
    code = _STRING.sub('""', expression)
    names = (m.group(1) for m in _NAME.finditer(code))
    return sorted({n for n in names if n not in _KEYWORDS and n not in known})


def unary_problem(expression: str, known: frozenset[str] = frozenset()) -> str | None:
    """Why an input cell is invalid, or ``None`` when it is valid (empty means "any").

    The cell is compiled with the engine's own unary compiler (``zen.validate_unary_expression``
    of zen-engine 2.1.3 also refuses valid cells such as ``> 5`` and ``"CN","VN"``).
    """
    if not expression.strip():
        return None
    try:
        zen.compile_unary_expression(expression)
    except Exception as exc:  # zen raises bare Exception/RuntimeError from native code
        return _first_line(exc)
    unknown = unknown_names(expression, known)
    if unknown:
        return f'unknown name(s) {unknown}; quote text values, e.g. "{unknown[0]}"'
    return None


def expression_problem(expression: str) -> str | None:
    """Why an output cell is invalid, or ``None`` when it is valid."""
    if not expression.strip():
        return "empty output cell"
    problem = zen.validate_expression(expression)
    return None if problem is None else _describe(problem)


def constant_value(expression: str) -> object:
    """Evaluate an output cell without context; ``ValueError`` if it needs one."""
    try:
        return zen.evaluate_expression(expression, {})
    except RuntimeError as exc:
        raise ValueError(f"not a constant: {_first_line(exc)}") from exc


def unary_truth(expression: str, value: object) -> bool:
    """Whether input cell ``expression`` holds for ``value`` (the column's ``$``).

    A decision table row does not match on a cell that fails to evaluate (a comparison of
    ``null`` or of a string with a number raises in zen): such a cell is false here too.
    """
    try:
        return zen.evaluate_unary_expression(expression, {"$": value}) is True
    except Exception:  # zen raises bare Exception/RuntimeError from native code
        return False


class DecisionEngine:
    """One loaded ``ZenEngine`` serving decision graphs by key from memory (static loader)."""

    def __init__(self, graphs: Mapping[str, JsonObject]) -> None:
        self._keys = frozenset(graphs)
        self._engine = zen.ZenEngine({"loader": {"type": "static", "content": dict(graphs)}})

    def evaluate(
        self, key: str, context: Mapping[str, object], *, trace: bool = False
    ) -> JsonObject:
        """Evaluate graph ``key`` on ``context``; the result object (and ``trace`` if asked)."""
        if key not in self._keys:
            raise RiskEvaluationError(f"no decision graph {key!r} is loaded")
        try:
            response = self._engine.evaluate(key, dict(context), {"trace": trace})
        except Exception as exc:  # zen raises bare Exception/RuntimeError from native code
            raise RiskEvaluationError(f"evaluation of {key!r} failed: {_first_line(exc)}") from exc
        result: JsonObject = dict(response["result"])
        if trace:
            result["$trace"] = response.get("trace", {})
        return result
