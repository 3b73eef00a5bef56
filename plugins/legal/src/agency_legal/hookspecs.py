"""The legal plugin's own hooks, added to the engine in ``agency_addhooks``."""

from __future__ import annotations

from collections.abc import Iterable

from agency_core.decision import Finding
from agency_core.hookspecs import hookspec
from agency_core.policy import Policy
from agency_legal.entities import ContractSigning, LegalReview


@hookspec
def agency_check_legal_review(check: LegalReview, policy: Policy) -> Iterable[Finding] | None:
    """Check that a reviewer may review a contract version for legal (LEG-01).

    :param check: the review: the version (contract and content digest), its drafter, the
        reviewer and the verdict.
    :param policy: the compiled policy in force (section ``legal``).
    :returns: findings, or None when the plugin has nothing to say.
    """


@hookspec
def agency_check_contract_signing(
    check: ContractSigning, policy: Policy
) -> Iterable[Finding] | None:
    """Check that a contract version may be signed (LEG-01, SOD-03).

    :param check: the contract, the digest of the version signed, the signer, the time, the
        version's drafter and the contract's legal reviews.
    :param policy: the compiled policy in force.
    :returns: findings, or None when the plugin has nothing to say.
    """
