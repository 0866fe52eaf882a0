"""JSON text of a decision's parts with the standard library's C encoder built once.

``json.JSONEncoder.encode`` builds its C encoder afresh on every call (``c_make_encoder`` with
the encoder's options, then a list of chunks): a fixed 2–3 µs, paid five times per decision
for texts of a few hundred characters. :func:`text_encoder` builds it once and gives the same
text. It leaves out the circular-reference check (the values written here are dicts and lists
built for the call, never circular; a circular one would fail with ``RecursionError`` instead
of ``ValueError``). Where the C encoder is missing or its signature has changed, the encoder
is checked against ``JSONEncoder`` on a probe value at import and the plain ``encode`` is used
instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json import encoder as _json

#: A value covering every kind the decisions write: nested dicts and lists, text with quotes,
#: control and non-ASCII characters, numbers, booleans and null, keys out of order.
_PROBE: object = {
    "z": [1, 2.5, -0.0, True, False, None, 'a"b\\c\n\x01', "高级认证企业"],
    "a": {"k": [], "j": {}, "1": 10**20},
}


def text_encoder(*, sort_keys: bool, ensure_ascii: bool = False) -> Callable[[object], str]:
    """``json.JSONEncoder(sort_keys=…, ensure_ascii=…).encode`` (default separators), built once."""
    plain = json.JSONEncoder(sort_keys=sort_keys, ensure_ascii=ensure_ascii)
    make = getattr(_json, "c_make_encoder", None)
    if make is None:
        return plain.encode
    escape = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
    try:
        chunks = make(None, plain.default, escape, None, ": ", ", ", sort_keys, False, True)

        def encode(value: object) -> str:
            """The JSON text of ``value``."""
            return "".join(chunks(value, 0))

        if encode(_PROBE) != plain.encode(_PROBE):
            return plain.encode
    except TypeError:  # another signature of the C encoder
        return plain.encode
    return encode
