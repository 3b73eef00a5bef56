"""The admin rules: seals (ADM-01, ADM-02, ADM-08, SOD-02), approved acts (ADM-03, ADM-04,
ADM-07), meeting resolutions (ADM-05) and payment after acceptance (ADM-06)."""

from __future__ import annotations

from collections.abc import Iterator

from agency_admin.entities import (
    Act,
    AdminAct,
    ApprovalFacts,
    PurchasePayment,
    ResolutionDone,
    SealReturn,
    SealUse,
)
from agency_admin.policy import AdminPolicy
from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.entities import Money
from agency_core.policy import Policy
from agency_core.transitions import TransitionCheck

__all__ = [
    "ACT_CONTROLS",
    "RESOLUTION",
    "SEAL_USE",
    "accepted_value",
    "check_act",
    "check_payment",
    "check_resolution",
    "check_seal_return",
    "check_seal_use",
    "required_action",
]

SEAL_USE = "seal_use"
"""The subject kind of a seal out of its custodian's hands (ADM-08)."""
RESOLUTION = "resolution"
"""The subject kind of a meeting resolution (ADM-05)."""

ACT_CONTROLS = {
    Act.SUPPLIES_ISSUE: "ADM-03",
    Act.EQUIPMENT_REPAIR: "ADM-04",
    Act.EQUIPMENT_SCRAPPING: "ADM-04",
    Act.ASSET_REGISTRATION: "ADM-07",
}
"""The control each approved act keeps."""

DENY = Severity.DENY

NOT_APPROVED = Text(
    zh="{what} 须有经批准的 {action} 申请 {application}（审批状态：{status}）",
    en="{what} needs an approved {action} application {application} (approval: {status})",
)
FOREIGN_APPROVAL = Text(
    zh="审批 {approval}（事项 {action}，部门 {department}，申请人 {requester}）不是申请 "
    "{application} 的审批",
    en="approval {approval} (action {action}, department {department}, requester {requester}) "
    "is not the approval of application {application}",
)
OTHER_USER = Text(
    zh="申请 {application} 的使用人是 {named}，{user} 不得用印",
    en="application {application} names {named} as the user; {user} may not apply the seal",
)
OTHER_DOCUMENT = Text(
    zh="申请 {application} 批准的是文件 {approved}，不得在 {document} 上用印",
    en="application {application} approved document {approved}; the seal may not go on {document}",
)
BLANK = Text(
    zh="严禁在空白{kind} {document} 上加盖印章",
    en="a seal never goes on a blank {kind} ({document})",
)
NOT_CUSTODIAN = Text(
    zh="{person} 不是印章保管人（{role}），不得交出印章 {seal}",
    en="{person} is not a seal custodian ({role}) and may not hand out seal {seal}",
)
CUSTODY_CONFLICT = Text(
    zh="{person} 同时持有 {roles}，违反不相容职务“{conflict_zh}”",
    en="{person} holds {roles} at once, breaking {conflict}",
)
CUSTODIAN_APPROVED = Text(
    zh="印章保管人 {person} 审批了申请 {application}（{conflict_zh}）",
    en="seal custodian {person} approved application {application} ({conflict})",
)
RETURN_ELSEWHERE = Text(
    zh="印章应归还保管人 {custodian}，不能由 {person} 接收",
    en="the seal goes back to its custodian {custodian}, not to {person}",
)
UNFINISHED = Text(
    zh="决议 {resolution} 须记录执行结果后方可办结",
    en="resolution {resolution} is done only with its outcome recorded",
)
BEFORE_ACCEPTANCE = Text(
    zh="合同 {contract} 的货物尚未按合同验收合格，不得付款 {amount}",
    en="the goods of contract {contract} have not passed acceptance; {amount} may not be paid",
)
OTHER_CURRENCY = Text(
    zh="合同 {contract} 以 {currency} 计价，不得以其他币种付款 {amount}",
    en="contract {contract} is priced in {currency}; {amount} is in another currency",
)
BEYOND_ACCEPTED = Text(
    zh="合同 {contract} 累计付款 {paid} 超过已验收货物按合同价计 {accepted}",
    en="contract {contract} would be paid {paid} in all, more than the {accepted} of goods "
    "accepted at contract prices",
)


def _admin(policy: Policy) -> AdminPolicy:
    return policy.section("admin", AdminPolicy)


def _approval(
    control: str,
    what: str,
    action: str,
    application: str,
    approval: ApprovalFacts | None,
    department: str | None = None,
    requester: str | None = None,
) -> Iterator[Finding]:
    """Deny unless ``approval`` is the stored, approved ``action`` request ``application``."""
    if approval is not None and (
        approval.id != application
        or approval.action != action
        or (department is not None and approval.department != department)
        or (requester is not None and approval.requester != requester)
    ):
        facts: dict[str, Fact] = {
            "approval": approval.id,
            "action": approval.action,
            "department": approval.department,
            "requester": approval.requester,
            "application": application,
        }
        yield Finding(control, DENY, FOREIGN_APPROVAL, facts)
    elif approval is None or approval.status != "approved":
        facts = {
            "what": what,
            "action": action,
            "application": application,
            "status": approval.status if approval is not None else "none",
        }
        yield Finding(control, DENY, NOT_APPROVED, facts)


