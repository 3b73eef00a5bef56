"""A firm's nightly audit: every sweep, the log against its last checkpoint, a report.

Run from cron as ``agency-nightly-audit`` (see :mod:`agency_nightly_audit.cli` for the exit
codes); :func:`~agency_nightly_audit.job.run` is the same job for a host that embeds it.
"""

from agency_nightly_audit.job import LogCheck, Report, run
from agency_nightly_audit.report import render_html

__all__ = ["LogCheck", "Report", "render_html", "run"]
