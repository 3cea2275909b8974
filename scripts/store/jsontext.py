"""Indented JSON text, byte for byte what json.dumps(sort_keys=True, indent=2, ensure_ascii=False) writes, faster.

With an indent, the standard library encodes in pure Python, one generator step per value: writing a 6 MB month file
took longer than rendering its pages. Here strings go through json's C string encoder and each container is one join.
Anything out of the ordinary (a non-string key, a non-finite float, a subclass, an unknown type) is left to json.dumps.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring  # the C encoder when available, as json.dumps uses with ensure_ascii=False
from typing import Any


class Unusual(Exception):
    """A value this encoder leaves to json.dumps."""


def encode_value(value: Any, indent: str) -> str:  # noqa: PLR0911 -- one return a JSON type
    """Return one value's JSON text, nested lines indented two spaces deeper than `indent`."""
    kind = type(value)  # compared with `is`, the fast path; mypy cannot narrow on it, hence `value: Any` (as json.dumps)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        return encode_dict(value, indent) if value else "{}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = indent + "  "
        items = [encode_basestring(item) if type(item) is str else encode_value(item, inner) for item in value]
        return "[\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "]"
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    raise Unusual(kind.__name__)


def encode_dict(value: dict[str, Any], indent: str) -> str:
    """Return a non-empty object's JSON text, keys sorted."""
    if not all(type(key) is str for key in value):
        raise Unusual("non-string key")
    inner = indent + "  "
    items = [encode_basestring(key) + ": " + (encode_basestring(item) if type(item) is str else encode_value(item, inner))
             for key, item in sorted(value.items())]
    return "{\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "}"


def dumps(value: object) -> str:
    """Return value as indented JSON with sorted keys and non-ASCII characters kept, exactly as json.dumps would."""
    try:
        return encode_value(value, "")
    except Unusual:
        return json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)