def check_seal_use(check: SealUse, policy: Policy) -> Iterator[Finding]:
    """ADM-01, ADM-02, ADM-08 and SOD-02 on a seal's use."""
    spec, app = _admin(policy), check.application
    yield from _approval(
        "ADM-01",
        f"seal use {check.id}",
        spec.seal_action,
        app.id,
        check.approval,
        app.department,
        app.user,
    )
    if check.user.id != app.user:
        facts: dict[str, Fact] = {"application": app.id, "named": app.user, "user": check.user.id}
        yield Finding("ADM-01", DENY, OTHER_USER, facts)
    approved, used = app.document, check.document
    if (used.kind, used.number, used.title) != (approved.kind, approved.number, approved.title):
        facts = {"application": app.id, "approved": approved.number, "document": used.number}
        yield Finding("ADM-01", DENY, OTHER_DOCUMENT, facts)
    for document in {approved, used}:
        if document.blank:
            facts = {"kind": document.kind, "document": document.number}
            yield Finding("ADM-02", DENY, BLANK, facts)
    yield from _custody(check, spec, policy)


def _custody(check: SealUse, spec: AdminPolicy, policy: Policy) -> Iterator[Finding]:
    """ADM-08: a custodian hands the seal out; SOD-02: never one who approves seal use."""
    custodian = check.custodian
    held = policy.effective_roles(custodian.roles)
    if spec.custodian_role not in held:
        facts: dict[str, Fact] = {
            "person": custodian.id,
            "role": spec.custodian_role,
            "seal": check.application.seal,
        }
        yield Finding("ADM-08", DENY, NOT_CUSTODIAN, facts)
    for conflict in policy.static_conflicts:
        if spec.custodian_role not in conflict.roles:
            continue
        names: dict[str, Fact] = {"conflict": conflict.name, "conflict_zh": conflict.name_zh}
        if len(held & conflict.roles) >= conflict.cardinality:
            roles = ", ".join(sorted(held & conflict.roles))
            yield Finding(
                "SOD-02", DENY, CUSTODY_CONFLICT, {"person": custodian.id, "roles": roles, **names}
            )
        elif check.approval is not None and custodian.id in check.approval.approvers:
            facts = {"person": custodian.id, "application": check.application.id, **names}
            yield Finding("SOD-02", DENY, CUSTODIAN_APPROVED, facts)


def check_seal_return(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    """ADM-08: a seal goes back to its registered custodian, who logs the return."""
    if check.subject_kind != SEAL_USE or check.to_state != "returned":
        return
    custodian = check.data.custodian if isinstance(check.data, SealReturn) else "unknown"
    if check.actor.id != custodian:
        facts: dict[str, Fact] = {"custodian": custodian, "person": check.actor.id}
        yield Finding("ADM-08", DENY, RETURN_ELSEWHERE, facts)


def check_resolution(check: TransitionCheck, policy: Policy) -> Iterator[Finding]:
    """ADM-05: a meeting resolution is done only with its outcome recorded."""
    if check.subject_kind != RESOLUTION or check.to_state != "done":
        return
    if not isinstance(check.data, ResolutionDone):
        yield Finding("ADM-05", DENY, UNFINISHED, {"resolution": check.subject})


def required_action(act: Act, spec: AdminPolicy) -> str:
    """The approval-matrix action ``act`` needs under the policy."""
    return {
        Act.SUPPLIES_ISSUE: spec.supplies_action,
        Act.EQUIPMENT_REPAIR: spec.repair_action,
        Act.EQUIPMENT_SCRAPPING: spec.scrapping_action,
        Act.ASSET_REGISTRATION: spec.asset_purchase_action,
    }[act]


def check_act(check: AdminAct, policy: Policy) -> Iterator[Finding]:
    """ADM-03, ADM-04, ADM-07: supplies, repairs, scrapping, asset registration only approved."""
    action = required_action(check.act, _admin(policy))
    what = f"{check.act.value} {check.subject}"
    yield from _approval(ACT_CONTROLS[check.act], what, action, check.application, check.approval)


def accepted_value(payment: PurchasePayment) -> Money:
    """The goods of the contract accepted (passed, by the time of payment) at contract prices.

    An item counts at most up to its contracted quantity; an item not on the contract counts
    nothing.
    """
    contract = payment.contract
    currency = contract.lines[0].unit_price.currency
    accepted: dict[str, int] = {}
    for acceptance in payment.acceptances:
        if acceptance.passed and acceptance.contract == contract.id and acceptance.at <= payment.at:
            for got in acceptance.lines:
                accepted[got.item] = accepted.get(got.item, 0) + got.quantity
    total = Money("0", currency)
    for line in contract.lines:
        quantity = min(accepted.get(line.item, 0), line.quantity)
        total = total + Money(line.unit_price.amount * quantity, currency)
    return total


def check_payment(check: PurchasePayment, policy: Policy) -> Iterator[Finding]:
    """ADM-06: goods are accepted against the contract before they are paid, and only as much,
    in the contract's currency."""
    currency = check.contract.lines[0].unit_price.currency
    for money in (check.amount, check.paid_before):
        if money is not None and money.currency != currency:
            facts: dict[str, Fact] = {
                "contract": check.contract.id,
                "currency": currency,
                "amount": str(money),
            }
            yield Finding("ADM-06", DENY, OTHER_CURRENCY, facts)
            return
    accepted = accepted_value(check)
    paid = check.amount + check.paid_before if check.paid_before is not None else check.amount
    contract = check.contract.id
    if accepted.amount == 0:
        facts = {"contract": contract, "amount": str(check.amount)}
        yield Finding("ADM-06", DENY, BEFORE_ACCEPTANCE, facts)
    elif paid > accepted:
        facts = {"contract": contract, "paid": str(paid), "accepted": str(accepted)}
        yield Finding("ADM-06", DENY, BEYOND_ACCEPTED, facts)
