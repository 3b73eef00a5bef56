"""The approval workflow (APR-05..08, SOD-01, SOD-03, SOD-04) over stored requests.

Every action asks the engine first (:meth:`Engine.check_step`, :meth:`Engine.check_duty`) and is
refused with :class:`Refused` when the decision denies; then the store keeps its own invariants
(steps in order, a decided request stays decided) with :class:`StateError`. The request row is
locked (``SELECT ... FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) and versioned, so
two approvers on one step cannot both win. Client keys make submissions and steps idempotent.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from agency_core.decision import Decision, Outcome, Route
from agency_core.entities import ApprovalRequest, StepAction, Verdict
from agency_core.errors import InvalidInput, NotFound, StateError
from agency_core.requests import DutyCheck, PerformedDuty, StepCheck
from agency_core.store import mapping
from agency_core.store.apart import ahead, settle
from agency_core.store.canonical import digest
from agency_core.store.errors import Conflict, Refused
from agency_core.store.models import ApprovalRequestRow, DutyRow, StepActionRow
from agency_core.store.ports import Status, Submission
from agency_core.store.session import translated

if TYPE_CHECKING:
    from agency_core.store.session import Transaction

__all__ = ["ApprovalRepository", "DutyRepository"]


def _key(key: str) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > 128:
        raise InvalidInput(f"an idempotency key is a string of 1 to 128 chars, not {key!r}")
    return key


def _roles(route: Route) -> str:
    return " → ".join(route.roles) or "no step"


def _same_route(request: ApprovalRequest, given: Route | Decision, current: Decision) -> None:
    """Refuse a route or decision that is not the engine's for ``request`` now (APR-01)."""
    what = f"the route given for request {request.id}"
    if isinstance(given, Decision):
        if (given.policy_version, given.policy_sha256) != (
            current.policy_version,
            current.policy_sha256,
        ):
            raise InvalidInput(
                f"APR-01: {what} was made under policy {given.policy_version} "
                f"({given.policy_sha256[:12]}), not the policy in force {current.policy_version} "
                f"({current.policy_sha256[:12]}); route the request again"
            )
        if given.route is None:
            raise InvalidInput(f"the decision given for request {request.id} carries no route")
        given = given.route
    if not isinstance(given, Route):
        raise InvalidInput(f"expected a Route or an approval Decision, not {given!r}")
    if given.action != request.action:
        raise InvalidInput(f"APR-01: {what} is for action {given.action}, not {request.action}")
    assert current.route is not None  # checked by the caller
    if given.steps != current.route.steps:
        raise InvalidInput(
            f"APR-01: {what} ({_roles(given)}) is not the one the policy in force gives it "
            f"({_roles(current.route)})"
        )


