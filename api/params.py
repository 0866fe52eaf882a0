"""Parameter types shared by the routes: ids are positive and fit a 64-bit column; a query
parameter is one the route takes, given once (unless the route takes a list of it)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Annotated, get_args, get_origin

from fastapi import Path, Request
from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.problems import ProblemError

#: The largest row id or cursor a store column holds (signed 64 bits).
MAX_ID = 2**63 - 1
#: A row id in a path (a message, an answer, a version).
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


def checked_query(request: Request) -> None:
    """Refuse (422 ``invalid_request``, each parameter named) a query parameter the route does
    not take, or a one-value parameter given more than once.

    A parameter no route knows used to be ignored: ``GET /v1/declarations?statuss=released``
    answered the whole list, and a broker's typo silently widened what it asked for. FastAPI
    also reads the last of repeated values of a one-value parameter and drops the others:
    ``?status=released&status=rejected`` would answer for ``rejected`` alone. A route that
    takes a list of a parameter (``?office=2201&office=5300`` on the officers' queue) still
    takes it repeated.
    """
    if not request.scope.get("query_string"):
        return
    known = _query_parameters(request.scope.get("route"))
    if known is None:
        return  # not one of our routes: nothing to check against
    seen: set[str] = set()
    errors: list[dict[str, str]] = []
    for key, _ in request.query_params.multi_items():
        if key not in known.names:
            if key not in seen:
                errors.append({"location": f"query.{key}", "message": _unknown(key, known)})
        elif key in seen and key not in known.lists:
            message = "given more than once; give it once"
            if not any(e["location"] == f"query.{key}" for e in errors):
                errors.append({"location": f"query.{key}", "message": message})
        seen.add(key)
    if errors:
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
        raise ProblemError(422, "invalid_request", detail, errors=errors)


def _unknown(key: str, known: _Query) -> str:
    if not known.names:
        return "not a parameter: this operation takes no query parameters"
    close = get_close_matches(key, sorted(known.names), n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"not a parameter of this operation (it takes {', '.join(sorted(known.names))}){hint}"


@dataclass(frozen=True, slots=True)
class _Query:
    """A route's query parameters by their name in the URL, and those it takes a list of."""

    names: frozenset[str]
    lists: frozenset[str]


def _query_parameters(route: object) -> _Query | None:
    """The query parameters of ``route`` (its dependencies' included), or None if it is not
    an API route."""
    if not isinstance(route, APIRoute):
        return None
    cached = _QUERIES.get(route.unique_id)
    if cached is None:
        fields = list(_query_fields(route.dependant))
        cached = _Query(
            names=frozenset(f.alias for f in fields),
            lists=frozenset(f.alias for f in fields if _is_list(f.field_info.annotation)),
        )
        _QUERIES[route.unique_id] = cached
    return cached


def _query_fields(dependant: Dependant) -> Iterator[ModelField]:
    yield from dependant.query_params
    for inner in dependant.dependencies:
        yield from _query_fields(inner)


def _is_list(annotation: object) -> bool:
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return any(_is_list(arg) for arg in get_args(annotation)) if origin is not None else False


#: Each route's query parameters (by its operation's unique id), worked out on its first request
#: with a query.
_QUERIES: dict[str, _Query] = {}
