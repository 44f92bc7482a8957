"""Audit log: hash-chained lines, no content; edited/removed/reordered lines are found and
named by ``gennai-admin audit verify``; rotation keeps the chain."""
from __future__ import annotations

import json

import pytest

from gennai_desktop.cli.admin import main as admin_main
from gennai_desktop.storage.audit import AuditLog, audit_log, verify


def _log(tmp_path, n=5, **kw) -> AuditLog:
    log = AuditLog(tmp_path / "audit.jsonl", **kw)
    for i in range(n):
        log.append("task", task="summarize", doc_sha256=f"{i:064x}", doc_size=100 + i, model_id="m",
                   model_sha256="cd" * 32, outcome="ok")
    return log


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_intact_log_verifies(tmp_path, capsys):
    log = _log(tmp_path)
    recs = [json.loads(line) for line in _lines(log.path)]
    assert [r["seq"] for r in recs] == [1, 2, 3, 4, 5]
    assert set(recs[0]) >= {"time", "user", "action", "task", "doc_sha256", "doc_size", "model_id",
                            "model_sha256", "outcome", "prev", "hash"}
    assert verify([log.path]) == (5, [])
    assert admin_main(["audit", "verify", str(log.path)]) == 0
    assert "改ざんされていません" in capsys.readouterr().out


def test_edited_line_is_detected_and_named(tmp_path, capsys):
    log = _log(tmp_path)
    lines = _lines(log.path)
    lines[2] = lines[2].replace('"doc_size":102', '"doc_size":999')
    _write(log.path, lines)
    _n, problems = verify([log.path])
    assert [(p.line, p.reason) for p in problems] == [(3, "edited")]
    assert admin_main(["audit", "verify", str(log.path)]) == 7
    err = capsys.readouterr().err
    assert f"{log.path}:3:" in err and "書き換えられています" in err


def test_edited_line_with_recomputed_hash_breaks_the_next_link(tmp_path):
    from gennai_desktop.storage.audit import line_hash
    log = _log(tmp_path)
    lines = _lines(log.path)
    rec = json.loads(lines[1])
    rec["outcome"] = "error:hidden"
    rec["hash"] = line_hash(rec)
    lines[1] = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    _write(log.path, lines)
    assert [(p.line, p.reason) for p in verify([log.path])[1]] == [(3, "chain")]


def test_removed_line_is_detected(tmp_path):
    log = _log(tmp_path)
    lines = _lines(log.path)
    del lines[2]
    _write(log.path, lines)
    assert [(p.line, p.reason) for p in verify([log.path])[1]] == [(3, "removed")]
    lines = _lines(log.path)
    del lines[0]                                        # the very first line
    _write(log.path, lines)
    assert (1, "removed") in [(p.line, p.reason) for p in verify([log.path])[1]]


def test_reordered_lines_are_detected(tmp_path):
    log = _log(tmp_path)
    lines = _lines(log.path)
    lines[1], lines[3] = lines[3], lines[1]
    _write(log.path, lines)
    problems = verify([log.path])[1]
    assert problems and problems[0].line == 2 and {p.reason for p in problems} == {"reordered"}


def test_rotation_keeps_the_chain(tmp_path):
    log = _log(tmp_path, n=12, max_bytes=1500)
    files = sorted(tmp_path.glob("audit-*.jsonl")) + [log.path]
    assert len(files) >= 3
    first_new = json.loads(_lines(log.path)[0])
    prev_file = files[-2]
    assert first_new["action"] == "rotate" and first_new["prev_file"] == prev_file.name
    assert first_new["prev"] == json.loads(_lines(prev_file)[-1])["hash"]
    assert verify(files) == (sum(len(_lines(f)) for f in files), [])
    assert verify([log.path])[1] == []                   # the current file alone: anchored by its rotate line
    assert verify([files[0], log.path])[1]              # a file missing in between is noticed


def test_no_content_fields_allowed(tmp_path):
    with pytest.raises(ValueError):
        AuditLog(tmp_path / "audit.jsonl").append("task", text="本文")


def test_policy_moves_or_disables_the_log(tmp_path):
    from gennai_desktop.packs.policy import Policy
    assert audit_log(Policy(audit_enabled=False)) is None
    assert audit_log(Policy(audit_dir=str(tmp_path / "it"))).path == tmp_path / "it" / "audit.jsonl"
    assert "audit" in audit_log(Policy()).path.name


def test_concurrent_appends_keep_one_chain(tmp_path):
    import threading
    log = AuditLog(tmp_path / "audit.jsonl")

    def work():
        for _ in range(20):
            AuditLog(log.path).append("task", task="proofread", outcome="ok")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert verify([log.path]) == (80, [])