class ApprovalRepository:
    """Submit requests with their route and decide their steps in order."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    # -- reading --

    def _row(self, request_id: str, *, lock: bool = False) -> ApprovalRequestRow:
        query = select(ApprovalRequestRow).where(ApprovalRequestRow.id == request_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        row = self._tx.session.scalars(query).one_or_none()
        if row is None:
            raise NotFound(f"no approval request {request_id!r}")
        return row

    def _history(self, request_id: str) -> tuple[StepAction, ...]:
        rows = self._tx.session.scalars(
            select(StepActionRow)
            .where(StepActionRow.request_id == request_id)
            .order_by(StepActionRow.step)
        )
        return tuple(mapping.step_action(r) for r in rows)

    def _submission(self, row: ApprovalRequestRow) -> Submission:
        status = Status(row.status)
        return Submission(
            request=mapping.request(row),
            route=mapping.route(row),
            status=status,
            next_step=row.next_step if status is Status.PENDING else None,
            history=self._history(row.id),
            submitted_at=row.submitted_at,
            policy_version=row.policy_version,
            policy_sha256=row.policy_sha256,
        )

    def get(self, request_id: str) -> Submission:
        """The request ``request_id`` with its route, state and history."""
        return self._submission(self._row(request_id))

    # -- submitting --

    def submit(
        self,
        request: ApprovalRequest,
        route: Route | Decision | None = None,
        *,
        key: str,
        at: datetime | None = None,
    ) -> Submission:
        """Submit ``request`` under the route the engine gives it now, under the policy in force.

        A caller's route is never trusted (APR-01): the store asks its engine again and stores
        the engine's route. A ``route`` (or decision) given is checked against it and refused with
        :class:`InvalidInput` when its action, steps, or (for a decision) policy version and
        sha256 differ; a decision that denies is :class:`Refused`. Sending the same submission
        twice with the same ``key`` has one effect and returns the stored request; the same key
        with different content is :class:`InvalidInput`; another submission of the same request
        id is a :class:`StateError`.
        """
        key = _key(key)
        if not isinstance(request, ApprovalRequest):
            raise InvalidInput(f"expected an ApprovalRequest, not {request!r}")
        if isinstance(route, Decision) and route.kind != "approval":
            raise InvalidInput(f"expected an approval decision, not a {route.kind} one")
        # Asked before this method's first read: on SQLite no write lock is held while the
        # plugins run (unless the host already wrote in this transaction).
        current = self._tx.engine.route_approval(request)
        if current.outcome is Outcome.DENY:
            raise Refused(f"request {request.id}", current)
        if current.route is None:
            raise InvalidInput(f"the engine gives request {request.id} no route")
        if route is not None:
            _same_route(request, route, current)
        version, sha, route = current.policy_version, current.policy_sha256, current.route
        payload = digest({"request": request, "steps": route.steps})
        session = self._tx.session
        existing = self._by_key(key)
        if existing is not None:
            return self._same_submission(existing, payload, key)
        same_id = session.get(ApprovalRequestRow, request.id)
        if same_id is not None:
            if same_id.submit_key == key:  # committed by a concurrent twin since we looked
                return self._same_submission(same_id, payload, key)
            raise StateError(f"request {request.id} was already submitted")
        at = at or self._tx.now()
        row = ApprovalRequestRow(
            id=request.id,
            action=request.action,
            amount=request.amount.amount,
            currency=request.amount.currency,
            department=request.department,
            requester=request.requester,
            budget_remaining=request.budget_remaining.amount if request.budget_remaining else None,
            budget_currency=request.budget_remaining.currency if request.budget_remaining else None,
            status=(Status.PENDING if route.steps else Status.APPROVED).value,
            next_step=0,
            submitted_at=at,
            pending_since=at,
            submit_key=key,
            payload_digest=payload,
            policy_version=version,
            policy_sha256=sha,
            steps=mapping.route_step_rows(route),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            # Someone submitted concurrently; their commit is visible now.
            existing = self._by_key(key)
            if existing is not None:
                return self._same_submission(existing, payload, key)
            raise Conflict(f"request {request.id} was submitted concurrently") from None
        return self._submission(row)

    def _by_key(self, key: str) -> ApprovalRequestRow | None:
        return self._tx.session.scalars(
            select(ApprovalRequestRow).where(ApprovalRequestRow.submit_key == key)
        ).one_or_none()

    def _same_submission(self, row: ApprovalRequestRow, payload: str, key: str) -> Submission:
        if row.payload_digest != payload:
            raise InvalidInput(f"idempotency key {key!r} was used for a different submission")
        return self._submission(row)

    # -- deciding steps --

    def decide(
        self,
        request_id: str,
        step: int,
        verdict: Verdict | str,
        actor: str,
        *,
        key: str,
        reason: str = "",
        on_behalf_of: str | None = None,
        at: datetime | None = None,
    ) -> StepAction:
        """Decide ``step`` of ``request_id`` as ``actor`` (for ``on_behalf_of`` as a delegate).

        Asks the engine (:meth:`Engine.check_step`) and raises :class:`Refused` with its findings
        when it denies. The same ``key`` sent again returns the recorded action without effect.
        """
        key = _key(key)
        at = at or self._tx.now()
        action = StepAction(step, actor, verdict, at, reason, on_behalf_of)  # APR-05 on reject
        engine = self._tx.engine

        def read(tx: Transaction) -> StepCheck | None:
            apart = ApprovalRepository(tx)
            return None if apart.recorded(key) else apart.step_check(request_id, action)

        # Decide first, on a snapshot read apart from this transaction, so no lock is held while
        # the plugins run; then lock the request and decide again only if what they read changed.
        early = ahead(self._tx, read, engine.check_step)
        session = self._tx.session
        row = self._row(request_id, lock=True)  # serialises every action on this request
        done = session.scalars(select(StepActionRow).where(StepActionRow.key == key)).one_or_none()
        if done is not None:
            return self._same_action(done, request_id, action, key)
        decision = settle(early, self.step_check(request_id, action, row), engine.check_step)
        if decision.outcome is Outcome.DENY:
            raise Refused(f"step {step} of request {request_id}", decision)
        self._record(row, action, key)
        return action

    def recorded(self, key: str) -> bool:
        """Whether a step action with idempotency ``key`` is stored."""
        query = select(StepActionRow.id).where(StepActionRow.key == key)
        return self._tx.session.scalars(query).first() is not None

    def step_check(
        self, request_id: str, action: StepAction, row: ApprovalRequestRow | None = None
    ) -> StepCheck:
        """What the engine is asked about ``action`` on ``request_id``, as stored now."""
        row = row if row is not None else self._row(request_id)
        people = self._tx.employees
        delegate, principal = action.actor, action.on_behalf_of
        return StepCheck(
            request=mapping.request(row),
            route=mapping.route(row),
            action=action,
            actor=people.get(delegate),
            principal=people.get(principal) if principal else None,
            history=self._history(request_id),
            delegations=self._tx.delegations.in_force(
                action.at, delegate=delegate, principal=principal
            ),
        )

    def _record(self, row: ApprovalRequestRow, action: StepAction, key: str) -> None:
        """Keep the store's invariants whatever the plugins said, then write the step."""
        if row.status != Status.PENDING:
            raise StateError(f"request {row.id} is already {row.status}; it cannot be decided")
        if action.step != row.next_step:
            raise StateError(
                f"request {row.id} waits for step {row.next_step}, not step {action.step} (APR-07)"
            )
        session = self._tx.session
        session.add(
            StepActionRow(
                request_id=row.id,
                step=action.step,
                actor=action.actor,
                on_behalf_of=action.on_behalf_of,
                verdict=action.verdict.value,
                reason=action.reason,
                at=action.at,
                key=key,
            )
        )
        if action.verdict is Verdict.REJECT:
            row.status = Status.REJECTED.value
        elif action.step + 1 >= len(row.steps):
            row.status = Status.APPROVED.value
        else:
            row.next_step = action.step + 1
        row.pending_since = action.at
        with translated():
            session.flush()

    def _same_action(
        self, done: StepActionRow, request_id: str, action: StepAction, key: str
    ) -> StepAction:
        recorded = mapping.step_action(done)
        same = (
            done.request_id == request_id
            and recorded.step == action.step
            and recorded.actor == action.actor
            and recorded.verdict is action.verdict
            and recorded.on_behalf_of == action.on_behalf_of
        )
        if not same:
            raise InvalidInput(f"idempotency key {key!r} was used for a different step action")
        return recorded

    def approve(
        self,
        request_id: str,
        step: int,
        actor: str,
        *,
        key: str,
        on_behalf_of: str | None = None,
        at: datetime | None = None,
    ) -> StepAction:
        """Approve ``step``; see :meth:`decide`."""
        return self.decide(
            request_id, step, Verdict.APPROVE, actor, key=key, on_behalf_of=on_behalf_of, at=at
        )

    def reject(
        self,
        request_id: str,
        step: int,
        actor: str,
        *,
        key: str,
        reason: str,
        on_behalf_of: str | None = None,
        at: datetime | None = None,
    ) -> StepAction:
        """Reject ``step`` with a written reason (APR-05); the route ends."""
        return self.decide(
            request_id,
            step,
            Verdict.REJECT,
            actor,
            key=key,
            reason=reason,
            on_behalf_of=on_behalf_of,
            at=at,
        )


