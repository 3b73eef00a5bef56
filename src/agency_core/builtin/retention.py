"""RET: records retention and archives (档案管理, 会计档案保管期限), destruction procedure."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.entities import Opinion, Record
from agency_core.hookspecs import hookimpl
from agency_core.policy import Policy, Retention, RetentionRule
from agency_core.requests import DestructionCheck, DisposalCheck, RecordCheck

DENY = Severity.DENY

UNKNOWN_CLASS = Text(
    zh="档案 {record} 的类别 {classes} 不在保管期限表中",
    en="record {record} has classes {classes} that the retention schedule does not know",
)
PERMANENT = Text(
    zh="档案 {record} 属于 {record_class}，须永久保管",
    en="record {record} is a {record_class}, kept permanently",
)
WAITING = Text(
    zh="档案 {record} 的 {classes} 保管期限自事件发生次日起算，事件尚未发生",
    en="record {record}: the retention of {classes} counts from an event that has not happened",
)
NOT_DUE = Text(
    zh="档案 {record} 须保管至 {due}（{record_class}），{on} 不得销毁",
    en="record {record} must be kept until {due} ({record_class}); not destroyable on {on}",
)
EXPIRED = Text(
    zh="档案 {record} 的保管期限已于 {due} 届满（{record_class}）",
    en="the retention of record {record} ended on {due} ({record_class})",
)
HELD = Text(
    zh="档案 {record} 因 {reason} 被冻结（{hold}），不得销毁",
    en="record {record} is under hold {hold} ({reason}) and may not be destroyed",
)
ON_LOAN = Text(
    zh="档案 {record} 已借出给 {borrower}（{loan}），不得销毁",
    en="record {record} is on loan {loan} to {borrower} and may not be destroyed",
)
LOAN_UNAPPROVED = Text(
    zh="档案 {record} 的借阅 {loan} 未经批准",
    en="loan {loan} of record {record} has no approved request",
)
LOAN_OVERDUE = Text(
    zh="档案 {record} 的借阅 {loan} 已于 {due} 到期未还（{borrower}）",
    en="loan {loan} of record {record} to {borrower} was due {due} and is overdue",
)
BAD_NUMBER = Text(
    zh="档案编号 {record} 不符合编号规则 {pattern}",
    en="record number {record} does not follow the numbering scheme {pattern}",
)
NO_BACKUP = Text(
    zh="重要档案 {record} 的备份 {backups} 份，少于要求的 {required} 份",
    en="important record {record} has {backups} backups; {required} required",
)
PROCEDURE = Text(
    zh="销毁清册 {list}：{problem_zh}",
    en="destruction list {list}: {problem}",
)


@hookimpl(trylast=True)
def agency_retention_rule(record_class: str, policy: Policy) -> RetentionRule | None:
    return policy.retention.get(record_class)


@hookimpl
def agency_check_disposal(
    check: DisposalCheck, retention: Retention, policy: Policy
) -> Iterator[Finding]:
    yield from _disposal(check.record, retention, check.on)


def _disposal(record: Record, retention: Retention, on: date) -> Iterator[Finding]:
    """RET-01/02 period over, RET-03 no active hold, RET-06 not on loan."""
    facts: dict[str, Fact] = {
        "record": record.number,
        "record_class": retention.decided_by,
        "on": on.isoformat(),
    }
    if retention.unknown:
        yield Finding(
            "RET-01", DENY, UNKNOWN_CLASS, {**facts, "classes": ", ".join(retention.unknown)}
        )
    elif retention.permanent:
        yield Finding("RET-01", DENY, PERMANENT, facts)
    elif retention.waiting:
        yield Finding("RET-02", DENY, WAITING, {**facts, "classes": ", ".join(retention.waiting)})
    elif retention.due is not None and on < retention.due:
        yield Finding("RET-02", DENY, NOT_DUE, {**facts, "due": retention.due.isoformat()})
    elif retention.due is not None:
        yield Finding("RET-02", Severity.INFO, EXPIRED, {**facts, "due": retention.due.isoformat()})
    for hold in record.holds:
        if hold.active(on):
            yield Finding(
                "RET-03",
                DENY,
                HELD,
                {"record": record.number, "hold": hold.id, "reason": hold.reason},
            )
    for loan in record.loans:
        if loan.out(on):
            yield Finding(
                "RET-06",
                DENY,
                ON_LOAN,
                {"record": record.number, "loan": loan.id, "borrower": loan.borrower},
            )


@hookimpl
def agency_check_record(check: RecordCheck, policy: Policy) -> Iterator[Finding]:
    record = check.record
    prefixes = sorted(policy.prefixes[c] for c in record.classes if c in policy.prefixes)
    pattern = rf"({'|'.join(prefixes) or '[A-Z]+'})-[0-9]{{4}}-[0-9]{{6}}"
    if not prefixes or not re.fullmatch(pattern, record.number):
        shown = f"{'|'.join(prefixes) or 'PREFIX'}-YYYY-NNNNNN"
        yield Finding("RET-05", DENY, BAD_NUMBER, {"record": record.number, "pattern": shown})
    for loan in record.loans:
        facts: dict[str, Fact] = {
            "record": record.number,
            "loan": loan.id,
            "borrower": loan.borrower,
            "due": loan.due_on.isoformat(),
        }
        if not loan.approved:
            yield Finding("RET-06", DENY, LOAN_UNAPPROVED, facts)
        if loan.overdue(check.on):
            yield Finding("RET-06", Severity.WARNING, LOAN_OVERDUE, facts)
    if record.important and record.backups < policy.min_backups:
        facts = {
            "record": record.number,
            "backups": record.backups,
            "required": policy.min_backups,
        }
        yield Finding("RET-07", DENY, NO_BACKUP, facts)


_STEPS = {
    "missing_record": (
        "lists {record} but the record was not given",
        "列有 {record}，但未提供该档案",
    ),
    "no_appraisal": ("{record} has no appraisal opinion", "{record} 没有鉴定意见"),
    "keep": (
        "the appraisal keeps {record} for {years} more years",
        "鉴定意见要求 {record} 继续保管 {years} 年",
    ),
    "period": (
        "{record} is listed with a required period of {listed} years and {kept} kept; "
        "the schedule requires {required}",
        "{record} 清册所列应保管 {listed} 年、已保管 {kept} 年，保管期限表规定 {required} 年",
    ),
    "approver": (
        "no approval by a {role} (each approver a different person)",
        "缺少 {role} 的审批（审批人须各不相同）",
    ),
    "supervisors": (
        "needs {count} supervisors from {departments}, who check before and sign after",
        "须由 {departments} 至少 {count} 人监销，销毁前清点核对、销毁后签名",
    ),
}


def _procedure(list_id: str, step: str, **facts: str | int) -> Finding:
    en, zh = _STEPS[step]
    problem = {"problem": en.format(**facts), "problem_zh": zh.format(**facts)}
    return Finding("RET-04", DENY, PROCEDURE, {"list": list_id, **problem})


@hookimpl
def agency_check_destruction(
    check: DestructionCheck, retention: dict[str, Retention], policy: Policy
) -> Iterator[Finding]:
    listing = check.destruction_list
    records = {r.number: r for r in check.records}
    appraisals = {a.record: a for a in listing.appraisals}
    for item in listing.items:
        record = records.get(item.record)
        if record is None:
            yield _procedure(listing.id, "missing_record", record=item.record)
            continue
        appraisal = appraisals.get(item.record)
        if appraisal is None:
            yield _procedure(listing.id, "no_appraisal", record=item.record)
        elif appraisal.opinion is Opinion.KEEP:
            yield _procedure(listing.id, "keep", record=item.record, years=appraisal.extra_years)
        kept = retention[record.number]
        if kept.years is not None and (
            item.required_years != kept.years or item.kept_years < kept.years
        ):
            yield _procedure(
                listing.id,
                "period",
                record=item.record,
                listed=str(item.required_years),
                kept=item.kept_years,
                required=kept.years,
            )
        for finding in _disposal(record, kept, listing.destruction_on):
            if finding.severity is DENY:
                yield finding

    staff = {e.id: e for e in check.staff}
    signers: set[str] = set()
    for role in policy.destruction.approver_roles:
        signer = next(
            (
                s.employee
                for s in listing.approvals
                if s.employee in staff
                and s.employee not in signers
                and role in policy.effective_roles(staff[s.employee].roles)
            ),
            None,
        )
        if signer is None:
            yield _procedure(listing.id, "approver", role=role)
        else:
            signers.add(signer)

    supervisors = {
        s.employee: staff[s.employee]
        for s in listing.supervisors
        if s.employee in staff and s.checked_before and s.signed_after
    }
    departments = {e.department for e in supervisors.values()}
    wanted = policy.destruction.supervisor_departments
    if len(supervisors) < policy.destruction.min_supervisors or not set(wanted) <= departments:
        yield _procedure(
            listing.id,
            "supervisors",
            count=policy.destruction.min_supervisors,
            departments=", ".join(wanted),
        )
