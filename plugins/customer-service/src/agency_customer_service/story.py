"""A complaint told from receipt to close, with its escalation: for ``agency`` demos.

:func:`walkthrough` runs on a store with this plugin (and an upgraded schema) and returns the
story as lines; ``agency customer-service demo`` prints it from a scratch SQLite database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from agency_core.entities import Employee
from agency_core.errors import AgencyError
from agency_core.store.audit import run_audit
from agency_core.store.session import Store
from agency_customer_service.entities import ClientResponse, Complaint, FollowUp
from agency_customer_service.store import CustomerService

__all__ = ["STAFF", "walkthrough"]

STAFF = (
    Employee("kefu", "customer_service", (), "客服 周"),
    Employee("zhang", "business", {"dept_head"}, "张主管"),
)
_TZ = ZoneInfo("Asia/Shanghai")


def _at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2025, month, day, hour, tzinfo=_TZ)


def walkthrough(store: Store, case: str = "CASE-2025-000001") -> list[str]:
    """Receive, assign, miss the deadline, escalate, plan, tell, reopen, close; then a visit."""
    lines: list[str] = []
    say: Callable[[str], None] = lines.append
    complaint = Complaint(
        "CP-2025-0001",
        "client-wu",
        "the business licence came back with a wrong address",
        "correct it at no charge",
        "138 0000 0000",
        _at(9, 30),
        _at(9, 30, 10),
        "kefu",
        case,
    )

    def step(what: str, action: Callable[[CustomerService], object]) -> None:
        try:
            with store.transaction() as tx:
                action(CustomerService(tx))
        except AgencyError as exc:
            say(f"{what}: refused ({exc})")
            return
        with store.transaction() as tx:
            item = tx.tracked.get(complaint.id)
        say(f"{what}: {item.state}, due {item.due_on}")

    def overdue(on: date) -> None:
        counts = {f.control: f.count for f in run_audit(store, on=on)}
        say(f"audit on {on}: CS-03 overdue complaints {counts.get('CS-03', 0)}")

    with store.transaction() as tx:
        for person in STAFF:
            tx.employees.put(person)
    step(
        "received 2025-09-30 (CS-01, 5 working days over National Day)",
        lambda cs: cs.receive(complaint, key="demo/receive"),
    )
    step(
        "assigned to business (CS-02)",
        lambda cs: cs.assign(
            complaint.id, "business", "kefu", key="demo/assign", at=_at(9, 30, 11)
        ),
    )
    overdue(date(2025, 10, 15))
    step(
        "plan on 2025-10-15 without escalating (CS-03)",
        lambda cs: cs.plan(complaint.id, "re-file", "zhang", key="demo/plan0", at=_at(10, 15)),
    )
    step(
        "escalated to the department head (CS-03)",
        lambda cs: cs.escalate(complaint.id, "zhang", key="demo/escalate", at=_at(10, 15)),
    )
    overdue(date(2025, 10, 15))
    step(
        "plan recorded (CS-04); the client is owed it in 1 working day (CS-06)",
        lambda cs: cs.plan(
            complaint.id, "re-file at our cost", "zhang", key="demo/plan1", at=_at(10, 15, 11)
        ),
    )
    step(
        "client told the plan (CS-06)",
        lambda cs: cs.inform(complaint.id, "kefu", key="demo/inform1", at=_at(10, 16)),
    )
    step(
        "client unsatisfied: reopened with a new period (CS-04)",
        lambda cs: cs.respond(
            complaint.id, ClientResponse.UNSATISFIED, "kefu", key="demo/no", at=_at(10, 16, 15)
        ),
    )
    step(
        "new plan",
        lambda cs: cs.plan(
            complaint.id,
            "re-file at our cost and refund the fee",
            "zhang",
            key="demo/plan2",
            at=_at(10, 17),
        ),
    )
    step(
        "client told",
        lambda cs: cs.inform(complaint.id, "kefu", key="demo/inform2", at=_at(10, 17, 15)),
    )
    step(
        "client satisfied: closed (CS-04)",
        lambda cs: cs.respond(
            complaint.id, ClientResponse.SATISFIED, "kefu", key="demo/yes", at=_at(10, 20)
        ),
    )
    visit = FollowUp("FU-2025-0001", case, "client-wu", _at(10, 20, 16), "kefu")
    with store.transaction() as tx:
        item = CustomerService(tx).schedule_follow_up(visit, key="demo/follow-up")
    say(f"follow-up visit after delivery (CS-05): {item.state}, due {item.due_on}")
    return lines