class DutyRepository:
    """Duties performed on subjects, checked for dynamic conflicts (SOD-03)."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx

    def perform(
        self, subject: str, duty: str, actor: str, *, key: str, at: datetime | None = None
    ) -> None:
        """Record that ``actor`` performs ``duty`` on ``subject``, if the engine allows it."""
        key = _key(key)
        engine = self._tx.engine

        def read(tx: Transaction) -> DutyCheck | None:
            apart = DutyRepository(tx)
            return None if apart._done(key) is not None else apart._check(subject, duty, actor)

        # Decide first on a snapshot (no lock while the plugins run); under the subject's lock
        # the early answer stands only if the duties done on the subject are unchanged.
        early = ahead(self._tx, read, engine.check_duty)
        session = self._tx.session
        self._serialise(subject)
        done = self._done(key)
        if done is not None:
            if (done.subject, done.duty, done.actor) != (subject, duty, actor):
                raise InvalidInput(f"idempotency key {key!r} was used for a different duty")
            return
        decision = settle(early, self._check(subject, duty, actor), engine.check_duty)
        if decision.outcome is Outcome.DENY:
            raise Refused(f"{duty} on {subject} by {actor}", decision)
        session.add(
            DutyRow(subject=subject, duty=duty, actor=actor, at=at or self._tx.now(), key=key)
        )
        with translated():
            session.flush()

    def _done(self, key: str) -> DutyRow | None:
        """The duty recorded with idempotency ``key``, if any."""
        return self._tx.session.scalars(select(DutyRow).where(DutyRow.key == key)).one_or_none()

    def _check(self, subject: str, duty: str, actor: str) -> DutyCheck:
        """What the engine is asked: the duty, with those done on ``subject`` as stored now."""
        rows = self._tx.session.scalars(
            select(DutyRow).where(DutyRow.subject == subject).order_by(DutyRow.id)
        )
        performed = tuple(PerformedDuty(r.duty, r.actor) for r in rows)
        return DutyCheck(subject, duty, actor, performed)

    def _serialise(self, subject: str) -> None:
        """Hold the subject until this transaction ends, so duties on it are decided one at a
        time (SOD-03): a PostgreSQL transaction-scoped advisory lock on a hash of the subject.
        SQLite writers are already serialised (``BEGIN IMMEDIATE``)."""
        session = self._tx.session
        if session.get_bind().dialect.name != "postgresql":
            return
        with translated():
            session.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:lock, 0))"),
                {"lock": f"agency_core.duty:{subject}"},
            )
