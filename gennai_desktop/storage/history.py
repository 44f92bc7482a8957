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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..core.errors import SecurityError
from ..core.i18n import tr
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
        lines = []
        for f in getattr(result, "findings", []) or []:
            replaced = getattr(f, "is_replacement", False)
            arrow = f"「{f.original}」→「{f.suggestion}」" if replaced else f"「{f.original}」"
            lines.append(f"{f.start}-{f.end}\t{arrow}\t{f.message}\t[{f.rule}]")
        return "\n".join(lines)
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
    return p


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
