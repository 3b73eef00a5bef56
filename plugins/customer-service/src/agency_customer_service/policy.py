"""The policy section ``[plugins.customer_service]``: every number with its shipped default.

The sources (代办公司管理制度 四(二), 服务机构管理办法 客户投诉处理) require a handling deadline
(处理期限) and a reply time (投诉反馈时间, 规定时间内回复) without fixing the numbers; the defaults
are those of CONTROLS.md (CS-02: 5 working days, CS-06: 1 working day). The sources name no time
for recording a complaint (立即记录) or for the follow-up visit (回访): those defaults are a firm's
choice, stated in the docs.
"""

from __future__ import annotations

from typing import Any

import attrs

from agency_core.errors import InvalidInput

__all__ = ["CustomerServicePolicy"]


def _days(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365:
        raise InvalidInput(f"{attribute.name} must be a whole number of days from 1 to 365")


def _hours(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 72:
        raise InvalidInput(f"{attribute.name} must be a whole number of hours from 0 to 72")


@attrs.frozen
class CustomerServicePolicy:
    """Deadlines of the customer-service controls, in working days unless named otherwise."""

    handling_days: int = attrs.field(default=5, validator=_days)
    """CS-02: working days the responsible department has to propose a handling plan."""
    reply_days: int = attrs.field(default=1, validator=_days)
    """CS-06: working days to answer an inquiry, or to tell a complaining client the plan."""
    follow_up_days: int = attrs.field(default=5, validator=_days)
    """CS-05: working days after delivery within which the follow-up visit (回访) is due."""
    record_within_hours: int = attrs.field(default=1, validator=_hours)
    """CS-01: hours between receiving a complaint and recording it (立即记录)."""
