"""Hypothesis strategies for the JSON Schemas of the OpenAPI document.

hypothesis-jsonschema 0.23 fails on objects with the Hypothesis of this repository, so the fuzz
draws from this small generator of the subset the document uses: types, properties, required
and additional properties, ``anyOf``/``oneOf``, ``$ref``, ``enum``/``const``, patterns, the date
formats and arrays. With a small chance an optional property is left out or a wrong value is
put in, so both the valid and the nearly valid shapes reach the service.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["from_schema"]

_LEAF = st.none() | st.booleans() | st.integers() | st.text(max_size=8)


def from_schema(
    schema: dict[str, Any], root: dict[str, Any], depth: int = 0
) -> st.SearchStrategy[Any]:
    """Values of ``schema`` (``$ref`` resolved in ``root``), nested at most a few levels."""
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return st.deferred(lambda: from_schema(target, root, depth + 1))
    if depth > 6:
        return _LEAF
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of([from_schema(s, root, depth + 1) for s in schema[key]])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([from_schema({**schema, "type": k}, root, depth) for k in kind])
    if kind == "object":
        return _object(schema, root, depth)
    if kind == "array":
        items = from_schema(schema.get("items", {}), root, depth + 1)
        return st.lists(items, max_size=3)
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        if schema.get("format") == "date":
            return st.dates().map(str)
        if schema.get("format") == "date-time":
            return st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat())
        return st.text(min_size=schema.get("minLength", 0), max_size=12)
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum"), max_value=10**6)
    return {"boolean": st.booleans(), "null": st.none()}.get(kind, _LEAF)


def _object(schema: dict[str, Any], root: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", ()))
    fields = {
        name: from_schema(sub, root, depth + 1) | _LEAF
        if name not in required
        else from_schema(sub, root, depth + 1)
        for name, sub in properties.items()
    }
    optional = sorted(set(properties) - required)
    extra = schema.get("additionalProperties")
    free = (
        st.dictionaries(st.text(max_size=6), from_schema(extra, root, depth + 1), max_size=2)
        if isinstance(extra, dict)
        else st.just({})
    )
    return st.tuples(
        st.fixed_dictionaries({k: v for k, v in fields.items() if k in required}),
        st.fixed_dictionaries({}, optional={k: fields[k] for k in optional}),
        free,
    ).map(lambda parts: {**parts[2], **parts[1], **parts[0]})
