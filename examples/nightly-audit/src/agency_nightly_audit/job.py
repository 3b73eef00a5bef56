"""The job: the decision log verified against the last checkpoint, then every audit sweep.

Both steps reuse the core: :func:`~agency_core.store.log.verify_log` walks the chain against the
checkpoint, :func:`~agency_core.store.audit.run_audit` runs the sweeps of the core and of every
plugin of the store's engine (:func:`~agency_core.store.audit.all_sweeps`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Final

import attrs

from agency_core.store import Store
from agency_core.store.audit import DEFAULT_STEP_DEADLINE, AuditFinding, all_sweeps, run_audit
from agency_core.store.canonical import utc_iso
from agency_core.store.checkpoint import Checkpoint
from agency_core.store.log import LogProblem, verify_log

__all__ = [
    "EXIT_CLEAN",
    "EXIT_LOG_BROKEN",
    "EXIT_OFFENCES",
    "EXIT_USAGE",
    "LogCheck",
    "Report",
    "run",
]

EXIT_CLEAN: Final = 0
"""The log verifies and no sweep found anything."""
EXIT_OFFENCES: Final = 1
"""The log verifies; some sweep found offences."""
EXIT_USAGE: Final = 2
"""Bad options or input (a missing checkpoint, an unreadable key, no database): no report."""
EXIT_LOG_BROKEN: Final = 3
"""The log does not extend the last checkpoint, whatever the sweeps found."""

Step = Callable[[str, int], None]
"""Told ``(what was just done, how many steps the job has)`` after each step."""


@attrs.frozen
class LogCheck:
    """The decision log walked against the last checkpoint."""

    entries: int
    head: str
    anchor: Checkpoint
    """The checkpoint the chain had to extend."""
    problem: LogProblem | None
    """The first entry altered, removed, inserted, truncated, rewritten or forged."""
    checkpoint: Checkpoint | None
    """Tonight's head, signed: the next night's anchor (None when the log failed)."""

    @property
    def ok(self) -> bool:
        """Whether the chain is intact and extends the anchor."""
        return self.problem is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        problem = self.problem
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": self.head,
            "anchor": {"seq": self.anchor.seq, "hash": self.anchor.hash, "at": self.anchor.at},
            "problem": None
            if problem is None
            else {"seq": problem.seq, "kind": problem.kind, "detail": problem.detail},
            "checkpoint": None if self.checkpoint is None else self.checkpoint.seq,
        }


@attrs.frozen
class Report:
    """What one night found."""

    on: date
    generated_at: datetime
    database: str
    """The URL without its password."""
    policy: tuple[str, str]
    """The policy's version and sha256."""
    plugins: tuple[str, ...]
    log: LogCheck
    findings: tuple[AuditFinding, ...]
    """One per sweep, zero counts included; ``sample`` holds the offending ids (up to a limit)."""

    @property
    def offences(self) -> int:
        """Offences found by every sweep together."""
        return sum(f.count for f in self.findings)

    def by_control(self) -> dict[str, int]:
        """Offences per control ID (a control may have several sweeps), controls in order."""
        counts: Counter[str] = Counter()
        for found in self.findings:
            counts[found.control] += found.count
        return dict(sorted(counts.items()))

    @property
    def exit_code(self) -> int:
        """:data:`EXIT_LOG_BROKEN`, else :data:`EXIT_OFFENCES`, else :data:`EXIT_CLEAN`."""
        if not self.log.ok:
            return EXIT_LOG_BROKEN
        return EXIT_OFFENCES if self.offences else EXIT_CLEAN

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the whole report."""
        return {
            "on": self.on.isoformat(),
            "generated_at": utc_iso(self.generated_at),
            "database": self.database,
            "policy": {"version": self.policy[0], "sha256": self.policy[1]},
            "plugins": list(self.plugins),
            "log": self.log.to_dict(),
            "offences": self.offences,
            "by_control": self.by_control(),
            "findings": [
                {**f.to_dict(), "listed": len(f.sample), "unlisted": f.count - len(f.sample)}
                for f in self.findings
            ],
            "exit_code": self.exit_code,
        }


def check_log(store: Store, key: bytes, anchor: Checkpoint) -> LogCheck:
    """Verify the chain against ``anchor`` with ``key``; sign its head when it verifies."""
    report = verify_log(store, key=key, checkpoints=[anchor])
    signed = None
    if report.ok:  # sign exactly the head just verified against the anchor
        signed = Checkpoint.sign(key, report.entries, report.head, utc_iso(store.clock()))
    return LogCheck(report.entries, report.head, anchor, report.problem, signed)


def run(
    store: Store,
    *,
    key: bytes,
    anchor: Checkpoint,
    on: date | None = None,
    step_deadline: timedelta = DEFAULT_STEP_DEADLINE,
    listed: int = 1000,
    step: Step | None = None,
) -> Report:
    """Verify the log against ``anchor``, then run every sweep on day ``on`` (today in the
    policy's time zone by default), listing up to ``listed`` offending ids per sweep."""
    engine = store.engine
    now = store.clock()
    day = on or engine.policy.local_date(now)
    sweeps = all_sweeps(store)
    total = 1 + len(sweeps)
    log = check_log(store, key, anchor)
    if step is not None:
        step("log", total)

    def swept(found: AuditFinding) -> None:
        if step is not None:
            step(found.control, total)

    findings = run_audit(
        store, on=day, step_deadline=step_deadline, sample=listed, sweeps=sweeps, progress=swept
    )
    return Report(
        on=day,
        generated_at=now,
        database=store.url,
        policy=(engine.policy.version, engine.policy.sha256),
        plugins=tuple(str(p) for p in engine.plugins),
        log=log,
        findings=tuple(findings),
    )
