"""Bind the plugins' policy sections: ``[plugins.NAME]`` tables structured by their specs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import attrs
import cattrs

from agency_core.convert import converter, error_lines
from agency_core.entities._fields import frozen_map
from agency_core.errors import AgencyError, PolicyError
from agency_core.kinds import Registration, Section
from agency_core.policy.compiled import Policy

__all__ = ["bind_sections"]


def bind_sections(policy: Policy, sections: Mapping[str, Registration[Section]]) -> Policy:
    """``policy`` with every declared section structured from its table (or its defaults).

    A table no plugin declares, or one that does not fit its spec, is a :class:`PolicyError`
    naming the path. The sections' effective values are folded into the policy's sha256, so a
    decision names the plugin defaults it was made under as exactly as the file.
    """
    tables = policy.plugin_tables
    problems = [
        f"no registered plugin declares this policy section @ $.plugins.{name}"
        for name in sorted(set(tables) - set(sections))
    ]
    bound: dict[str, Any] = {}
    for name, registration in sorted(sections.items()):
        path = f"$.plugins.{name}"
        try:
            bound[name] = converter.structure(tables.get(name, {}), registration.item.spec)
        except cattrs.BaseValidationError as exc:
            problems += [line.replace("@ $", f"@ {path}", 1) for line in error_lines(exc)]
        except (AgencyError, ValueError, TypeError) as exc:
            problems.append(f"{exc} @ {path}")
    if problems:
        raise PolicyError(policy.source, problems)
    if not bound:
        return policy
    effective = {name: converter.unstructure(value) for name, value in bound.items()}
    text = json.dumps(effective, sort_keys=True, default=str, ensure_ascii=False)
    sha256 = hashlib.sha256(f"{policy.sha256}\n{text}".encode()).hexdigest()
    return attrs.evolve(policy, sha256=sha256, sections=frozen_map(bound))
