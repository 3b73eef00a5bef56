"""The one cattrs converter of agency-core: what comes in, what goes out, and its error lines.

``converter`` reads policy files, calendar files, plugin policy sections and JSON requests
strictly (unknown keys and loose types refused) and writes the JSON the CLI, the log and hosts
see: money as ``{"amount": "12.50", "currency": "CNY"}``, decimals as strings, dates and
datetimes in ISO 8601, sets as sorted arrays, findings and decisions with their messages in
every language. ``canonical`` is the same rules for the bytes that are hashed
(:mod:`agency_core.store.canonical`): datetimes in UTC with microseconds, and attrs instances
field by field as they are, whatever their annotations say.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Set
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final, TypeVar

import attrs
import cattrs
from cattrs.cols import is_any_set, is_sequence
from cattrs.v import format_exception

from agency_core.decision import LANGUAGES, Decision, Fact, Finding
from agency_core.entities.money import Money, to_decimal
from agency_core.errors import AgencyError

__all__ = ["canonical", "converter", "error_lines", "finding_view", "utc_iso"]

T = TypeVar("T")


def _exactly(kind: type) -> Any:
    def structure(value: object, _type: type) -> object:
        if type(value) is not kind:
            raise ValueError(f"expected {kind.__name__}, not {type(value).__name__} {value!r}")
        return value

    return structure


def _enum(value: object, type_: type[enum.Enum]) -> enum.Enum:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"expected one of {[m.value for m in type_]}, not {value!r}")
    return type_(value)


# What the published JSON Schema allows (ASCII digits only: ``\d`` would take full-width ones).
DECIMAL: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")
DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATETIME: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)


def _decimal(value: object, _type: type) -> Decimal:
    if isinstance(value, float):
        raise ValueError(f"write amounts as strings or integers, not the float {value!r}")
    if isinstance(value, str) and not DECIMAL.fullmatch(value):
        raise ValueError(f"expected a decimal such as 12.50, not {value[:40]!r}")
    return to_decimal(value)


def _date(value: object, _type: type) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and DATE.fullmatch(value):
        return date.fromisoformat(value)
    raise ValueError(f"expected a date such as 2026-01-31, not {str(value)[:40]!r}")


def _datetime(value: object, _type: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and DATETIME.fullmatch(value):
        return datetime.fromisoformat(value)
    raise ValueError(
        f"expected a datetime such as 2026-01-31T09:00:00+08:00, not {str(value)[:40]!r}"
    )


def _strict(converter: cattrs.Converter) -> None:
    """Refuse loose types: strings, integers and booleans must have exactly that type; enums
    take their values; decimals come from strings or integers; dates and datetimes from ISO 8601
    strings; money is ``{"amount", "currency"}`` with the amount as the schema publishes it."""
    for kind in (str, int, bool):
        converter.register_structure_hook(kind, _exactly(kind))
    for base in (enum.Enum, enum.StrEnum):  # StrEnum: more specific than str in the MRO
        converter.register_structure_hook(base, _enum)
    converter.register_structure_hook(Decimal, _decimal)
    converter.register_structure_hook(date, _date)
    converter.register_structure_hook(datetime, _datetime)
    converter.register_structure_hook(Money, _money)
    converter.register_structure_hook_func(lambda t: t == Fact, _fact)
    _refuse_strings_as_collections(converter)


def _fact(value: object, _type: object) -> Fact:
    if value is None or type(value) in (str, int, bool):
        return value  # type: ignore[return-value]
    raise ValueError(f"a fact is a string, an integer, a boolean or null, not {value!r}")


_AMOUNT: Final = re.compile(r"[0-9]+(\.[0-9]+)?")
"""An amount as the request schema publishes it (ASCII digits, no sign, no exponent)."""


def _money(value: object, _type: type) -> Money:
    if not isinstance(value, Mapping) or set(value) != {"amount", "currency"}:
        raise ValueError(f'money must be {{"amount": "...", "currency": "CNY"}}, not {value!r}')
    amount = value["amount"]
    if isinstance(amount, str) and not _AMOUNT.fullmatch(amount):
        raise ValueError(f"amount must be digits with an optional fraction, not {amount[:40]!r}")
    return Money(to_decimal(amount), value["currency"])


def utc_iso(at: datetime) -> str:
    """``at`` in UTC, ISO 8601 with microseconds: how hashed bodies write every datetime."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def finding_view(finding: Finding) -> dict[str, Any]:
    """What readers see of a finding (the decision's JSON, the log's body): its message rendered
    in every language. A finding inside a request (a route's) is written as the entity it is."""
    return {
        "control": finding.control,
        "severity": finding.severity.value,
        "plugin": finding.plugin,
        "facts": dict(finding.facts),
        "message": {lang: finding.message(lang) for lang in LANGUAGES},
    }


