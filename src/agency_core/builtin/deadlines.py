"""Deadlines on the policy's working calendar (CONTROLS.md section 4, 民法典 §201-§203)."""

from __future__ import annotations

from datetime import datetime

from agency_core.calendar import Deadline, Period
from agency_core.hookspecs import hookimpl
from agency_core.policy import Policy


@hookimpl(trylast=True)
def agency_deadline(start: datetime, period: Period, policy: Policy) -> Deadline:
    """Count ``period`` from the day after ``start`` in the firm's time zone."""
    return policy.calendar.deadline(start, period, policy.timezone)
