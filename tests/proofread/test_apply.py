"""apply_findings: offsets into the original text, right-to-left semantics."""
from __future__ import annotations

from gennai_desktop.core.findings import Finding
from gennai_desktop.proofread.apply import apply_findings
from gennai_desktop.proofread.rules import check_text


def _f(text: str, s: int, e: int, sugg: str) -> Finding:
    return Finding(start=s, end=e, original=text[s:e], suggestion=sugg, rule="t", message="m")


def test_applies_in_any_order():
    text = "尚、資料を送って下さい。"
    fs = [_f(text, 8, 11, "ください"), _f(text, 0, 1, "なお")]
    assert apply_findings(text, fs) == "なお、資料を送ってください。"


def test_skips_stale_and_overlapping():
    text = "あいうえお"
    stale = Finding(start=0, end=1, original="か", suggestion="X", rule="t", message="m")
    a, b = _f(text, 1, 3, "X"), _f(text, 2, 4, "Y")
    assert apply_findings(text, [stale, a, b]) == "あXえお"


def test_advice_and_deletion():
    text = "申請書\u200bです。"
    adv = _f(text, 4, 6, "です")
    dele = _f(text, 3, 4, "")
    assert apply_findings(text, [adv, dele]) == "申請書です。"


def test_corrected_text_has_no_replacement_findings_left():
    text = "尚、会議資料は事前に印刷して置いて下さい。下記の通り開催致します。"
    fixed = apply_findings(text, check_text(text))
    assert fixed == "なお、会議資料は事前に印刷しておいてください。下記のとおり開催いたします。"
    assert [f for f in check_text(fixed) if f.is_replacement] == []
