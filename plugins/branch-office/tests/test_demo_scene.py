"""The branch office scene of ``agency demo``: BR-01 swaps the reviewer, BR-02 and BR-03 refuse."""

from __future__ import annotations

import agency_branch_office.plugin

import agency_core.store as st
from agency_core import Engine
from agency_core.kinds import Scene, collect


def test_the_scene_routes_to_the_branch_and_refuses(tmp_path: object) -> None:
    engine = Engine(plugins=[agency_branch_office.plugin])
    store = st.open(f"sqlite:///{tmp_path}/scene.db", engine=engine)
    store.upgrade()
    lines: list[str] = []
    try:
        scenes = collect(
            engine.plugin_manager, "agency_register_demos", Scene, lambda s: s.name, what="scene"
        )
        scenes["branch_office"].item.run(store, lines.append)  # as ``agency demo`` runs it
    finally:
        store.dispose()

    def said(start: str) -> str:
        (line,) = [line for line in lines if line.strip().startswith(start)]
        return line

    routed = said("done     submit a 20,000 CNY claim from Shanghai sales")
    assert routed.endswith(": dept_head -> branch_admin_reviewer -> finance_manager")
    assert "finance_reviewer" not in routed  # the branch's admin department reviews instead
    assert "BR-01" in said("refused  a Shanghai sales clerk with the reviewer role reviews")
    assert said("done     the Shanghai admin reviewer reviews")
    assert "BR-02" in said("refused  split a target whose total is a cent over")
    assert said("done     split the target exactly")
    assert "BR-03" in said("refused  move the desk without a reason")
    assert said("done     move the desk, with its reason")
