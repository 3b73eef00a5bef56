"""The policy section ``[plugins.legal]``.

The sources (代办公司管理制度 二(二)5: 法务部审查代办业务合同) give legal review to the legal
department without numbers; the one setting is who counts as a legal reviewer.
"""

from __future__ import annotations

from typing import Any

import attrs

from agency_core.errors import InvalidInput

__all__ = ["LegalPolicy"]


def _roles(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, tuple)
        or not value
        or not all(isinstance(role, str) and role.strip() for role in value)
    ):
        raise InvalidInput(f"{attribute.name} must be a non-empty list of role codes")


@attrs.frozen
class LegalPolicy:
    """Who may pass a contract's legal review (LEG-01)."""

    reviewer_roles: tuple[str, ...] = attrs.field(default=("legal_reviewer",), validator=_roles)
    """Roles (inherited roles count) whose holders review contracts for legal."""
