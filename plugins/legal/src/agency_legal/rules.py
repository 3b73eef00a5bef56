"""LEG-01 as findings: legal review on the exact version signed, by someone other than its drafter.

The signer of a contract is also kept apart from the legal reviewer who passed it when the
policy's dynamic conflicts say so (SOD-03, ``review_contract`` / ``sign_contract``).
"""

from __future__ import annotations

from collections.abc import Iterator

from agency_core.decision import Fact, Finding, Severity, Text
from agency_core.entities import Employee
from agency_core.policy import Policy
from agency_legal.entities import ContractSigning, LegalReview, Verdict
from agency_legal.policy import LegalPolicy

__all__ = ["SECTION", "check_review", "check_signing", "settings"]

SECTION = "legal"
DENY = Severity.DENY

DRAFTER_REVIEWS = Text(
    zh="{reviewer} 起草了合同 {contract}，不能自行进行法务审核",
    en="{reviewer} drafted contract {contract} and cannot give it its legal review",
)
NOT_LEGAL = Text(
    zh="{reviewer} 不具有法务审核角色（{roles}），其审核不算法务审核",
    en="{reviewer} holds no legal reviewer role ({roles}); their review is not a legal review",
)
NO_REVIEW = Text(
    zh="合同 {contract} 签署的版本 {digest} 未经法务审核",
    en="the version {digest} of contract {contract} being signed has no legal review",
)
OTHER_VERSION = Text(
    zh="合同 {contract} 法务审核的是版本 {reviewed}，签署的却是版本 {digest}",
    en="legal reviewed version {reviewed} of contract {contract}, but version {digest} is signed",
)
FAILED = Text(
    zh="合同 {contract} 版本 {digest} 的最近一次法务审核 {review} 未通过",
    en="the latest legal review {review} of version {digest} of contract {contract} failed",
)
SIGNER_REVIEWED = Text(
    zh="{signer} 审核了合同 {contract}，不能再签署（{conflict_zh}）",
    en="{signer} reviewed contract {contract} and may not also sign it ({conflict})",
)


def settings(policy: Policy) -> LegalPolicy:
    """The ``legal`` section of ``policy``."""
    return policy.section(SECTION, LegalPolicy)


def _short(digest: str) -> str:
    return digest[:12]


def _independence(
    review: LegalReview, policy: Policy, drafter: str | None = None
) -> Iterator[Finding]:
    """The reviewer is a legal reviewer and not the version's drafter (nor ``drafter``)."""
    facts: dict[str, Fact] = {
        "reviewer": review.reviewer.id,
        "contract": review.contract,
        "roles": ", ".join(settings(policy).reviewer_roles),
    }
    if review.reviewer.id in (review.drafter, drafter):
        yield Finding("LEG-01", DENY, DRAFTER_REVIEWS, facts)
    if not _is_legal(review.reviewer, policy):
        yield Finding("LEG-01", DENY, NOT_LEGAL, facts)


def _is_legal(reviewer: Employee, policy: Policy) -> bool:
    roles = policy.effective_roles(reviewer.roles)
    return any(role in roles for role in settings(policy).reviewer_roles)


def check_review(review: LegalReview, policy: Policy) -> Iterator[Finding]:
    """LEG-01 when a review is recorded: nobody reviews their own draft; only legal reviews."""
    yield from _independence(review, policy)


def check_signing(check: ContractSigning, policy: Policy) -> Iterator[Finding]:
    """LEG-01: the latest review of the exact version, before signing, passed independently."""
    facts: dict[str, Fact] = {"contract": check.contract, "digest": _short(check.digest)}
    before = [r for r in check.reviews if r.at <= check.at]
    same = sorted((r for r in before if r.digest == check.digest), key=lambda r: (r.at, r.id))
    if not same:
        others = sorted({_short(r.digest) for r in before})
        if others:
            yield Finding("LEG-01", DENY, OTHER_VERSION, {**facts, "reviewed": ", ".join(others)})
        else:
            yield Finding("LEG-01", DENY, NO_REVIEW, facts)
        return
    latest = same[-1]
    if latest.verdict is not Verdict.PASSED:
        yield Finding("LEG-01", DENY, FAILED, {**facts, "review": latest.id})
        return
    yield from _independence(latest, policy, check.drafter)
    if check.signer == latest.reviewer.id and "sign_contract" in policy.duty_conflicts.get(
        "review_contract", frozenset()
    ):
        names = policy.duty_conflict_names[frozenset(("review_contract", "sign_contract"))]
        conflict: dict[str, Fact] = {
            "signer": check.signer,
            "contract": check.contract,
            "conflict": names[0],
            "conflict_zh": names[1],
        }
        yield Finding("SOD-03", DENY, SIGNER_REVIEWED, conflict)
