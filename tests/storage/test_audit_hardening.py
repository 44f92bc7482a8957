"""Audit findings of the hardening round: a torn last line, truncation and deletion (the
anchor in the encrypted store), a required audit that cannot be written, every task
audited, and special files never hashed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gennai_desktop.cli import main as gennai
from gennai_desktop.core.errors import EXIT_SECURITY, SecurityError
from gennai_desktop.packs import policy as packs_policy
from gennai_desktop.storage import open_store
from gennai_desktop.storage.audit import AuditLog, read_anchor, verify
from gennai_desktop.app.context import AppContext
from gennai_desktop.app.recording import TaskRun, recording
from tests.conftest import REPO


@pytest.fixture
def log(tmp_path) -> AuditLog:
    open_store().close()                     # a store exists (the anchor lives there)
    return AuditLog(tmp_path / "audit" / "audit.jsonl")


def lines(log: AuditLog) -> list[dict]:
    return [json.loads(x) for x in log.path.read_text(encoding="utf-8").splitlines() if x.strip().startswith("{")
            and x.strip().endswith("}")]


def test_a_torn_last_line_does_not_restart_the_chain(log):
    log.append("task", task="summarize", outcome="ok")
    second = log.append("task", task="proofread", outcome="ok")
    with open(log.path, "ab") as fh:
        fh.write(b'{"v":1,"seq":3,"time":"2026-')          # the crash mid-write
    third = log.append("task", task="translate", outcome="ok")
    assert third["seq"] == 3 and third["prev"] == second["hash"]
    count, problems = verify([log.path])
    assert [p.reason for p in problems] == ["unreadable"]          # only the torn line itself


def test_cutting_off_the_last_lines_is_detected_with_the_anchor(log):
    for task in ("summarize", "proofread", "translate"):
        last = log.append("task", task=task, outcome="ok")
    assert read_anchor(log.path) == {"seq": last["seq"], "hash": last["hash"]}
    kept = log.path.read_text(encoding="utf-8").splitlines()[:1]
    log.path.write_text(kept[0] + "\n", encoding="utf-8")
    assert verify([log.path])[1] == []                              # the bare chain cannot tell
    assert [p.reason for p in verify([log.path], anchor=read_anchor(log.path))[1]] == ["truncated"]
    log.append("task", task="draft", outcome="ok")                  # the next append says so too
    recs = lines(log)
    assert recs[1]["action"] == "audit.anchor_mismatch" and recs[1]["prev"] == last["hash"]
    assert [p.reason for p in verify([log.path])[1]] == ["removed"]


def test_a_deleted_log_is_detected_with_the_anchor(log):
    log.append("task", task="summarize", outcome="ok")
    last = log.append("task", task="proofread", outcome="ok")
    log.path.unlink()
    assert [p.reason for p in verify([log.path], anchor=read_anchor(log.path))[1]] == ["deleted"]
    log.append("task", task="draft", outcome="ok")
    first = lines(log)[0]
    assert first["action"] == "audit.anchor_mismatch" and first["seq"] == last["seq"] + 1
    assert [p.reason for p in verify([log.path])[1]] == ["removed"]


def test_admin_verify_with_the_anchor_exits_7_on_a_truncated_log(log, capsys):
    from gennai_desktop.cli.admin import main as admin
    for task in ("summarize", "proofread"):
        log.append("task", task=task, outcome="ok")
    assert admin(["audit", "verify", "--anchor", str(log.path)]) == 0
    log.path.write_text(log.path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert admin(["audit", "verify", str(log.path)]) == 0
    assert admin(["audit", "verify", "--anchor", str(log.path)]) == EXIT_SECURITY
    assert "切り取られています" in capsys.readouterr().err


def _unwritable_policy(tmp_path, required: bool):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    return packs_policy.Policy(audit_dir=str(blocker / "audit"), audit_required=required)


def test_a_required_audit_that_cannot_be_written_refuses_the_task(tmp_path, monkeypatch, ja_corpus, capsys):
    monkeypatch.setattr(packs_policy, "current_policy", lambda *a, **k: _unwritable_policy(tmp_path, True))
    ran = []
    with pytest.raises(SecurityError) as info:
        with recording(TaskRun(AppContext(), "summarize",
                               file=str(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf"))):
            ran.append(True)
    assert ran == [] and info.value.key == "storage.error.audit_unwritable"
    rc = gennai(["summarize", "--no-model", str(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf")])
    out = capsys.readouterr()
    assert rc == EXIT_SECURITY and out.out == "" and "監査ログに書き込めない" in out.err


def test_an_optional_audit_that_cannot_be_written_only_warns(tmp_path, monkeypatch, ja_corpus, capsys):
    monkeypatch.setattr(packs_policy, "current_policy", lambda *a, **k: _unwritable_policy(tmp_path, False))
    rc = gennai(["summarize", "--no-model", str(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf")])
    out = capsys.readouterr()
    assert rc == 0 and out.out.strip() and "監査ログ" in out.err


def test_the_strict_builtin_policy_requires_the_audit():
    assert packs_policy.Policy.locked_down().audit_required is True
    assert packs_policy.Policy().audit_required is False


def test_ask_and_extract_are_audited(ja_corpus, tmp_path, capsys):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text((ja_corpus / "law_gyosei-kikan-kyujitsu_363AC0000000091.txt").read_text(
        encoding="utf-8"), encoding="utf-8")
    assert gennai(["ask", str(folder), "休日はいつですか", "--no-model", "--json"]) == 0
    assert gennai(["extract", str(ja_corpus / "law_nihonkoku-kenpo_321CONSTITUTION.pdf"), "--json"]) == 0
    audit = Path(os.environ["GENNAI_HOME"]) / "audit" / "audit.jsonl"
    recs = [json.loads(x) for x in audit.read_text(encoding="utf-8").splitlines()]
    assert [(r["action"], r.get("task"), r.get("outcome")) for r in recs] == [
        ("task", "ask", "ok"), ("task", "extract", "ok")]
    assert len(recs[1]["doc_sha256"]) == 64
    store = open_store(create=False)
    assert store.count_results() == 0                   # audited, not kept in the history
    store.close()


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_pdf_linked_to_dev_zero_is_refused_and_audited_without_hashing(tmp_path):
    link = tmp_path / "report.pdf"
    os.symlink("/dev/zero", link)
    proc = subprocess.run([sys.executable, "-m", "gennai_desktop.cli", "summarize", str(link), "--no-model"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 3, proc.stderr
    rec = json.loads((Path(os.environ["GENNAI_HOME"]) / "audit" / "audit.jsonl").read_text().splitlines()[-1])
    assert rec["task"] == "summarize" and rec["outcome"].startswith("error:") and "doc_sha256" not in rec