def _decision(decision: Decision) -> dict[str, Any]:
    route = decision.route
    return {
        "kind": decision.kind,
        "outcome": decision.outcome.value,
        "route": None
        if route is None
        else {
            "action": route.action,
            "steps": [{"role": s.role, "scope": s.scope.value} for s in route.steps],
        },
        "findings": [finding_view(f) for f in decision.findings],
        "policy": {"version": decision.policy_version, "sha256": decision.policy_sha256},
        "plugins": decision.plugins_sha256,
    }


def _out(converter: cattrs.Converter, datetimes: Any) -> None:
    """How values are written (both converters): the JSON forms of the module docstring."""
    converter.register_unstructure_hook(
        Money, lambda m: {"amount": str(m.amount), "currency": m.currency}
    )
    converter.register_unstructure_hook(Decimal, str)
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(datetime, datetimes)
    converter.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum),
        lambda e: converter.unstructure(e.value),
    )


def _json() -> cattrs.Converter:
    made = cattrs.Converter(forbid_extra_keys=True, unstruct_collection_overrides={Set: sorted})
    _strict(made)
    _out(made, datetime.isoformat)
    made.register_unstructure_hook(Decision, _decision)
    return made


def _canonical() -> cattrs.Converter:
    """Writes by the runtime type of every value, as :func:`agency_core.store.canonical.plain`
    promises: attrs instances field by field, mappings with string keys, sets sorted."""
    made = cattrs.Converter()
    _out(made, utc_iso)
    each = made.unstructure
    made.register_unstructure_hook_factory(attrs.has, lambda cls: _fields_of(cls, each))
    made.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Mapping),
        lambda value: {str(k): each(v) for k, v in value.items()},
    )
    made.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, Set),
        lambda value: sorted(each(v) for v in value),
    )
    made.register_unstructure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, list | tuple),
        lambda value: [each(v) for v in value],
    )
    return made


def _fields_of(cls: type, each: Any) -> Any:
    names = tuple(f.name for f in attrs.fields(cls))
    return lambda value: {name: each(getattr(value, name)) for name in names}


def _refuse_strings_as_collections(converter: cattrs.Converter) -> None:
    """A list, tuple or set never comes from a string (cattrs would split it into characters)."""
    building: set[Any] = set()

    def is_collection(type_: Any) -> bool:
        return type_ not in building and (is_sequence(type_) or is_any_set(type_))

    def factory(type_: Any) -> Any:
        building.add(type_)  # while set, cattrs' own hook for the type is the one dispatched
        try:
            base = converter.get_structure_hook(type_, cache_result=False)
        finally:
            building.discard(type_)

        def structure(value: object, kind: Any) -> Any:
            if isinstance(value, str | bytes):
                raise ValueError(f"expected a list, not the string {value!r}")
            return base(value, kind)

        return structure

    converter.register_structure_hook_factory(is_collection, factory)


def _format(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, ValueError | AgencyError) and str(exc):
        return str(exc)
    return format_exception(exc, type_)


_KEY: Final = re.compile(r"\['([A-Za-z_][A-Za-z0-9_]*)'\]")


def error_lines(exc: cattrs.BaseValidationError) -> list[str]:
    """One line per problem, each ending with the JSON path where it is: ``... @ $.a.b[2]``.

    Mapping keys that are plain names read as fields (``$.roles.cashier``), as in the file.
    """
    lines = cattrs.transform_error(exc, path="$", format_exception=_format)
    return [_KEY.sub(r".\1", line) for line in lines]


converter: Final = _json()
"""Reads policy files and JSON requests strictly, writes JSON for readers."""

canonical: Final = _canonical()
"""Writes the JSON-ready data whose canonical bytes are hashed."""
