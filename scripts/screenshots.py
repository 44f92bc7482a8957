"""Screenshots of the main window, one per task tab, with a real document open.

Runs under Xvfb (re-executes itself through xvfb-run if no display is set) and writes
PNGs to screenshots/out/. Uses real tasks on a FakeEngine by default (fast,
deterministic), or the bundled model with --bundled. For checking by eye: Japanese
glyphs (no boxes), no clipped widgets, PDF pages on white.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("GENNAI_CORPUS", REPO.parent / "shared" / "corpus")) / "ja"


def _reexec_under_xvfb(screen: str = "1600x1000") -> None:
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return
    xvfb = shutil.which("xvfb-run")
    if not xvfb:
        sys.exit("xvfb-run not found (apt-get install xvfb xauth) — or set QT_QPA_PLATFORM=offscreen")
    os.execv(xvfb, [xvfb, "-a", "-s", f"-screen 0 {screen}x24", sys.executable, *sys.argv])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "screenshots" / "out"))
    ap.add_argument("--bundled", action="store_true", help="use the bundled model instead of FakeEngine")
    ap.add_argument("--lang", default="ja", choices=["ja", "en"])
    ap.add_argument("--screen", default="", metavar="WxH",
                    help="Xvfb screen size, e.g. 1280x720; the window then sizes itself to it as on a "
                         "real screen (default: a 1600x1000 screen and a 1440x900 window)")
    args = ap.parse_args()
    _reexec_under_xvfb(args.screen or "1600x1000")
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("GENNAI_HOME", str(Path(args.out) / "_home"))
    from gennai_desktop.core.settings import Settings
    from tests.support.fake_engine import FakeEngine
    from gennai_desktop.ui.app import make_app
    from gennai_desktop.ui.engine_provider import EngineProvider
    from gennai_desktop.ui.ime import commit_text
    from gennai_desktop.ui.main_window import MainWindow
    from gennai_desktop.ui.qt import QApplication

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app, family = make_app()
    settings = Settings(language=args.lang)
    if args.bundled:
        provider = EngineProvider(settings)
    else:
        def reply(prompt: str) -> str:
            # Prompt-aware canned output so each tab shows something plausible.
            tail = prompt[-400:]
            if "English:" in tail or "英語" in tail:
                return "This Act sets out the effect of electronic signatures and certification services."
            if '"findings"' in prompt or "findings" in tail:
                return '{"findings": []}'
            return "本法は、電子署名の効力及び認証業務について定めるものである。"
        provider = EngineProvider(settings, factory=lambda: FakeEngine(reply=reply, delay=0.0))
    w = MainWindow(settings, provider, font_family=family, autosave=False)
    w.quit_chooser = lambda work: "discard"
    if not args.screen:
        w.resize(1440, 900)
    w.show()

    def pump(seconds: float = 0.3) -> None:
        end = time.time() + seconds
        while time.time() < end:
            QApplication.processEvents()
            time.sleep(0.01)

    def run_and_wait(tab, limit: float = 300) -> None:
        if not tab.run():
            print("could not run", tab.task_name, w.messages[-1:])
            return
        end = time.time() + limit
        while tab.busy and time.time() < end:
            pump(0.05)
        print(tab.task_name, tab.last_run_outcome, w.messages[-1:] if tab.last_run_outcome == "failed" else "")

    def shot(name: str) -> None:
        pump(0.4)
        path = out / f"{name}.png"
        w.grab().save(str(path))
        print("wrote", path)

    pdf = CORPUS / "law_denshi-shomei_412AC0000000102.pdf"
    docx = CORPUS / "law_denshi-shomei_412AC0000000102.docx"
    w.open_path(pdf)
    shot("00_pdf_open")
    w.tabs.setCurrentWidget(w.summary_tab)
    run_and_wait(w.summary_tab)
    shot("01_summary_pdf")
    w.open_path(docx)
    w.tabs.setCurrentWidget(w.proofread_tab)
    run_and_wait(w.proofread_tab)
    if w.proofread_tab.model.rowCount():
        w.proofread_tab.table.selectRow(0)
        w.proofread_tab.decide_selected("accepted")
        w.proofread_tab.table.selectRow(min(2, w.proofread_tab.model.rowCount() - 1))
    shot("02_proofread_docx")
    w.tabs.setCurrentWidget(w.translate_tab)
    run_and_wait(w.translate_tab)
    shot("03_translate_docx")
    w.tabs.setCurrentWidget(w.draft_tab)
    samples = {"文書番号": "デジ第１２３号", "宛先": "各府省庁情報システム担当課長",
               "発信者": "デジタル庁総務課長", "件名": "電子署名法の運用",
               "本文の要点": "電子署名の利用状況を調査する\n回答は令和８年１月３０日までに提出する"}
    for name, widget in w.draft_tab.inputs.items():
        value = widget.toPlainText() if hasattr(widget, "toPlainText") else widget.text()
        if not value.strip():
            multiline = hasattr(widget, "toPlainText")
            commit_text(widget, samples.get(name) or ("要点の一\n要点の二" if multiline else "記入例"))
    shot("04_draft_fields")
    run_and_wait(w.draft_tab)
    shot("05_draft_result")
    w.open_path(pdf)
    w.tabs.setCurrentWidget(w.qa_tab)
    commit_text(w.qa_tab.question_edit, "電子署名法はいつから施行されますか")
    run_and_wait(w.qa_tab)
    shot("09_qa_citations")
    from gennai_desktop.ui.settings_dialog import SettingsDialog
    dlg = SettingsDialog(settings, w)
    dlg.show()
    pump(0.4)
    dlg.grab().save(str(out / "06_settings.png"))
    print("wrote", out / "06_settings.png")
    dlg.close()
    from gennai_desktop.ui.models_panel import ModelsDialog
    from gennai_desktop.ui.packs_dialog import PacksDialog
    for name, d in (("07_models", ModelsDialog(settings, w)), ("08_packs", PacksDialog(settings, w))):
        d.show()
        pump(0.4)
        d.grab().save(str(out / f"{name}.png"))
        print("wrote", out / f"{name}.png")
        d.close()
    w.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
