"""History retention: a v2 setting (v1 files migrate), 0 = off, and lockable by policy."""
from __future__ import annotations

import json

from gennai_desktop.core.settings import SETTINGS_VERSION, load_settings, settings_path
from gennai_desktop.packs import policy as P
from gennai_desktop.storage import open_store
from gennai_desktop.storage.history import record_task


class _Result:
    text = "方針で固定された保存期間のテスト"
    method = "extractive"
    style = "bullets"
    model_id = ""


def test_v1_settings_migrate_to_v2_with_retention_defaults():
    settings_path().write_text(json.dumps({"version": 1, "language": "en", "recent_files": ["/x/a.docx"]}),
                               encoding="utf-8")
    s = load_settings()
    assert SETTINGS_VERSION == 2 and s.version == 2 and s.language == "en"
    assert s.history_retention_days == 90 and s.recovery_keep_days == 7


def test_history_recorded_then_policy_lock_to_zero_keeps_nothing(monkeypatch):
    assert record_task("summarize", _Result(), origin="test") is not None
    assert open_store().count_results() == 1
    locked = P.Policy(locked_settings={"history_retention_days": 0}, source="signed")
    monkeypatch.setattr(P, "current_policy", lambda: locked)
    assert record_task("summarize", _Result(), origin="test") is None
    assert open_store().count_results() == 0                 # history off: nothing new, what was kept deleted
    assert P.apply_policy(load_settings()).history_retention_days == 0


def test_policy_can_turn_audit_off(monkeypatch, _isolated_home):
    monkeypatch.setattr(P, "current_policy", lambda: P.Policy(audit_enabled=False, source="signed"))
    record_task("summarize", _Result(), origin="test")
    assert not (_isolated_home / "audit").exists()
