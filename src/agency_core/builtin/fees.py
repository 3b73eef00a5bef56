"""FEE: fee validation (收费管理, 明码标价): charges, invoices and collections."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.entities import Contract, FeeSchedule, Money
from agency_core.hookspecs import hookimpl
from agency_core.policy import Policy
from agency_core.requests import ChargeCheck, CollectionCheck, InvoiceCheck

DENY = Severity.DENY

NO_SCHEDULE = Text(
    zh="合同签订日 {date} 没有生效的公示收费标准",
    en="no published fee schedule was in force on the contract date {date}",
)
NOT_PUBLISHED = Text(
    zh="收费项目 {item} 不在 {date} 生效的公示收费标准（{schedule}）中",
    en="item {item} is not on the fee schedule {schedule} in force on {date}",
)
NOT_AGREED = Text(
    zh="合同 {contract} 未约定收费项目 {item} 的费用",
    en="contract {contract} agrees no fee for item {item}",
)
OFF_CONTRACT = Text(
    zh="收费 {charge}：{item} 收取 {charged}，合同约定 {agreed}，且无经批准的调整",
    en="charge {charge} bills {charged} for {item}; the contract agrees {agreed} "
    "and no approved adjustment covers it",
)
ADJUSTED = Text(
    zh="收费 {charge}：{item} 按经批准的合同变更收取 {charged}（原约定 {agreed}）",
    en="charge {charge} bills {charged} for {item} under an approved amendment (agreed {agreed})",
)
ABOVE_PUBLISHED = Text(
    zh="合同对 {item} 约定 {agreed}，高于公示价格 {price}",
    en="the contract agrees {agreed} for {item}, above the published price {price}",
)
NOT_DISCLOSED = Text(
    zh="合同 {contract} 签订前未向客户公示收费并经确认（公示时间 {disclosed}，签订时间 {signed}）",
    en="fees of contract {contract} were not disclosed and acknowledged before signing "
    "(disclosed {disclosed}, signed {signed})",
)
CURRENCY = Text(
    zh="{what} 币种不一致：{left} 与 {right}",
    en="{what} mixes currencies: {left} and {right}",
)
THIRD_PARTY = Text(
    zh="{item} 为第三方提供的服务，{where} 必须标明",
    en="{item} is a third-party service and must be marked so on the {where}",
)
NOT_THIRD_PARTY = Text(
    zh="{item} 在{source}中不是第三方提供的服务，{where} 不得标为第三方",
    en="{item} is not a third-party service on the {source} and may not be marked so on the "
    "{where}",
)
AMENDMENT_ABOVE_PUBLISHED = Text(
    zh="经批准的合同变更 {approval} 将 {item} 的费用定为 {amended}，高于公示价格 {price}",
    en="the approved amendment {approval} sets {amended} for {item}, above the published price "
    "{price}",
)
INVOICE_LINE = Text(
    zh="发票 {invoice} 第 {line} 行（收费 {charge}）：{problem_zh}",
    en="invoice {invoice} line {line} (charge {charge}): {problem}",
)
INVOICE_TOTAL = Text(
    zh="发票 {invoice} 合计 {total} 与各行之和 {lines} 不符",
    en="invoice {invoice} total {total} differs from the sum of its lines {lines}",
)
NO_STATEMENT = Text(
    zh="案件 {case} 收款 {amount} 前未向客户出具结算清单",
    en="no settlement statement was given to the client before collecting {amount} for case {case}",
)
STATEMENT = Text(
    zh="案件 {case} 的结算清单不符：{problem_zh}",
    en="the settlement statement of case {case} is wrong: {problem}",
)


def _schedule(check: ChargeCheck, policy: Policy) -> FeeSchedule | None:
    signed = policy.local_date(check.contract.signed_at)
    in_force = [s for s in check.schedules if s.in_force(signed)]
    return max(in_force, key=lambda s: s.effective_from, default=None)


def _mixed(what: str, *amounts: Money) -> Finding | None:
    """A FEE-06 denial when ``amounts`` are not all in one currency."""
    currencies = sorted({amount.currency for amount in amounts})
    if len(currencies) < 2:
        return None
    facts: dict[str, Fact] = {"what": what, "left": currencies[0], "right": currencies[1]}
    return Finding("FEE-06", DENY, CURRENCY, facts)


@hookimpl
def agency_check_charge(check: ChargeCheck, policy: Policy) -> Iterator[Finding]:
    charge, contract = check.charge, check.contract
    signed = policy.local_date(contract.signed_at).isoformat()
    schedule = _schedule(check, policy)
    published = schedule.item(charge.item) if schedule else None
    if schedule is None:
        yield Finding("FEE-02", DENY, NO_SCHEDULE, {"date": signed})
    elif published is None:
        facts: dict[str, Fact] = {"item": charge.item, "schedule": schedule.version, "date": signed}
        yield Finding("FEE-02", DENY, NOT_PUBLISHED, facts)

    if (
        contract.disclosed_at is None
        or not contract.disclosure_acknowledged
        or (contract.disclosed_at > contract.signed_at)
    ):
        disclosed = contract.disclosed_at.isoformat() if contract.disclosed_at else "never"
        facts = {
            "contract": contract.id,
            "disclosed": disclosed,
            "signed": contract.signed_at.isoformat(),
        }
        yield Finding("FEE-04", DENY, NOT_DISCLOSED, facts)

    agreed = contract.fees.get(charge.item)
    if agreed is None:
        yield Finding("FEE-01", DENY, NOT_AGREED, {"contract": contract.id, "item": charge.item})
        return
    mixed = _mixed(f"charge {charge.id}", charge.amount, agreed)
    if mixed is not None:
        yield mixed
        return
    if published is not None:
        mixed = _mixed(f"item {charge.item}", agreed, published.price)
        if mixed is not None:
            yield mixed
        elif agreed > published.price:
            facts = {
                "item": charge.item,
                "agreed": str(agreed),
                "price": str(published.price),
            }
            yield Finding("FEE-03", DENY, ABOVE_PUBLISHED, facts)
        yield from _amendments_above(contract, charge.item, published.price)
        if published.third_party and not charge.third_party:
            yield Finding("FEE-08", DENY, THIRD_PARTY, {"item": charge.item, "where": "charge"})
        elif charge.third_party and not published.third_party:
            facts = {"item": charge.item, "where": "charge", "source": "schedule"}
            yield Finding("FEE-08", DENY, NOT_THIRD_PARTY, facts)
    if charge.amount != agreed:
        facts = {
            "charge": charge.id,
            "item": charge.item,
            "charged": str(charge.amount),
            "agreed": str(agreed),
        }
        covered = any(
            a.approved and a.item == charge.item and a.amount == charge.amount
            for a in contract.adjustments
        )
        yield Finding(
            "FEE-01",
            Severity.INFO if covered else DENY,
            ADJUSTED if covered else OFF_CONTRACT,
            facts,
        )


def _amendments_above(contract: Contract, item: str, price: Money) -> Iterator[Finding]:
    """FEE-03: an approved amendment may not set a fee above the published price either."""
    for adjustment in contract.adjustments:
        if not adjustment.approved or adjustment.item != item:
            continue
        mixed = _mixed(f"amendment of {item}", adjustment.amount, price)
        if mixed is not None:
            yield mixed
        elif adjustment.amount > price:
            facts: dict[str, Fact] = {
                "approval": adjustment.approval_id or "-",
                "item": item,
                "amended": str(adjustment.amount),
                "price": str(price),
            }
            yield Finding("FEE-03", DENY, AMENDMENT_ABOVE_PUBLISHED, facts)


_LINE_PROBLEMS = {
    "unknown": ("no such charge of this case", "不是本案件的收费"),
    "undelivered": ("the service was not delivered", "服务尚未交付"),
    "unsettled": ("the charge is not settled", "收费尚未结算"),
    "amount": ("amount or item differs from the charge", "金额或项目与收费不符"),
    "twice": ("the charge is invoiced twice", "同一收费重复开票"),
}


@hookimpl
def agency_check_invoice(check: InvoiceCheck, policy: Policy) -> Iterator[Finding]:
    invoice = check.invoice
    charges = {c.id: c for c in check.charges if c.case_id == invoice.case_id}
    seen = Counter(line.charge_id for line in invoice.lines)
    for number, line in enumerate(invoice.lines, start=1):
        charge = charges.get(line.charge_id)
        if charge is None:
            problem = "unknown"
        elif not charge.delivered:
            problem = "undelivered"
        elif not charge.settled:
            problem = "unsettled"
        elif charge.amount != line.amount or charge.item != line.item:
            problem = "amount"
        elif line.charge_id in check.invoiced or seen[line.charge_id] > 1:
            problem = "twice"
        else:
            problem = ""
        if problem:
            en, zh = _LINE_PROBLEMS[problem]
            facts: dict[str, Fact] = {
                "invoice": invoice.id,
                "line": number,
                "charge": line.charge_id,
                "problem": en,
                "problem_zh": zh,
            }
            yield Finding("FEE-05", DENY, INVOICE_LINE, facts)
        if charge is not None and charge.third_party and not line.third_party:
            yield Finding("FEE-08", DENY, THIRD_PARTY, {"item": line.item, "where": "invoice"})
        elif charge is not None and line.third_party and not charge.third_party:
            facts = {"item": line.item, "where": "invoice", "source": "charge"}
            yield Finding("FEE-08", DENY, NOT_THIRD_PARTY, facts)
    mixed = _mixed(f"invoice {invoice.id}", invoice.total, *(line.amount for line in invoice.lines))
    if mixed is not None:
        yield mixed
        return
    lines = Money.total((line.amount for line in invoice.lines), invoice.total.currency)
    if lines != invoice.total:
        facts = {
            "invoice": invoice.id,
            "total": str(invoice.total),
            "lines": str(lines),
        }
        yield Finding("FEE-05", DENY, INVOICE_TOTAL, facts)


@hookimpl
def agency_check_collection(check: CollectionCheck, policy: Policy) -> Iterator[Finding]:
    statement = check.statement
    facts: dict[str, Fact] = {"case": check.case_id, "amount": str(check.amount)}
    if statement is None or statement.case_id != check.case_id:
        yield Finding("FEE-07", DENY, NO_STATEMENT, facts)
        return
    problems = []
    if statement.issued_at > check.collected_at:
        problems.append(("issued after the collection", "晚于收款出具"))
    mixed = _mixed(
        f"collection for {check.case_id}",
        check.amount,
        statement.total,
        *(line.price for line in statement.lines),
        *(charge.amount for charge in check.charges),
    )
    if mixed is not None:
        yield mixed
        return
    if (
        Money.total((line.price for line in statement.lines), statement.total.currency)
        != statement.total
    ):
        problems.append(("its total is not the sum of its lines", "合计不等于各项之和"))
    listed = Counter((line.item, line.price) for line in statement.lines)
    billed = Counter((c.item, c.amount) for c in check.charges)
    if billed - listed:
        problems.append(
            ("it does not list every charged item at its price", "未逐项列明收费项目及价格")
        )
    if check.amount > statement.total:
        problems.append(("the collection exceeds its total", "收款金额超过结算合计"))
    for en, zh in problems:
        yield Finding("FEE-07", DENY, STATEMENT, {**facts, "problem": en, "problem_zh": zh})
