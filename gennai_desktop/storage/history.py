"""The result history's part in storage: a result's text and payload as kept, and the one
primitive that writes a task's audit line and keeps its result in the encrypted store.

Who records what, under which policy, is decided above (``app.recording``, with the run's
``AppContext``, which passes the audit log and the retention explicitly). Called without
them, ``record_task``, ``audit_event`` and ``audit_preflight`` look them up themselves: the
UI's path until its session holds an ``AppContext``. The document is identified by sha256
and size (audit) plus its file name (history only: encrypted). Retention:
``history_retention_days`` (0 = off), which ministry policy may lock.
"""
from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.errors import SecurityError
from ..core.i18n import has_key, tr
from ..core.settings import load_settings
from ..packs import policy as packs_policy
from ..packs.policy import apply_policy
from .audit import AuditLog, audit_log, audit_required, sha256_and_size
from .keys import StoreUnavailable
from .store import open_store

TASKS = ("summarize", "translate", "proofread", "draft")   # minutes are recorded by cli/transcribe itself
AUDITED = TASKS + ("ask", "extract")     # every task the CLI runs on a document (history: TASKS only)


def result_text(task: str, result: Any) -> str:
    """The human-readable result (what the CLI prints / the tab shows)."""
    if task == "summarize":
        return str(getattr(result, "text", ""))
    if task == "minutes":     # the transcript too: 履歴の検索 and 質問 find what was said
        transcript = getattr(result, "transcript", None)
        lines = [f"[{u.start:.0f}s] " + (f"{u.speaker}：" if u.speaker else "") + u.text
                 for u in getattr(transcript, "utterances", [])]
        return str(getattr(result, "text", "")) + "\n\n（別添）文字起こし\n" + "\n".join(lines)
    if task == "proofread":
        # no offsets, no rule ids; an arrow only for a replacement (advice changes nothing)
        return "\n".join(finding_line(f.original, f.suggestion if getattr(f, "is_replacement", False) else f.original,
                                       f.message)
                         for f in getattr(result, "findings", []) or [])
    if task in QA_TASKS:
        return answer_text(result)
    blocks = getattr(result, "blocks", None)
    if blocks is not None:
        return "\n".join(b.text for b in blocks)
    return str(getattr(result, "text", "") or "")


def result_payload(task: str, result: Any) -> dict:
    p: dict[str, Any] = {"method": getattr(result, "method", "")}
    if task == "summarize":
        p["style"] = getattr(result, "style", "")
    elif task == "translate":
        p["direction"] = getattr(result, "direction", "")
    elif task == "proofread":
        p["findings"] = [f.to_json() for f in getattr(result, "findings", []) or []]
    elif task == "minutes":   # times and speakers without word timings (the audio itself is never kept)
        data = result.to_json()
        for u in data.get("transcript", {}).get("utterances", []):
            u.pop("words", None)
        p["minutes"] = data
    elif task == "draft":
        p["template_id"] = getattr(result, "template_id", "")
        p["fields"] = dict(getattr(result, "fields", {}) or {})
    elif task in QA_TASKS:
        p["question"] = getattr(result, "question", "")
        p["status"] = getattr(result, "status", "")
    return p


# --- what the history shows: task names, previews, search --------------------------------------
QA_TASKS = ("ask", "qa")          # 質問: "ask" (CLI and app); "qa" in entries from earlier app versions


def task_label(task: str) -> str:
    """The task's name for people (「質問」, never a message key)."""
    key = f"storage.task.{'ask' if task in QA_TASKS else task}"
    return tr(key) if has_key(key) else task


def finding_line(original: str, suggestion: str, message: str) -> str:
    """One 校正 finding as a reader sees it: 「原文」→「修正案」 理由 (no offsets, no rule ids);
    advice that changes nothing (suggestion == original) has no arrow."""
    arrow = f"「{original}」→「{suggestion}」" if suggestion != original else f"「{original}」"
    return f"{arrow}　{message}"


def answer_text(result: Any) -> str:
    """A 質問's question, answer and its sources (file, page or paragraph, quoted sentence)."""
    lines = []
    q = getattr(result, "question", "")
    if q:
        lines.append(tr("storage.preview.question", question=q))
    lines.append(str(getattr(result, "answer", "") or ""))
    for n, c in enumerate(getattr(result, "citations", []) or [], 1):
        where = (tr("storage.preview.page", page=c.page) if c.page is not None
                 else tr("storage.preview.block", block=c.block))
        lines.append(f"{n}. {Path(c.file).name} {where}：{c.text}")
    return "\n".join(lines)


def entry_preview(entry: Any) -> str:
    """The text the 履歴 dialog shows for an entry: readable for every task (校正 entries
    recorded with offsets and rule ids by earlier versions are re-written from their findings)."""
    payload = getattr(entry, "payload", {}) or {}
    if entry.task == "proofread" and isinstance(payload.get("findings"), list):
        lines = []
        for f in payload["findings"]:
            if isinstance(f, dict):
                lines.append(finding_line(str(f.get("original", "")), str(f.get("suggestion", "")),
                                          str(f.get("message", ""))))
        if lines:
            return "\n".join(lines)
    if entry.task in QA_TASKS and not entry.text.strip():
        ui = (payload.get("ui_state") or {}).get("result") or {}
        if ui:
            head = tr("storage.preview.question", question=ui.get("question", "")) if ui.get("question") else ""
            cites = [f"{n}. {Path(c.get('file', '')).name}：{c.get('text', '')}"
                     for n, c in enumerate(ui.get("citations") or [], 1) if isinstance(c, dict)]
            return "\n".join(x for x in [head, str(ui.get("answer", "")), *cites] if x)
    return entry.text


