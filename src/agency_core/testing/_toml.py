"""Broken policy files for the loader fuzz tests: random bytes, random TOML, mutated defaults."""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from hypothesis import strategies as st

__all__ = ["broken_policies", "dumps"]


def _key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal):
        return str(value) if isinstance(value, int) else json.dumps(str(value))
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as TOML")


def dumps(document: dict[str, Any]) -> str:
    """``document`` as TOML: one top-level key per line, nested values as inline tables."""
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in document.items())


@cache
def _default() -> bytes:
    return resources.files("agency_core.policy").joinpath("default.toml").read_bytes()


def _scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.booleans(),
        st.integers(-(2**63), 2**63 - 1),
        st.floats(),
        st.text(max_size=12),
        st.dates(),
        st.datetimes(),
        st.times(),
        st.sampled_from(["CNY", "XXX", "inclusive", "event", "permanent", "-1", "1e999", "0"]),
    )


def _values() -> st.SearchStrategy[Any]:
    return st.recursive(
        _scalars(),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    """The default policy with one value replaced, one key removed or one key added."""
    document: Any = tomllib.loads(_default().decode())
    node = document
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, dict | list) or not child or draw(st.booleans()):
            how = draw(st.sampled_from(("replace", "remove", "add")))
            if how == "replace":
                node[key] = draw(_values())
            elif how == "remove" and isinstance(node, dict):
                del node[key]
            elif how == "remove":
                node.pop(key)
            elif isinstance(node, dict):
                node[draw(st.text(min_size=1, max_size=8))] = draw(_values())
            else:
                node.append(draw(_values()))
            break
        node = child
    return dumps(document).encode("utf-8", "surrogatepass")


@st.composite
def _spliced(draw: st.DrawFn) -> bytes:
    """The default policy text with a line dropped, doubled, or the file cut short."""
    lines = _default().splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    how = draw(st.sampled_from(("drop", "double", "cut")))
    if how == "drop":
        del lines[index]
    elif how == "double":
        lines.insert(index, lines[index])
    else:
        return b"".join(lines)[: draw(st.integers(0, len(_default())))]
    return b"".join(lines)


def broken_policies() -> st.SearchStrategy[bytes]:
    """Policy files that are usually wrong: random bytes, random TOML, mutated or spliced
    defaults. The loader must raise an :class:`~agency_core.errors.AgencyError` or load them."""
    documents = st.dictionaries(st.text(max_size=8), _values(), max_size=4).map(
        lambda d: dumps(d).encode("utf-8", "surrogatepass")
    )
    return st.one_of(st.binary(max_size=200), documents, _mutated(), _spliced())
