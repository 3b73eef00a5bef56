"""JSON in and out: requests from JSON, decisions to JSON, and their JSON Schemas.

Money is ``{"amount": "12000.00", "currency": "CNY"}`` (amounts as strings or integers, never
floats); dates are ISO 8601, datetimes ISO 8601 with a UTC offset; sets and tuples are arrays.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, get_args, get_origin

import attrs
import cattrs

from agency_core.convert import converter, error_lines
from agency_core.decision import LANGUAGES
from agency_core.engine import KINDS
from agency_core.entities import Money
from agency_core.errors import InvalidInput
from agency_core.transitions import TransitionCheck

if TYPE_CHECKING:
    from agency_core.engine import Engine

__all__ = [
    "decision_schema",
    "parse_json",
    "request_from_json",
    "request_schema",
    "request_to_json",
]


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _v in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise ValueError(f"duplicate key {twice[:40]!r}")
    return result


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str | bytes) -> Any:
    """``text`` parsed as strict JSON: duplicate keys, NaN, infinities and lone surrogates
    (which no UTF-8 store holds) are refused; :class:`InvalidInput` when it is not JSON."""
    try:
        data = json.loads(text, object_pairs_hook=_unique, parse_constant=_constant)
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeError:
        raise InvalidInput("not valid JSON: a lone surrogate or bytes that are not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"not valid JSON: {str(exc)[:200]}") from None
    return data


def _kinds(engine: Engine | None) -> Mapping[str, type]:
    if engine is None:
        return KINDS
    return {name: registration.item.request for name, registration in engine.kinds.items()}


def request_from_json(data: str | bytes | Mapping[str, Any], engine: Engine | None = None) -> Any:
    """The request described by JSON ``data``: an object with a ``kind`` and that kind's fields.

    ``engine`` brings the kinds and state machines its plugins registered (the core's only when
    None).
    """
    if isinstance(data, str | bytes):
        data = parse_json(data)
    if not isinstance(data, Mapping):
        raise InvalidInput(f"a request is a JSON object with a kind, not {type(data).__name__}")
    kinds = _kinds(engine)
    fields = dict(data)
    kind = fields.pop("kind", None)
    if not isinstance(kind, str) or kind not in kinds:
        shown = repr(kind)[:40]
        raise InvalidInput(
            f"kind must be one of {', '.join(sorted(kinds))}, not {shown}", path="$.kind"
        )
    try:
        request: Any = converter.structure(fields, kinds[kind])
        if isinstance(request, TransitionCheck) and request.data is not None and engine:
            machine = engine.machines.get(request.subject_kind)
            if machine is not None and machine.item.data is not None:
                data_type = machine.item.data
                request = attrs.evolve(request, data=converter.structure(request.data, data_type))
        return request
    except cattrs.BaseValidationError as exc:
        raise InvalidInput(f"invalid {kind} request", problems=error_lines(exc)) from None
    except (ValueError, TypeError, RecursionError) as exc:
        raise InvalidInput(f"invalid {kind} request: {exc}") from None


def request_to_json(request: object, engine: Engine | None = None) -> dict[str, Any]:
    """``request`` as a JSON-ready dict, ``kind`` first; :func:`request_from_json` reads it back."""
    kind = next((k for k, cls in _kinds(engine).items() if type(request) is cls), None)
    if kind is None:
        raise InvalidInput(f"{type(request).__name__} is not a registered kind of request")
    return {"kind": kind, **converter.unstructure(request)}


# --------------------------------------------------------------------------------------------------
# JSON Schema, generated from the attrs classes so it cannot drift from them.
# --------------------------------------------------------------------------------------------------

_SCALARS: Final[dict[Any, dict[str, Any]]] = {
    Any: {},
    str: {"type": "string"},
    int: {"type": "integer"},
    bool: {"type": "boolean"},
    Decimal: {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"},
    date: {"type": "string", "format": "date"},
    datetime: {"type": "string", "format": "date-time"},
}
_MONEY_SCHEMA: Final = {
    "type": "object",
    "properties": {
        "amount": {
            "anyOf": [{"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}, {"type": "integer"}]
        },
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
    "required": ["amount", "currency"],
    "additionalProperties": False,
}


def _schema_of(kind: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if kind in _SCALARS:
        return dict(_SCALARS[kind])
    if kind is Money:
        defs["Money"] = _MONEY_SCHEMA
        return {"$ref": "#/$defs/Money"}
    origin, args = get_origin(kind), get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [_schema_of(a, defs) for a in args]}
    if kind is type(None):
        return {"type": "null"}
    if origin is tuple:
        return {"type": "array", "items": _schema_of(args[0], defs)}
    if origin is frozenset:
        return {"type": "array", "items": _schema_of(args[0], defs), "uniqueItems": True}
    if origin in (dict, Mapping):
        return {"type": "object", "additionalProperties": _schema_of(args[1], defs)}
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return {"enum": [member.value for member in kind]}
    if attrs.has(kind):
        if kind.__name__ not in defs:
            defs[kind.__name__] = {}  # placeholder against recursion
            defs[kind.__name__] = _object_schema(kind, defs)
        return {"$ref": f"#/$defs/{kind.__name__}"}
    raise TypeError(f"no JSON Schema for {kind!r}")


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    fields = attrs.fields(cls)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {f.name: _schema_of(hints[f.name], defs) for f in fields if f.init},
        "required": [f.name for f in fields if f.init and f.default is attrs.NOTHING],
        "additionalProperties": False,
    }
    if cls.__doc__:
        schema["description"] = cls.__doc__.strip().splitlines()[0]
    return schema


def request_schema(engine: Engine | None = None) -> dict[str, Any]:
    """The JSON Schema of a request: one of the kinds, each with ``kind`` and its fields."""
    defs: dict[str, Any] = {}
    variants = []
    for kind, cls in _kinds(engine).items():
        body = _object_schema(cls, defs)
        body["properties"] = {"kind": {"const": kind}, **body["properties"]}
        body["required"] = ["kind", *body["required"]]
        if cls is TransitionCheck:
            machines = engine.machines.values() if engine is not None else ()
            data = [_schema_of(m.item.data, defs) for m in machines if m.item.data is not None]
            body["properties"]["data"] = {"anyOf": [*data, {"type": "null"}]}
        variants.append(body)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "agency-core request",
        "oneOf": variants,
        "$defs": defs,
    }


def decision_schema(engine: Engine | None = None) -> dict[str, Any]:
    """The JSON Schema of a decision as :meth:`Decision.to_dict` writes it."""
    text = {"type": "string"}
    finding = {
        "type": "object",
        "properties": {
            "control": text,
            "severity": {"enum": ["info", "warning", "approval", "deny"]},
            "plugin": text,
            "facts": {
                "type": "object",
                "additionalProperties": {"type": ["string", "integer", "boolean", "null"]},
            },
            "message": {
                "type": "object",
                "properties": dict.fromkeys(LANGUAGES, text),
                "required": list(LANGUAGES),
                "additionalProperties": False,
            },
        },
        "required": ["control", "severity", "plugin", "facts", "message"],
        "additionalProperties": False,
    }
    route = {
        "type": "object",
        "properties": {
            "action": text,
            "steps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"role": text, "scope": {"enum": ["company", "department"]}},
                    "required": ["role", "scope"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["action", "steps"],
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "agency-core decision",
        "type": "object",
        "properties": {
            "kind": {"enum": sorted(_kinds(engine))},
            "outcome": {"enum": ["allow", "needs_approval", "deny"]},
            "route": {"anyOf": [route, {"type": "null"}]},
            "findings": {"type": "array", "items": finding},
            "policy": {
                "type": "object",
                "properties": {
                    "version": text,
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                },
                "required": ["version", "sha256"],
                "additionalProperties": False,
            },
            "plugins": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        },
        "required": ["kind", "outcome", "route", "findings", "policy", "plugins"],
        "additionalProperties": False,
    }
