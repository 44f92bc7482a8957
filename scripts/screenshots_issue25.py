"""Screenshots of each state issue 25 fixed, of the real window under Xvfb, light or dark,
at a given screen size (the window fills it): for looking at, not for tests.

  python scripts/screenshots_issue25.py --screen 1280x800 [--dark] [--lang en] --out DIR

Real tasks on a FakeEngine (instruction-tuned spec, so the model passes run), real documents
from the corpus, a synthetic scan for OCR. Each PNG is named after the item it shows.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("GENNAI_CORPUS", REPO.parent / "shared" / "corpus")) / "ja"


def _reexec_under_xvfb(screen: str) -> None:
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        return
    xvfb = shutil.which("xvfb-run")
    if not xvfb:
        sys.exit("xvfb-run not found (apt-get install xvfb xauth) — or set QT_QPA_PLATFORM=offscreen")
    os.execv(xvfb, [xvfb, "-a", "-s", f"-screen 0 {screen}x24", sys.executable, *sys.argv])


NEGATION = {
    "職員は、許可なく庁舎に立ち入ってはならない。": "Employees may enter the building without permission.",
    "年次休暇は、一の年ごとに二十日とする。": "Annual leave shall be 20 days per year.",
    "申請は、書面でしなければならない。": "Applications must be made in writing.",
}


def _reply(prompt: str) -> str:
    tail = prompt[-400:]
    if "日本語: " in prompt:
        src = prompt.rsplit("日本語: ", 1)[1].split("\n")[0]
        if src in NEGATION:
            return NEGATION[src]
    if "English:" in tail or "英語" in tail:
        return "This Act sets out national holidays."
    if '"findings"' in prompt or "findings" in tail:
        return '{"findings": []}'
    return "国民の祝日は、この法律で定める日とする。"


def main() -> int:  # noqa: C901 - one linear script of states
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "screenshots" / "out" / "issue25"))
    ap.add_argument("--screen", default="1280x800")
    ap.add_argument("--dark", action="store_true")
    ap.add_argument("--lang", default="ja", choices=["ja", "en"])
    args = ap.parse_args()
    _reexec_under_xvfb(args.screen)
    sys.path.insert(0, str(REPO))
    work = Path(tempfile.mkdtemp(prefix="gennai-shots-"))
    os.environ["GENNAI_HOME"] = str(work / "home")
    os.environ["GENNAI_MACHINE_DIR"] = str(work / "machine")
    os.environ.setdefault("GENNAI_STORE_PASSPHRASE", "screenshot-passphrase-not-secret")
    from gennai_desktop.core.document import Location
    from gennai_desktop.core.i18n import set_language, tr
    from gennai_desktop.core.settings import Settings
    from gennai_desktop.ui import file_dialogs
    from gennai_desktop.ui.app import make_app
    from gennai_desktop.ui.engine_provider import EngineProvider
    from gennai_desktop.ui.ime import commit_text
    from gennai_desktop.ui.main_window import MainWindow
    from gennai_desktop.ui.qt import QApplication
    from gennai_desktop.ui.theme import apply_theme
    from gennai_desktop.ui.translations import install_qt_translations
    from tests.support import ocr_synth as synth
    from tests.support.fake_engine import FakeEngine, instruct_spec

    width, height = (int(x) for x in args.screen.split("x"))
    tag = f"{'dark' if args.dark else 'light'}_{args.screen}" + ("_en" if args.lang == "en" else "")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    set_language(args.lang)
    app, family = make_app()
    install_qt_translations(app, args.lang)
    apply_theme(app, dark=args.dark)
    settings = Settings(language=args.lang)
    engine = FakeEngine(reply=_reply, spec=instruct_spec(), delay=0.0)
    provider = EngineProvider(settings, factory=lambda: engine, spec=engine.spec)
    from gennai_desktop.storage import open_store
    try:
        store = open_store()
    except Exception as exc:  # noqa: BLE001
        print("no store:", exc)
        store = None
    w = MainWindow(settings, provider, font_family=family, autosave=False, store=store)
    w.quit_chooser = lambda work_: "discard"
    w.resize(width, height)
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

    def shot(name: str, widget=None) -> None:
        pump(0.5)
        path = out / f"{name}_{tag}.png"
        (widget or w).grab().save(str(path))
        print("wrote", path)

    law = CORPUS / "law_denshi-shomei_412AC0000000102.docx"
    pdf = CORPUS / "law_denshi-shomei_412AC0000000102.pdf"
    # 1 + 7: two documents open, each with its results; 校正 decisions in colour, focus ring
    w.open_path(law)
    w.tabs.setCurrentWidget(w.proofread_tab)
    pt = w.proofread_tab
    i = pt.profile_box.findData("koyobun")         # a law has few findings under its own standard
    if i >= 0:
        pt.profile_box.setCurrentIndex(i)
    run_and_wait(pt)
    pt.severity_filter.setCurrentIndex(pt.severity_filter.findData("all"))   # the rows, in their colours
    pump(0.2)
    if pt.model.rowCount():
        pt.table.selectRow(0)
        pt.decide_selected("accepted")
        if pt.model.rowCount() > 1:
            pt.table.selectRow(1)
            pt.decide_selected("rejected")
        pt.table.selectRow(min(2, pt.model.rowCount() - 1))
        pt.table.setFocus()
    w.open_path(pdf)
    w.switch_document(0)
    shot("01_07_documents_and_decisions")
    # 9: what the save wrote, whole, under the result
    target = work / "校正結果.docx"
    pt.save_dialog(chooser=lambda name: str(target))
    shot("09_proofread_saved")
    # 3: long work — extractive key sentences first, the progress line with elapsed/estimate
    w.switch_document(1)
    engine._delay = 0.5                         # a slow model: ~5 s a chunk
    w.tabs.setCurrentWidget(w.summary_tab)
    w.summary_tab.run()
    end = time.time() + 14
    while time.time() < end and w.summary_tab.busy:
        pump(0.1)
    shot("03_summary_progress")
    w.summary_tab.cancel()
    while w.summary_tab.busy:
        pump(0.1)
    engine._delay = 0.0
    shot("03_summary_stopped_keeps_extractive")
    # 4: 翻訳 names the sentences whose negation may have flipped
    neg = work / "規程.txt"
    neg.write_text("\n\n".join(NEGATION) + "\n", encoding="utf-8")
    w.open_path(neg)
    w.tabs.setCurrentWidget(w.translate_tab)
    run_and_wait(w.translate_tab)
    w.translate_tab.review_list.setCurrentRow(0)
    shot("04_translate_review")
    # 5: a scan — OCR'd, a citation highlights its line boxes on the page
    scan = work / "scan.pdf"
    synth.render_lines(["第一条　この規則は、文書の管理について定める。", "",
                        "第二条　職員は、文書を適切に保存しなければならない。"]).save(scan, resolution=200)
    w.open_path(scan)
    blocks = [b for b in w.document.blocks if b.ocr and b.boxes]
    if blocks:
        b = blocks[-1]
        w.document_view.go_to(Location(b.id, b.page, None))
    shot("05_scan_citation_highlight")
    # 8: 起案 fields, 宛先 typed with its honorific
    w.tabs.setCurrentWidget(w.draft_tab)
    samples = {"文書番号": "デジ第１２３号", "宛先": "各府省庁情報システム担当課長　殿",
               "発信者": "デジタル庁総務課長", "件名": "電子署名法の運用について",
               "本文の要点": "電子署名の利用状況を調査する\n回答は令和８年１月３０日までに提出する\n様式は別添のとおり"}
    for name, widget in w.draft_tab.inputs.items():
        value = widget.toPlainText() if hasattr(widget, "toPlainText") else widget.text()
        if not value.strip() and name in samples:
            commit_text(widget, samples[name])
    shot("08_draft_fields")
    run_and_wait(w.draft_tab)
    shot("08_draft_result")
    # 2: 履歴 with every task named and previewed
    if store is not None:
        dlg = w.open_history()
        if dlg is not None:
            dlg.resize(min(900, width - 40), min(600, height - 40))
            shot("02_history", dlg)
            dlg.close()
    # 6: the passphrase box on first use, with an error said in words
    from gennai_desktop.ui.passphrase_dialog import PassphraseDialog, PassphraseRequest
    pd = PassphraseDialog(PassphraseRequest(first_use=True, error=tr("ui2.passphrase.mismatch"), tries_left=3), w)
    pd.show()
    shot("06_passphrase_first_use", pd)
    pd.close()
    # 10: 設定 (basic / advanced), file dialog, 診断, すべて検証
    from gennai_desktop.ui.settings_dialog import SettingsDialog
    sd = SettingsDialog(w.settings, w)
    sd.show()
    shot("10_settings_basic", sd)
    sd.pages.setCurrentIndex(1)
    shot("10_settings_advanced", sd)
    sd.close()
    captured = []
    file_dialogs.run_dialog = lambda d: captured.append(d) or ""
    w.open_dialog()
    fd = captured[0]
    fd.resize(min(820, width - 40), min(520, height - 40))
    fd.show()
    shot("10_file_dialog", fd)
    fd.close()
    from gennai_desktop.ui.doctor_dialog import DoctorDialog
    dd = DoctorDialog(w, provider)
    dd.show()
    end = time.time() + 30
    while dd.report is None and time.time() < end:
        pump(0.2)
    shot("10_doctor", dd)
    dd.close()
    from gennai_desktop.ui.packs_dialog import PacksDialog
    pk = PacksDialog(w.settings, w)
    pk.show()
    pk.verify_all()
    end = time.time() + 30
    while pk.worker is not None and time.time() < end:
        pump(0.2)
    shot("10_packs_verify_all", pk)
    pk.close()
    w.open_help()
    shot("10_help", w.help_dialog)
    w.help_dialog.close()
    w.close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
