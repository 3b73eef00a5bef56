"""The finance scene of ``agency demo``: FIN-01 and FIN-06 refuse, then the claim is paid once."""

from __future__ import annotations

import agency_finance.plugin

import agency_core.store as st
from agency_core import Engine
from agency_core.kinds import Scene, collect


def test_the_scene_refuses_then_pays_once(tmp_path: object) -> None:
    engine = Engine(plugins=[agency_finance.plugin])
    store = st.open(f"sqlite:///{tmp_path}/scene.db", engine=engine)
    store.upgrade()
    lines: list[str] = []
    try:
        scenes = collect(
            engine.plugin_manager, "agency_register_demos", Scene, lambda s: s.name, what="scene"
        )
        scenes["finance"].item.run(store, lines.append)  # as ``agency demo`` runs it
    finally:
        store.dispose()

    def said(start: str) -> str:
        (line,) = [line for line in lines if line.strip().startswith(start)]
        return line

    assert "FIN-01" in said("refused  file the claim with 1,500 CNY of invoices")
    assert said("done     file it with the missing 300 CNY invoice")
    assert "FIN-06" in said("refused  pay it before the route completes")
    assert said("done     the cashier pays it")
    assert "paid once" in said("refused  pay it a second time")
    assert lines[-1] == "Finance sweeps: no offences"
