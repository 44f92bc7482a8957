"""UI latency numbers: time to window shown, and time to first streamed token in the
要約 tab on a FakeEngine and on the bundled model (cold = includes the lazy model load).

With ``--first-results`` (issue 23 item 3): from the click, with the app's real model service
and default settings (the bundled base model: its passes are skipped, so nothing loads), the
time until the 校正 rule findings of a 50-page PDF (the first 50 pages of a real report,
shian_moj_chukan_shian_hosoku.pdf) are in the findings list, until the
extractive summary is shown, and until a 質問 answer is shown (first question, index built on
the way, and a second question) — each the best of ``--runs``, with the load average, since
the machine is shared.

    QT_QPA_PLATFORM=offscreen python bench/bench_ui.py [--no-bundled] [--first-results [--runs 3]]

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
    ap.add_argument("--first-results", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if args.first_results:
        return first_results(args.runs)
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
    w.quit_chooser = lambda work: "discard"
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


def first_results(runs: int) -> int:
    """Click-to-result times on a 50-page PDF with the real engine provider (see the docstring)."""
    from pypdf import PdfReader, PdfWriter

    from gennai_desktop.core.events import FindingsAdded
    from gennai_desktop.core.settings import Settings
    from gennai_desktop.ui.app import make_app
    from gennai_desktop.ui.engine_provider import EngineProvider
    from gennai_desktop.ui.main_window import MainWindow
    from gennai_desktop.ui.qt import QApplication

    pdf = Path(os.environ["GENNAI_HOME"]) / "report_50p.pdf"      # as bench_first_result.py
    reader, writer = PdfReader(str(JA.parent / "real" / "shian_moj_chukan_shian_hosoku.pdf")), PdfWriter()
    for page in reader.pages[:50]:
        writer.add_page(page)
    with open(pdf, "wb") as fh:
        writer.write(fh)
    app, family = make_app()
    settings = Settings()
    w = MainWindow(settings, EngineProvider(settings), font_family=family, autosave=False)
    w.show()
    QApplication.processEvents()
    assert w.open_path(pdf)
    load = os.getloadavg()
    print(f"{pdf.name}: 50 pages, {len(w.document.text):,} characters; {os.cpu_count()} CPUs; "
          f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}", flush=True)

    def click(tab, first=None) -> tuple[float, float]:
        """(seconds to the first event ``first`` accepts or to the end, seconds to the end)."""
        seen: list[float] = []
        t0 = time.perf_counter()
        assert tab.run()
        if first is not None:
            tab.worker.signals.event.connect(
                lambda ev: seen.append(time.perf_counter()) if first(ev) and not seen else None)
        while tab.busy:
            QApplication.processEvents()
            time.sleep(0.001)
        QApplication.processEvents()
        end = time.perf_counter() - t0
        return (seen[0] - t0 if seen else end), end

    rows: dict[str, list[float]] = {}
    for _ in range(runs):
        tab = w.proofread_tab
        first, _end = click(tab, lambda ev: isinstance(ev, FindingsAdded) and ev.findings)
        rows.setdefault("校正: rule findings listed (target < 2 s)", []).append(first)
        assert tab.model.rowCount() > 0, "no findings shown"
        _first, end = click(w.summary_tab)
        assert w.summary_tab.result is not None and w.summary_tab.result.method == "extractive"
        rows.setdefault("要約: extractive summary shown (target < 3 s)", []).append(end)
    qa = w.qa_tab
    for n, question in enumerate(["電子化された船荷証券の法律上の名称は何とすることが考えられるか",
                                  "電子船荷証券記録の発行とは何を意味するか"] * runs):
        qa.question_edit.setText(question)
        _first, end = click(qa)
        assert qa.result is not None, w.messages
        key = ("質問: first answer, index built on the way" if n == 0 else
               "質問: answer, index ready (target < 1 s)")
        rows.setdefault(key, []).append(end)
    for key, values in rows.items():
        print(f"{key}: best {min(values):.2f} s, all {' '.join(f'{v:.2f}' for v in values)}", flush=True)
    load = os.getloadavg()
    print(f"load average at end {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    w.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
