"""The OpenAPI 3.1 document, built from the schemas ``agency schema`` prints, not a copy of them.

The request and decision schemas come from :func:`agency_core.codec.request_schema` and
:func:`~agency_core.codec.decision_schema` for the service's engine (so a plugin's kinds are in
them); their ``$defs`` become components, and the service's own bodies are made from their
attrs classes (:mod:`agency_http.bodies`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from agency_core.codec import decision_schema, request_schema
from agency_http.bodies import BODIES, body_schema

if TYPE_CHECKING:
    from agency_core.engine import Engine

__all__ = ["Operation", "openapi_document"]

_COMPONENTS: Final = "#/components/schemas/"
_PARAM: Final = re.compile(r"\{(\w+)(?::(\w+))?\}")


@attrs.frozen
class Operation:
    """One endpoint: its method and path, the function that serves it, and what it takes."""

    method: str
    path: str
    handler: Callable[..., tuple[int, Any]]
    body: type | dict[str, Any] | None = None
    """The body's attrs class (in :data:`~agency_http.bodies.BODIES`), or a schema."""
    answer: str | None = None
    """A ``$ref`` to the schema of the answer."""
    idempotent: bool = False
    """Whether an ``Idempotency-Key`` header is required."""
    status: int = 200
    optional_body: bool = False
    query: tuple[str, ...] = ()
    roles: frozenset[str] = frozenset()
    """Who may call it: an employee holding one of these roles, directly or by inheritance
    (others are refused with 403); empty: any authenticated employee."""
    who: str = ""
    """Who may call it, in words, when its handler decides per call (who may read this
    request, this record); the document's description says it."""

    @property
    def body_schema(self) -> dict[str, Any] | None:
        if self.body is None or isinstance(self.body, dict):
            return self.body
        return {"$ref": f"{_COMPONENTS}{self.body.__name__}"}


def _moved(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$defs`` references pointing at components instead."""
    text = json.dumps(schema).replace('"#/$defs/', f'"{_COMPONENTS}')
    moved: dict[str, Any] = json.loads(text)
    return moved


def components(engine: Engine) -> dict[str, Any]:
    """Every schema of the document, by name."""
    request = _moved(request_schema(engine))
    schemas: dict[str, Any] = dict(request.pop("$defs"))
    own = {
        "Request": {"oneOf": request["oneOf"], "description": request["title"]},
        "Decision": {k: v for k, v in decision_schema(engine).items() if k != "$schema"},
        "ApprovalBody": next(
            v for v in request["oneOf"] if v["properties"]["kind"] == {"const": "approval"}
        ),
        "Errors": {
            "type": "object",
            "properties": {
                "errors": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "decision": {"$ref": f"{_COMPONENTS}Decision"},
            },
            "required": ["errors"],
        },
        **{cls.__name__: body_schema(cls) for cls in BODIES},
    }
    clash = set(own) & set(schemas)
    if clash:
        raise ValueError(f"schema names used twice: {sorted(clash)}")
    return {**schemas, **own}


def _parameters(operation: Operation) -> list[dict[str, Any]]:
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 0} if kind == "int" else {"type": "string"},
        }
        for name, kind in _PARAM.findall(operation.path)
    ]
    params += [
        {"name": q, "in": "query", "required": False, "schema": {"type": "string"}}
        for q in operation.query
    ]
    if operation.idempotent:
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                "description": "The same key again has one effect and returns the first answer.",
            }
        )
    return params


def _who(operation: Operation) -> str:
    if operation.who:
        return operation.who
    if not operation.roles:
        return "Any authenticated employee may call it."
    return (
        f"Only an employee holding one of the roles {', '.join(sorted(operation.roles))} "
        "(directly or by the policy's inheritance) may call it; anyone else is refused with 403."
    )


def openapi_document(engine: Engine, operations: Sequence[Operation]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``operations`` under ``engine``'s kinds and policy."""
    errors = {"application/json": {"schema": {"$ref": f"{_COMPONENTS}Errors"}}}
    paths: dict[str, Any] = {}
    for op in operations:
        answer = {"$ref": op.answer} if op.answer else {"type": ["object", "array"]}
        spec: dict[str, Any] = {
            "operationId": op.handler.__name__,
            "summary": (op.handler.__doc__ or "").strip().splitlines()[0],
            "description": _who(op),
            "parameters": _parameters(op),
            "responses": {
                str(op.status): {
                    "description": "done",
                    "content": {"application/json": {"schema": answer}},
                },
                "4XX": {"description": "refused or bad input", "content": errors},
                "503": {"description": "the database failed; nothing saved", "content": errors},
            },
        }
        if op.roles:
            spec["x-agency-roles"] = sorted(op.roles)
        schema = op.body_schema
        if schema is not None:
            spec["requestBody"] = {
                "required": not op.optional_body,
                "content": {"application/json": {"schema": schema}},
            }
        paths.setdefault(_PARAM.sub(r"{\1}", op.path), {})[op.method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "agency-core HTTP service",
            "version": engine.policy.version,
            "description": "Decisions, approvals, duties, the records registry, the decision log "
            "and the audit sweeps of agency-core. The actor is always the caller.",
        },
        "paths": paths,
        "components": {
            "schemas": components(engine),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }
