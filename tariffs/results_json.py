"""The stored assessment's JSON text, written in one pass (issue 15).

Every registered declaration stores its assessment as JSON. Building a dict of every value and
then encoding it (``json.dumps(_jsonable(...))``) walked each of several hundred values twice,
with a function call per value: a third of the tariff step. Here each result record type gets
a writer generated once from its field annotations that formats the text directly; the bytes
are exactly those of ``json.dumps(model_dump(), ensure_ascii=False)``.

Records that live as long as the plan that made them — an item's chosen rate, the alternatives
that are only named, the condition findings — are shared by every item the plan assesses; their
text is written once when the plan is sealed (:func:`remember`) and the writer of their type
looks a record up by identity before writing it (the remembered entry holds the record, so its
id cannot be taken by another object while the text is kept).

Each field is checked against the exact type its annotation names (``x.__class__ is str``)
before it takes the fast path; a value of any other type (a ``StrEnum``, a subclass, a float
where a Decimal was expected) is encoded by the general path, ``json.dumps(_jsonable(x))``, so
the text never depends on a value having the type its annotation promises.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

#: The string encoder ``json.dumps(..., ensure_ascii=False)`` uses (C-accelerated).
_ENCODE: Callable[[str], str] = json.encoder.encode_basestring

Writer = Callable[[Any], str]


#: Record type names whose values are looked up in the remembered texts first.
REMEMBERED = frozenset({"ChosenRate", "Alternative", "ConditionFinding"})
#: Past this many remembered texts the memo starts again (plans are bounded the same way).
REMEMBERED_LIMIT = 50_000
_REMEMBERED: dict[int, tuple[Any, str]] = {}


def remember(record: tuple[Any, ...], text: str) -> None:
    """Keep ``text`` (written by the record's own writer) for ``record`` while it lives.

    Only a record made of immutable values all the way down is kept: its text cannot change.
    """
    if not _immutable(record):
        return
    if len(_REMEMBERED) >= REMEMBERED_LIMIT:
        _REMEMBERED.clear()
    _REMEMBERED[id(record)] = (record, text)


def _immutable(value: Any) -> bool:
    if value is None or value.__class__ in _IMMUTABLE:
        return True
    return isinstance(value, tuple) and all(_immutable(v) for v in value)


_IMMUTABLE = frozenset({str, int, bool, float, Decimal, date})


def _remembering(write: Writer) -> Writer:
    """``write``, answered from the remembered texts for a record kept by :func:`remember`."""
    get = _REMEMBERED.get

    def write_remembered(value: Any) -> str:
        hit = get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        return write(value)

    return write_remembered


def record_writer(cls: type, general: Callable[[Any], Any]) -> Writer:
    """The writer of one record type as the writers of the records containing it write it."""
    return writer(cls, general, _EXTRA.get(cls.__name__))


def writer(cls: type, general: Callable[[Any], Any], extra: dict[str, str] | None = None) -> Writer:
    """A function that writes a ``cls`` NamedTuple as JSON text with its fields in order.

    ``general`` is the general conversion (``_jsonable``) taken for values of unexpected
    types; ``extra`` adds string properties after the fields (``{"message": "message"}``: key,
    attribute), as the general conversion does.

    The writer unpacks the record once and, when every field has exactly the type its
    annotation names (one chained check), writes it in one join with the keys, the commas
    and a Decimal's or a date's quotes merged into constant pieces; any other record goes to
    the field-by-field writer (:func:`field_writer`), which takes the general path for the
    fields of unexpected types. Both write the same text for the same record.
    """
    by_field = field_writer(cls, general, extra)
    namespace = _namespace(general, _dstr=Decimal.__str__, _by_field=by_field)
    hints = typing.get_type_hints(cls)
    names = [f"_f{n}" for n in range(len(cls._fields))]  # type: ignore[attr-defined]
    checks: list[str] = []
    pieces: list[tuple[bool, str]] = []  # (constant?, text or expression)
    for n, name in enumerate(cls._fields):  # type: ignore[attr-defined]
        pieces.append((True, ("{" if n == 0 else ", ") + f'"{name}": '))
        check, written = _exact_field(hints.get(name, Any), names[n], namespace, general)
        if check:
            checks.append(check)
        pieces += written
    for n, (key, attribute) in enumerate((extra or {}).items()):
        pieces.append((True, ("{" if not names and n == 0 else ", ") + f'"{key}": '))
        pieces.append((False, _field(str, f"v.{attribute}", namespace, general)))
    pieces.append((True, "}" if pieces else "{}"))
    merged: list[str] = []
    constant = ""
    for is_constant, text in pieces:
        if is_constant:
            constant += text
            continue
        if constant:
            merged.append(repr(constant))
            constant = ""
        merged.append(text)
    if constant:
        merged.append(repr(constant))
    body = "''.join((" + ", ".join(merged) + ",))" if len(merged) > 1 else merged[0]
    unpack = f"    {', '.join(names)}, = v\n" if names else ""
    test = " and ".join(checks) or "True"
    source = (
        f"def write(v):\n{unpack}    if {test}:\n        return {body}\n    return _by_field(v)\n"
    )
    exec(compile(source, f"<json writer of {cls.__name__}>", "exec"), namespace)
    write: Writer = namespace["write"]
    return write


def _exact_field(
    hint: Any, name: str, namespace: dict[str, Any], general: Callable[[Any], Any]
) -> tuple[str, list[tuple[bool, str]]]:
    """The check that ``name`` has exactly the type ``hint`` names, and its written pieces.

    An empty check means any value is written by the pieces themselves (the general path).
    """
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) and type(None) in args and len(args) == 2:
        inner = next(a for a in args if a is not type(None))
        check, pieces = _exact_field(inner, name, namespace, general)
        if not check:
            return "", [(False, f"_any({name})")]
        expression = " + ".join(text if not constant else repr(text) for constant, text in pieces)
        return f"({name} is None or {check})", [
            (False, f"('null' if {name} is None else {expression})")
        ]
    if hint is str:
        return f"{name}.__class__ is str", [(False, f"_enc({name})")]
    if hint is int:
        return f"{name}.__class__ is int", [(False, f"_int({name})")]
    if hint is Decimal:  # a Decimal's text needs no escaping
        return f"{name}.__class__ is _Decimal", [
            (True, '"'),
            (False, f"_dstr({name})"),
            (True, '"'),
        ]
    if hint is date:
        return f"{name}.__class__ is _date", [
            (True, '"'),
            (False, f"{name}.isoformat()"),
            (True, '"'),
        ]
    fast = _fast(hint, namespace, general)
    if fast is None:
        return "", [(False, f"_any({name})")]
    exact = _type_name(typing.get_origin(hint) or hint, namespace)
    return f"{name}.__class__ is {exact}", [(False, fast.format(x=name))]


def _namespace(general: Callable[[Any], Any], **more: Any) -> dict[str, Any]:
    """The names a generated writer's source refers to: the encoders, the types it checks,
    the general conversion (``_any``), and ``more``."""
    return {
        "_enc": _ENCODE,
        "_int": int.__repr__,
        "_Decimal": Decimal,
        "_date": date,
        "_any": lambda value: json.dumps(general(value), ensure_ascii=False),
        **more,
    }


def field_writer(
    cls: type, general: Callable[[Any], Any], extra: dict[str, str] | None = None
) -> Writer:
    """The field-by-field writer of a ``cls`` NamedTuple (what :func:`writer` falls back to).

    Each field is checked on its own and a value of an unexpected type is written by the
    general conversion.
    """
    namespace = _namespace(general, _cls=cls)
    hints = typing.get_type_hints(cls)
    fields = [
        (name, _field(hints.get(name, Any), f"v[{n}]", namespace, general))
        for n, name in enumerate(cls._fields)  # type: ignore[attr-defined]
    ]
    fields += [
        (key, _field(str, f"v.{attribute}", namespace, general))
        for key, attribute in (extra or {}).items()
    ]
    pieces = []
    for n, (name, expression) in enumerate(fields):
        pieces += [repr(("{" if n == 0 else ", ") + f'"{name}": '), expression]
    # One join: concatenating with ``+`` copied the growing text at every field.
    body = "''.join((" + ", ".join([*pieces, repr("}")]) + "))" if pieces else repr("{}")
    source = f"def write(v):\n    return {body}\n"
    exec(compile(source, f"<json writer of {cls.__name__}>", "exec"), namespace)
    write: Writer = namespace["write"]
    return write


def _field(hint: Any, value: str, namespace: dict[str, Any], general: Callable[[Any], Any]) -> str:
    """An expression writing ``value`` (a field of type ``hint``) as JSON text."""
    optional = False
    args = typing.get_args(hint)
    if isinstance(hint, types.UnionType) and type(None) in args and len(args) == 2:
        optional = True
        hint = next(a for a in args if a is not type(None))
    fast = _fast(hint, namespace, general)
    if fast is None:
        return f"_any({value})"
    x = f"_x{len(namespace)}"
    namespace[x] = None  # only reserves a distinct name for the walrus below
    exact = _type_name(typing.get_origin(hint) or hint, namespace)
    text = f"({fast.format(x=x)} if ({x} := {value}).__class__ is {exact}"
    if optional:
        text += f" else 'null' if {x} is None"
    return text + f" else _any({x}))"


def _fast(hint: Any, namespace: dict[str, Any], general: Callable[[Any], Any]) -> str | None:
    """The fast expression for a value ``{x}`` of exactly type ``hint``, if there is one."""
    if hint is str:
        return "_enc({x})"
    if hint is int:
        return "_int({x})"
    if hint is Decimal:
        return "'\"' + str({x}) + '\"'"  # a Decimal's text needs no escaping
    if hint is date:
        return "'\"' + {x}.isoformat() + '\"'"
    if typing.get_origin(hint) is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            element = _field(args[0], "_e", namespace, general)
            # Most of these tuples are empty (problems, notes, conditions): no join for them.
            return "(('[' + ', '.join([" + element + " for _e in {x}]) + ']') if {x} else '[]')"
        return None
    if isinstance(hint, type) and issubclass(hint, tuple) and hasattr(hint, "_fields"):
        name = f"_write_{hint.__name__}"
        if name not in namespace:
            write = record_writer(hint, general)
            namespace[name] = _remembering(write) if hint.__name__ in REMEMBERED else write
        return name + "({x})"
    return None


def _type_name(hint: type, namespace: dict[str, Any]) -> str:
    name = f"_t_{hint.__module__.replace('.', '_')}_{hint.__qualname__.replace('.', '_')}"
    namespace[name] = hint
    return name


#: String properties the general conversion adds after a record's fields, by record type.
_EXTRA: dict[str, dict[str, str]] = {"Alternative": {"message": "message"}}