def search_fold(text: str) -> str:
    """How history text is compared when searching: NFKC (full-width Ａ１ and half-width ｶﾅ
    the same as typed), case-folded, with every space removed — documents put spaces
    between numbers and units (「18 万人」) and between Japanese words in PDFs."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def search_history(store, needle: str, limit: int = 200) -> list:
    """Entries whose result, preview, document name, title or task name contain ``needle``,
    compared with ``search_fold`` (18万人 finds 「18 万人」), newest first."""
    want = search_fold(needle)
    if not want:
        return store.list_results(limit=limit)
    out = []
    for e in store.list_results(limit=100_000):
        hay = "\n".join((e.text, entry_preview(e), e.title, e.source_name, task_label(e.task)))
        if want in search_fold(hay):
            out.append(e)
            if len(out) >= limit:
                break
    return out


def effective_settings():
    """The user's settings with policy applied, looked up here (callers without a context)."""
    try:
        return apply_policy(load_settings())
    except Exception:  # noqa: BLE001 - policy machinery unavailable: the user's own settings
        return load_settings()


def _warn(text: str) -> None:
    print(tr("cli.notice_prefix") + text, file=sys.stderr, flush=True)


LOOK_UP: Any = object()     # "look it up here": the caller has no context that already knows


def audit_preflight(policy: Any = LOOK_UP, log: AuditLog | None | Any = LOOK_UP) -> None:
    """Refuse to start a task that policy says must be audited when its line could not be
    written (an unwritable audit file used to let the task run with a note on stderr)."""
    if policy is LOOK_UP:
        try:
            policy = packs_policy.current_policy()
        except Exception:  # noqa: BLE001 - no policy machinery: nothing is required
            return
    if not audit_required(policy):
        return
    if log is LOOK_UP:
        log = audit_log(policy)
    try:
        if log is None:
            raise OSError("audit log switched off")
        log.require_writable()
    except OSError as exc:
        raise SecurityError("storage.error.audit_unwritable", path=str(log.path if log else "-"),
                            reason=exc.strerror or str(exc)) from None


def record_task(task: str, result: Any, *, outcome: str = "ok", file: str | None = None, model: Any = None,
                origin: str = "ui", store=None, warn: Callable[[str], None] = _warn, title: str = "",
                extra: dict | None = None, audit_failures: list[str] | None = None,
                log: AuditLog | None | Any = LOOK_UP, retention_days: int | None = None) -> int | None:
    """Audit one task run and, when it succeeded and history is on, keep its result.

    ``log`` (None: audit off) and ``retention_days`` come from the caller's context; left
    out, they are looked up here. Returns the history id (None when not kept). Never raises:
    the user is told instead, and an audit line that could not be written is added to
    ``audit_failures`` (``app.recording`` turns it into a failed task when policy requires
    the audit; the UI checks before it starts, ``audit_preflight``)."""
    sha, size = sha256_and_size(file) if file else (None, None)
    model_id = getattr(model, "id", None) or getattr(result, "model_id", None) or None
    try:
        if log is LOOK_UP:
            log = audit_log()
        if log is not None:
            log.append("task", task=task, doc_sha256=sha, doc_size=size, model_id=model_id,
                       model_sha256=getattr(model, "sha256", None), outcome=outcome)
    except Exception as exc:  # noqa: BLE001 - never raises: the caller decides (required audit)
        warn(tr("storage.notice.audit_failed", reason=type(exc).__name__))
        if audit_failures is not None:
            audit_failures.append(type(exc).__name__)
    if outcome != "ok" or result is None:
        return None
    if retention_days is not None:
        days = retention_days
    else:
        try:
            days = effective_settings().history_retention_days
        except Exception:  # noqa: BLE001 - settings unreadable: the default retention
            days = 90
    own = store is None
    try:
        if own:
            store = open_store(create=days != 0)
        store.purge_results_older_than(days)          # days == 0: history off, what was kept goes too
        if days == 0:
            return None
        payload = result_payload(task, result)
        if extra:
            payload.update(extra)
        return store.add_result(task, result_text(task, result), title=title or (Path(file).name if file else ""),
                                source_name=Path(file).name if file else "", source_sha256=sha or "",
                                source_size=size, model_id=model_id or "", origin=origin, payload=payload)
    except StoreUnavailable as exc:
        if days != 0:
            warn(tr("storage.notice.history_off", reason=exc.message()))
    except Exception as exc:  # noqa: BLE001 - a result not kept must not fail the task that made it
        warn(tr("storage.notice.history_failed", reason=type(exc).__name__))
    finally:
        if own and store is not None:
            store.close()
    return None


def audit_event(action: str, *, log: AuditLog | None | Any = LOOK_UP, warn: Callable[[str], None] = _warn,
                **fields: Any) -> None:
    """History deletions/exports etc.: audited without content; failures are not fatal."""
    try:
        if log is LOOK_UP:
            log = audit_log()
        if log is not None:
            log.append(action, **fields)
    except Exception as exc:  # noqa: BLE001 - the user is told; the action itself stands
        warn(tr("storage.notice.audit_failed", reason=type(exc).__name__))
