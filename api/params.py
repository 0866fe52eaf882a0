"""Parameter types shared by the routes: ids are positive and fit a 64-bit column; a query
parameter is given once (unless the route takes a list of it)."""

from __future__ import annotations

from typing import Annotated, get_args, get_origin

from fastapi import Path, Request
from fastapi.routing import APIRoute

from api.problems import ProblemError

#: The largest row id or cursor a store column holds (signed 64 bits).
MAX_ID = 2**63 - 1
#: A row id in a path (a message, an answer, a version).
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


def single_query_values(request: Request) -> None:
    """Refuse (422 ``invalid_request``) a query parameter given more than once, unless the
    route takes a list of it (``?office=2201&office=5300`` on the officers' queue).

    FastAPI reads the last of repeated values of a one-value parameter and drops the others
    without a word: ``?status=released&status=rejected`` would answer for ``rejected`` alone.
    A client that meant both is told instead. Parameters no route knows are ignored as before.
    """
    if not request.scope.get("query_string"):
        return
    lists = _list_parameters(request.scope.get("route"))
    seen: set[str] = set()
    repeated: list[str] = []
    for key, _ in request.query_params.multi_items():
        if key in seen and key not in lists and key not in repeated:
            repeated.append(key)
        seen.add(key)
    if repeated:
        errors = [
            {"location": f"query.{key}", "message": "given more than once; give it once"}
            for key in repeated
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
        raise ProblemError(422, "invalid_request", detail, errors=errors)


def _list_parameters(route: object) -> frozenset[str]:
    """The query parameters (by their name in the URL) ``route`` takes a list of."""
    if not isinstance(route, APIRoute):
        return frozenset()
    cached = _LISTS.get(route.unique_id)
    if cached is None:
        cached = frozenset(
            field.alias
            for field in route.dependant.query_params
            if _is_list(field.field_info.annotation)
        )
        _LISTS[route.unique_id] = cached
    return cached


def _is_list(annotation: object) -> bool:
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return any(_is_list(arg) for arg in get_args(annotation)) if origin is not None else False


#: Each route's list parameters (by its operation's unique id), worked out on its first request
#: with a query.
_LISTS: dict[str, frozenset[str]] = {}
