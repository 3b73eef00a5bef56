"""The readable report: one self-contained HTML page (inline CSS and SVG, no script, no CDN)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Final

from agency_nightly_audit.job import Report

__all__ = ["bar_chart", "render_html"]

_BAR: Final = 22
_GAP: Final = 6
_LABEL: Final = 80
_WIDTH: Final = 640

_CSS: Final = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ddd;
  vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #1a7f37; } .bad { color: #b42318; font-weight: 600; }
code { font-size: .9em; word-break: break-all; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dt { color: #555; }
"""


def bar_chart(counts: Mapping[str, int]) -> str:
    """An SVG bar chart of ``counts`` (label: value), one horizontal bar per label."""
    most = max(counts.values(), default=0) or 1
    span = _WIDTH - _LABEL - 60
    height = len(counts) * (_BAR + _GAP) + _GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{_WIDTH}" height="{height}"'
        f' viewBox="0 0 {_WIDTH} {height}" aria-label="offences by control">'
    ]
    for index, (label, value) in enumerate(counts.items()):
        y = _GAP + index * (_BAR + _GAP)
        width = round(span * value / most)
        text_y = y + _BAR * 0.7
        parts.append(
            f"<g><title>{escape(label)}: {value}</title>"
            f'<text x="{_LABEL - 8}" y="{text_y:.1f}" text-anchor="end" font-size="13">'
            f"{escape(label)}</text>"
            f'<rect x="{_LABEL}" y="{y}" width="{width}" height="{_BAR}" fill="#c2410c"/>'
            f'<text x="{_LABEL + width + 6}" y="{text_y:.1f}" font-size="13">{value}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _log_section(report: Report) -> str:
    log = report.log
    anchor = f"the checkpoint of entry {log.anchor.seq} taken {escape(log.anchor.at)}"
    if log.problem is None:
        return (
            f'<p class="ok">Intact: {log.entries} entries extend {anchor}; head '
            f"<code>{escape(log.head)}</code>.</p>"
        )
    problem = log.problem
    return (
        f'<p class="bad">Broken at entry {problem.seq} ({escape(problem.kind)}): '
        f"{escape(problem.detail)}.</p><p>Checked against {anchor}; the checkpoint was not "
        "advanced. Restore the database from a backup taken before the change, or investigate "
        "before anyone relies on the log.</p>"
    )


def _findings_table(report: Report) -> str:
    rows = []
    for found in report.findings:
        ids = ", ".join(f"<code>{escape(i)}</code>" for i in found.sample)
        more = found.count - len(found.sample)
        if more:
            ids += f" and {more} more"
        rows.append(
            f"<tr><td>{escape(found.control)}</td><td>{escape(found.title)}</td>"
            f'<td class="n">{found.count}</td><td>{ids}</td></tr>'
        )
    return (
        "<table><thead><tr><th>control</th><th>sweep</th><th>offences</th><th>ids</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def render_html(report: Report) -> str:
    """The report as one HTML page."""
    offending = {control: n for control, n in report.by_control().items() if n}
    if offending:
        chart = bar_chart(offending)
        summary = f'<p class="bad">{report.offences} offences under {len(offending)} controls.</p>'
    else:
        chart = ""
        summary = '<p class="ok">No offences.</p>'
    plugins = ", ".join(f"<code>{escape(p)}</code>" for p in report.plugins)
    version, sha256 = report.policy
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agency audit {report.on.isoformat()}</title><style>{_CSS}</style></head>
<body>
<h1>agency-core nightly audit, {report.on.isoformat()}</h1>
<dl><dt>database</dt><dd><code>{escape(report.database)}</code></dd>
<dt>generated</dt><dd>{escape(report.generated_at.isoformat())}</dd>
<dt>policy</dt><dd>{escape(version)} <code>{escape(sha256)}</code></dd>
<dt>plugins</dt><dd>{plugins}</dd></dl>
<h2>Decision log</h2>
{_log_section(report)}
<h2>Offences by control</h2>
{summary}
{chart}
<h2>Every sweep</h2>
{_findings_table(report)}
</body></html>
"""
