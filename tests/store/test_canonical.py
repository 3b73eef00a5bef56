"""The canonical bytes are stable: what the log and idempotency keys hashed yesterday, they hash
today. A change here changes every stored digest: make it only with a migration of the log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from agency_core import ApprovalRequest, Delegation, Employee, Engine, Money, StepCheck
from agency_core.entities import (
    Charge,
    Contract,
    FeeSchedule,
    ScheduleItem,
    StepAction,
    Verdict,
)
from agency_core.requests import ChargeCheck
from agency_core.store.canonical import canonical, canonical_text, digest

BJ = timezone(timedelta(hours=8))
AT = datetime(2026, 2, 28, 23, 30, 5, 120, tzinfo=BJ)
CLAIM = ApprovalRequest(
    "报销-1", "expense_reimbursement", Money("5000.00", "CNY"), "sales", "E1", Money("12000", "CNY")
)


def _step() -> StepCheck:
    route = Engine().route_approval(CLAIM).route
    assert route is not None
    head = Employee("H1", "sales", frozenset({"dept_head", "employee"}), "张三")
    leave = Delegation("H1", "D1", AT, AT + timedelta(days=3), "leave")
    action = StepAction(0, "H1", Verdict.APPROVE, AT, "ok")
    return StepCheck(CLAIM, route, action, head, delegations=(leave,))


def _charge() -> ChargeCheck:
    fees = {"registration": Money("800", "CNY"), "filing": Money("1.5", "USD")}
    contract = Contract("K1", "C1", "CL1", AT, fees)
    schedule = FeeSchedule(
        "2026", date(2026, 1, 1), (ScheduleItem("registration", Money("800", "CNY"), "注册"),)
    )
    return ChargeCheck(
        Charge("X1", "C1", "registration", Money("800.00", "CNY")), contract, (schedule,)
    )


GOLDEN = [
    (
        lambda: CLAIM,
        '{"action":"expense_reimbursement","amount":{"amount":"5000.00","currency":"CNY"},"budget_remaining":{"amount":"12000.00","currency":"CNY"},"department":"sales","id":"报销-1","requester":"E1"}',
    ),
    (
        _step,
        '{"action":{"actor":"H1","at":"2026-02-28T15:30:05.000120+00:00","on_behalf_of":null,"reason":"ok","step":0,"verdict":"approve"},"actor":{"department":"sales","id":"H1","name":"张三","roles":["dept_head","employee"]},"delegations":[{"delegate":"D1","ends":"2026-03-03T15:30:05.000120+00:00","principal":"H1","reason":"leave","starts":"2026-02-28T15:30:05.000120+00:00"}],"history":[],"principal":null,"request":{"action":"expense_reimbursement","amount":{"amount":"5000.00","currency":"CNY"},"budget_remaining":{"amount":"12000.00","currency":"CNY"},"department":"sales","id":"报销-1","requester":"E1"},"route":{"action":"expense_reimbursement","findings":[{"control":"APR-01","facts":{"action":"expense_reimbursement","route":"dept_head → finance_reviewer","tier":"amount <= 5000 CNY"},"plugin":"agency_core.builtin.approvals","severity":"approval","text":{"en":"{action} in the tier {tier} needs: {route}","zh":"{action} 金额档位 {tier}，审批链：{route}"}}],"steps":[{"role":"dept_head","scope":"department"},{"role":"finance_reviewer","scope":"company"}]}}',
    ),
    (
        _charge,
        '{"charge":{"amount":{"amount":"800.00","currency":"CNY"},"case_id":"C1","delivered":false,"id":"X1","item":"registration","settled":false,"third_party":false},"contract":{"adjustments":[],"case_id":"C1","client_id":"CL1","disclosed_at":null,"disclosure_acknowledged":false,"fees":{"filing":{"amount":"1.50","currency":"USD"},"registration":{"amount":"800.00","currency":"CNY"}},"id":"K1","signed_at":"2026-02-28T15:30:05.000120+00:00"},"schedules":[{"effective_from":"2026-01-01","effective_to":null,"items":[{"code":"registration","name":"注册","price":{"amount":"800.00","currency":"CNY"},"third_party":false}],"version":"2026"}]}',
    ),
    (
        lambda: {"s": frozenset({"b", "a"}), "d": date(2024, 2, 29), "n": None},
        '{"d":"2024-02-29","n":null,"s":["a","b"]}',
    ),
]


@pytest.mark.parametrize(("make", "text"), GOLDEN, ids=["request", "step", "charge", "plain"])
def test_canonical_bytes_do_not_change(make, text):
    value = make()
    assert canonical_text(value) == text
    assert canonical(value) == text.encode("utf-8")
    assert len(digest(value)) == 64


def test_a_datetime_is_hashed_in_utc_whatever_its_offset():
    utc = AT.astimezone(UTC)
    assert (
        canonical_text({"at": AT})
        == canonical_text({"at": utc})
        == '{"at":"2026-02-28T15:30:05.000120+00:00"}'
    )
