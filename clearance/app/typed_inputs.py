"""A use case's typed input built from a front door's loose fields, refused field by field.

The CLI's options, a form's fields and a query's parameters arrive as loose values; each use
case takes a pydantic model. :func:`typed_input` is the one place that turns the first into the
second, so every front door refuses bad input the same way: a :class:`RefusedError` naming each
field that is wrong (``reason: ...; kind: ...``), never a pydantic traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from clearance.app.errors import RefusedError

M = TypeVar("M", bound=BaseModel)


def typed_input(model: type[M], fields: Mapping[str, Any], *, field_prefix: str = "") -> M:
    """``model`` from loose ``fields``, or ``RefusedError`` naming each field refused.

    ``field_prefix`` is put before each field's name in the message, so a front door can name
    the field as its user typed it (the CLI's ``--origin``); a problem with the whole input
    (no field) is named ``input``.
    """
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise RefusedError(
            "; ".join(
                f"{field_prefix}{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}"
                for e in exc.errors()
            )
        ) from exc


__all__ = ["typed_input"]
