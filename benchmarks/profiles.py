"""Sampling profiles (pyinstrument) of a slow path, summarised as the functions that cost most."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["profile"]


def _walk(frame: Any, self_time: dict[str, float], total: dict[str, float], seen: set[str]) -> None:
    name = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
    real = [c for c in frame.children if not c.is_synthetic]
    own = frame.time - sum(c.time for c in real)  # pyinstrument's "[self]" leaves included
    self_time[name] = self_time.get(name, 0.0) + own
    if name not in seen:  # count a recursive function's time once
        total[name] = total.get(name, 0.0) + frame.time
    for child in real:
        _walk(child, self_time, total, seen | {name})


def profile(run: Callable[[], object], top: int = 12) -> dict[str, Any]:
    """Profile ``run()``; the top functions by self time and by inclusive time, in % of the run."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return {"tool": None, "error": "pyinstrument is not installed (pip install pyinstrument)"}
    profiler = Profiler(interval=0.0005)
    profiler.start()
    run()
    profiler.stop()
    session = profiler.last_session
    root = session.root_frame() if session is not None else None
    if root is None:
        return {"tool": "pyinstrument", "error": "no samples"}
    self_time: dict[str, float] = {}
    total: dict[str, float] = {}
    _walk(root, self_time, total, set())
    whole = root.time or 1.0

    def ranked(table: dict[str, float]) -> list[dict[str, Any]]:
        best = sorted(table.items(), key=lambda kv: kv[1], reverse=True)[:top]
        return [{"function": k, "share": round(100 * v / whole, 1)} for k, v in best]

    return {
        "tool": "pyinstrument",
        "seconds": round(whole, 3),
        "self": ranked(self_time),
        "inclusive": ranked({k: v for k, v in total.items() if v < whole * 0.999}),
    }
