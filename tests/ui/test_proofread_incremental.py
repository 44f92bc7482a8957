"""校正 shows rule findings at once, adds model findings chunk by chunk (origin 規則 /
モデル), and a cancel keeps what is already there (decidable and exportable)."""
from __future__ import annotations

import json
import re
import threading

from gennai_desktop.core.events import FindingsAdded, Done, TextDelta
from gennai_desktop.documents import load_document
from gennai_desktop.tasks.proofread import proofread
from tests.support.fake_engine import FakeEngine, instruct_spec

from .conftest import make_window, wait_idle

DOC = "law_rodo-kijun_322AC0000000049.txt"     # 第一条 in the first chunk for the fake model; 法令-standard findings for the rules


def _article_finder(prompt: str) -> str:
    """A fake model that flags the last 「第N条」 of each chunk (never a rule finding)."""
    m = re.findall(r"第[一二三四五六七八九十]+条", prompt)
    items = [{"original": m[-1], "suggestion": m[-1] + "　", "reason": "テスト用の指摘"}] if m else []
    return json.dumps({"findings": items}, ensure_ascii=False)


def test_task_yields_rules_before_loading_model_then_each_chunk(ja_corpus):
    doc = load_document(ja_corpus / DOC)
    order: list[str] = []

    def load():
        order.append("load")
        return FakeEngine(spec=instruct_spec(), reply=_article_finder)

    added: list[FindingsAdded] = []
    done = None
    for ev in proofread(doc, load, use_rules=True, use_model=True):
        if isinstance(ev, FindingsAdded):
            order.append(ev.origin)
            added.append(ev)
        elif isinstance(ev, TextDelta):
            order.append("delta")
        elif isinstance(ev, Done):
            done = ev.result
    assert order[0] == "rule" and order[1] == "load", order    # rules came before the model load
    assert order.count("model") >= 2                          # one event per chunk with news
    streamed = [f for ev in added for f in ev.findings]
    assert sorted(streamed, key=lambda f: (f.start, f.end)) == sorted(done.findings, key=lambda f: (f.start, f.end))
    assert {f.origin for f in streamed} == {"rule", "model"}


def test_rules_only_never_loads_the_model(ja_corpus):
    doc = load_document(ja_corpus / DOC)

    def load():
        raise AssertionError("the model must not load for a rules-only check")

    events = list(proofread(doc, load, use_rules=True, use_model=False))
    assert isinstance(events[-1], Done) and events[-1].result.findings


def test_cancel_keeps_rule_and_model_findings_so_far(qtbot, app_font, ja_corpus, tmp_path):
    calls = {"n": 0}
    gate = threading.Event()
    holder: dict = {}

    def reply(prompt: str) -> str:
        calls["n"] += 1
        if calls["n"] == 2:                      # second chunk: the user presses 中止
            gate.wait(10)
            holder["tab"].worker.cancel_token.cancel()
        return _article_finder(prompt)

    w = make_window(qtbot, FakeEngine(spec=instruct_spec(), reply=reply))
    w.open_path(ja_corpus / DOC)
    tab = w.proofread_tab
    holder["tab"] = tab
    w.tabs.setCurrentWidget(tab)
    assert tab.run()
    # while the model still works on chunk 2, rule findings and chunk 1's are listed
    qtbot.waitUntil(lambda: any(f.origin == "model" for f in tab.model.findings), timeout=20000)
    origins = {tab.model.data(tab.model.index(r, 4)) for r in range(tab.model.rowCount())}
    assert origins == {"規則", "モデル"}
    assert tab.busy
    n = tab.model.rowCount()
    gate.set()
    wait_idle(qtbot, tab)
    assert tab.last_run_outcome == "cancelled"
    assert tab.model.rowCount() == n >= 2           # nothing thrown away
    assert tab.result is not None and tab.result_is_current()
    assert "途中で止まりました" in tab.notices.text()
    assert tab.accept_button.isEnabled() and tab.save_button.isEnabled()
    tab.accept_all()
    target = tab.save_dialog(chooser=lambda name: str(tmp_path / name))
    assert target
    assert "第二条　" in load_document(target).text or "第三条　" in load_document(target).text
