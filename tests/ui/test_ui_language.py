"""Issue 25 must-have 5: every string a user can see in the shipped window — each tab with
a document open and a result shown, the menus, and the dialogs (設定 with both pages, 履歴,
モデル, モデルパック, パスフレーズ, the file dialog) — is Japanese in the Japanese UI and
English in the English UI. Allowed either way: names (file names, the language names in
the language choice, product and format names, keys) and Japanese document text quoted in
「」 in the English UI (what the document says, e.g. 「記載なし」)."""
from __future__ import annotations

import re

import pytest

from gennai_desktop.core.i18n import get_language, set_language
from gennai_desktop.core.settings import Settings
from gennai_desktop.ui import file_dialogs
from gennai_desktop.ui.qt import QApplication, QFileDialog, QWidget
from gennai_desktop.ui.translations import install_qt_translations
from tests.support.fake_engine import FakeEngine

from .conftest import make_window, wait_idle
from .visible_strings import visible_strings

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
# names and notation that are the same in both languages
NAMES = re.compile(
    r"Ctrl\+\S+|Shift\+\S+|Esc|F1|Tab|OK|GENNAI|Word|PDF|HTML|CSV|TSV|SRT|WebVTT|GPU|CPU|OCR|Q&A|"
    r"\*\.\w+|\.\w{2,4}\b|[\w.-]+\.(?:docx|pdf|txt|md|html?)|&[A-Z]|https?://\S+|GENNAI_\w+|"
    r"English|日本語|源内デスクトップ|(?:[A-Za-z]:)?[/\\][^\s]*|\d+")     # … and paths
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


def _only_names(text: str, extra: tuple[str, ...]) -> str:
    for name in extra:
        text = text.replace(name, " ")
    return NAMES.sub(" ", text)


def _wrong(strings, lang: str, extra: tuple[str, ...]) -> list[tuple[str, str]]:
    bad = []
    for where, text in strings:
        rest = _only_names(text, extra)
        if lang == "ja":
            if not JAPANESE.search(text) and ASCII_WORD.search(rest):
                bad.append((where, text))
        else:
            rest = re.sub(r"「[^」]*」", " ", rest)
            if JAPANESE.search(rest):
                bad.append((where, text))
    return bad


def _reply(prompt: str) -> str:
    if "English:" in prompt[-400:] or "英語" in prompt[-400:]:
        return "The holidays are set out in this Act."
    return "国民の祝日は、この法律で定める。"


@pytest.fixture(params=["ja", "en"])
def ui_lang(request, qapp):
    before = get_language()
    set_language(request.param)
    install_qt_translations(qapp, request.param)
    yield request.param
    set_language(before)
    install_qt_translations(qapp, before)


def test_every_visible_string_is_in_the_ui_language(qtbot, app_font, ui_lang, ja_corpus, monkeypatch, tmp_path):
    doc = ja_corpus / "law_kokumin-shukujitsu_323AC1000000178.txt"
    w = make_window(qtbot, FakeEngine(reply=_reply), settings=Settings(language=ui_lang))
    assert w.open_path(doc)
    names = (doc.name, doc.stem, "テスト用", "Fake")
    seen: list[tuple[str, str]] = []
    for i in range(w.tabs.count()):
        tab = w.tabs.widget(i)
        w.tabs.setCurrentWidget(tab)
        if tab in (w.summary_tab, w.proofread_tab, w.translate_tab):
            assert tab.run()
            wait_idle(qtbot, tab)
        QApplication.processEvents()
        seen += [(f"{tab.objectName()}:{where}", t) for where, t in visible_strings(w)]
    # the dialogs an official meets on the first day
    from gennai_desktop.ui.history_dialog import HistoryDialog
    from gennai_desktop.ui.models_panel import ModelsDialog
    from gennai_desktop.ui.packs_dialog import PacksDialog
    from gennai_desktop.ui.passphrase_dialog import PassphraseDialog, PassphraseRequest
    from gennai_desktop.ui.settings_dialog import SettingsDialog
    dialogs: list[QWidget] = [ModelsDialog(w.settings, w), PacksDialog(w.settings, w)]
    settings = SettingsDialog(w.settings, w)
    dialogs.append(settings)
    assert w.store is not None
    dialogs.append(HistoryDialog(w.store, w))            # the three results just recorded
    dialogs.append(PassphraseDialog(PassphraseRequest(first_use=True, error="x", tries_left=2), w))
    for d in (d for d in dialogs if d is not None):
        qtbot.addWidget(d)
        d.show()
        QApplication.processEvents()
        seen += [(f"{d.objectName() or type(d).__name__}:{where}", t) for where, t in visible_strings(d)]
        if d is settings:
            settings.pages.setCurrentIndex(1)
            QApplication.processEvents()
            seen += [(f"settings-advanced:{where}", t) for where, t in visible_strings(d)]
        d.close()
    captured: list[QFileDialog] = []
    monkeypatch.setattr(file_dialogs, "run_dialog", lambda d: captured.append(d) or "")
    w.open_dialog()
    fd = captured[0]
    fd.show()
    QApplication.processEvents()
    seen += [(f"fileDialog:{where}", t) for where, t in visible_strings(fd)]
    fd.close()
    assert len(seen) > 150
    bad = _wrong(seen, ui_lang, names)
    assert not bad, "\n".join(f"{w_}: {t!r}" for w_, t in bad)
