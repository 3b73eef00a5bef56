"""The risk and audit scene of ``agency demo``: RSK-01..03 and AUD-01 as they bite."""

from __future__ import annotations

import agency_risk_audit.plugin

import agency_core.store as st
from agency_core import Engine
from agency_core.kinds import Scene, collect


def test_the_scene_scores_alerts_and_refuses(tmp_path: object) -> None:
    engine = Engine(plugins=[agency_risk_audit.plugin])
    store = st.open(f"sqlite:///{tmp_path}/scene.db", engine=engine)
    store.upgrade()
    lines: list[str] = []
    try:
        scenes = collect(
            engine.plugin_manager, "agency_register_demos", Scene, lambda s: s.name, what="scene"
        )
        scenes["risk_audit"].item.run(store, lines.append)  # as ``agency demo`` runs it
    finally:
        store.dispose()

    def said(start: str) -> str:
        (line,) = [line for line in lines if line.strip().startswith(start)]
        return line

    assert "RSK-01" in said("done     register late-paying clients, 4 x 3, owned by He")
    assert "RSK-02" in said("refused  register a lapsing licence without an owner")
    assert "RSK-03" not in said("done     read 12 overdue days")
    assert "RSK-03" in said("done     read 30 overdue days")
    assert "AUD-01" in said("refused  He closes his own finding")
    assert said("done     the auditor closes it")
