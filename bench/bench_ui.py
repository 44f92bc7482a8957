"""UI latency numbers: time to window shown, and time to first streamed token in the
要約 tab on a FakeEngine and on the bundled model (cold = includes the lazy model load).

    QT_QPA_PLATFORM=offscreen python bench/bench_ui.py [--no-bundled]

Prints numbers only; nothing here is asserted (speed belongs in benches, not tests).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

T_START = time.perf_counter()
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GENNAI_HOME", tempfile.mkdtemp(prefix="gennai_bench_"))
JA = Path(os.environ.get("GENNAI_CORPUS", REPO.parent / "shared" / "corpus")) / "ja"
DOC = JA / "law_denshi-shomei_412AC0000000102.docx"
SHORT = JA / "law_gyosei-kikan-kyujitsu_363AC0000000091.txt"   # 2 KB: bundled-model runs stay short


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-bundled", action="store_true")
    args = ap.parse_args()
    from gennai_desktop.core.events import TextDelta
    from gennai_desktop.core.settings import Settings
    from tests.support.fake_engine import FakeEngine
    from gennai_desktop.ui.app import make_app
    from gennai_desktop.ui.engine_provider import EngineProvider
    from gennai_desktop.ui.main_window import MainWindow
    from gennai_desktop.ui.qt import QApplication

    app, family = make_app()
    settings = Settings()
    fake = FakeEngine(reply=lambda p: "電子署名法の要点。" * 20)
    provider = EngineProvider(settings, factory=lambda: fake, spec=fake.spec)
    w = MainWindow(settings, provider, font_family=family, autosave=False)
    w.show()
    while not (w.windowHandle() and w.windowHandle().isExposed()):
        QApplication.processEvents()
    QApplication.processEvents()
    shown = time.perf_counter() - T_START
    print(f"window shown: {shown:.3f} s after process start (imports included)")
    t = time.perf_counter()
    w.open_path(DOC)
    print(f"open {DOC.name}: {time.perf_counter() - t:.3f} s")

    def first_token(tab) -> tuple[float, float]:
        first: list[float] = []
        t0 = time.perf_counter()
        tab.run()
        tab.worker.signals.event.connect(
            lambda ev: first.append(time.perf_counter()) if isinstance(ev, TextDelta) and not first else None)
        while tab.busy:
            QApplication.processEvents()
            time.sleep(0.001)
        end = time.perf_counter()
        return (first[0] - t0 if first else float("nan")), end - t0

    ft, total = first_token(w.summary_tab)
    print(f"FakeEngine: first token {ft * 1000:.1f} ms, whole summary {total:.2f} s ({w.summary_tab.last_run_outcome})")
    if not args.no_bundled:
        w.engine_provider = EngineProvider(settings)
        w.open_path(SHORT)
        print(f"bundled model runs on {SHORT.name} ({len(w.document.text)} chars)")
        for label in ("bundled (cold, includes model load)", "bundled (warm)"):
            ft, total = first_token(w.summary_tab)
            print(f"{label}: first token {ft:.2f} s, whole summary {total:.1f} s "
                  f"({w.summary_tab.last_run_outcome}; {w.speed_label.text()}; {w.backend_label.text()})")
    w.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
