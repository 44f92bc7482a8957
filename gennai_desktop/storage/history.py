"""Recording task results: into the encrypted history and (without content) the audit log.

One place for both front ends. The CLI wraps each task command in ``recording(task, file=…)``
(cli._dispatch) and ``cli.drain`` hands every finished result to ``note_result``; the UI calls
``record_task`` when a tab finishes. The document is identified by sha256 and size (audit)
plus its file name (history only: encrypted). Retention: ``history_retention_days`` (0 = off),
which ministry policy may lock.
"""
from __future__ import annotations

import contextlib
import contextvars
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from ..core.cancel import Cancelled
from ..core.errors import SecurityError
from ..core.i18n import tr
from ..core.settings import load_settings
from ..packs import policy as packs_policy
from ..packs.policy import apply_policy
from .audit import audit_log, audit_required, sha256_and_size
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
            arrow = f"「{f.original}」→「{f.suggestion}」" if getattr(f, "is_replacement", False) else f"「{f.original}」"
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
    try:
        return apply_policy(load_settings())
    except Exception:  # noqa: BLE001 - policy machinery unavailable: the user's own settings
        return load_settings()


@dataclass
class TaskContext:
    task: str
    file: str | None = None
    model: Any = None               # ModelSpec when a model was asked for
    result: Any = None
    notices: list[str] = field(default_factory=list)


_current: contextvars.ContextVar[TaskContext | None] = contextvars.ContextVar("gennai_task", default=None)


def note_result(result: Any) -> None:
    ctx = _current.get()
    if ctx is not None and result is not None:
        ctx.result = result


def _warn(text: str) -> None:
    print(tr("cli.notice_prefix") + text, file=sys.stderr, flush=True)


def audit_preflight() -> None:
    """Refuse to start a task that policy says must be audited when its line could not be
    written (an unwritable audit file used to let the task run with a note on stderr)."""
    try:
        policy = packs_policy.current_policy()
    except Exception:  # noqa: BLE001 - no policy machinery: nothing is required
        return
    if not audit_required(policy):
        return
    log = audit_log(policy)
    try:
        if log is None:
            raise OSError("audit log switched off")
        log.require_writable()
    except OSError as exc:
        raise SecurityError("storage.error.audit_unwritable", path=str(log.path if log else "-"),
                            reason=exc.strerror or str(exc)) from None


@contextlib.contextmanager
def recording(task: str, file: str | None = None, model: Any = None, origin: str = "cli",
              store=None, warn=_warn, keep: bool = True) -> Iterator[TaskContext]:
    """Run a task under this context; on exit the outcome is audited and (``keep``) the
    result kept. Refused before it starts when a required audit cannot be written."""
    audit_preflight()
    ctx = TaskContext(task=task, file=file, model=model)
    token = _current.set(ctx)
    outcome = "ok"
    try:
        yield ctx
    except (Cancelled, KeyboardInterrupt):
        outcome = "cancelled"
        raise
    except BaseException as exc:
        outcome = "error:" + (getattr(exc, "key", None) or type(exc).__name__)
        raise
    finally:
        _current.reset(token)
        failed: list[str] = []
        record_task(task, ctx.result if outcome == "ok" and keep else None, outcome=outcome, file=file,
                    model=model, origin=origin, store=store, warn=warn, audit_failures=failed)
        if failed and outcome == "ok" and audit_required():
            raise SecurityError("storage.error.audit_unwritable", path="-", reason=failed[0])


def record_task(task: str, result: Any, *, outcome: str = "ok", file: str | None = None, model: Any = None,
                origin: str = "ui", store=None, warn=_warn, title: str = "", extra: dict | None = None,
                audit_failures: list[str] | None = None) -> int | None:
    """Audit one task run and, when it succeeded and history is on, keep its result.

    Returns the history id (None when not kept). Never raises: the user is told instead, and
    an audit line that could not be written is added to ``audit_failures`` (``recording``
    turns it into a failed task when policy requires the audit; the UI checks before it
    starts, ``audit_preflight``)."""
    sha, size = sha256_and_size(file) if file else (None, None)
    model_id = getattr(model, "id", None) or getattr(result, "model_id", None) or None
    try:
        log = audit_log()
        if log is not None:
            log.append("task", task=task, doc_sha256=sha, doc_size=size, model_id=model_id,
                       model_sha256=getattr(model, "sha256", None), outcome=outcome)
    except Exception as exc:  # noqa: BLE001
        warn(tr("storage.notice.audit_failed", reason=type(exc).__name__))
        if audit_failures is not None:
            audit_failures.append(type(exc).__name__)
    if outcome != "ok" or result is None:
        return None
    try:
        settings = effective_settings()
        days = settings.history_retention_days
    except Exception:  # noqa: BLE001
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
    except Exception as exc:  # noqa: BLE001
        warn(tr("storage.notice.history_failed", reason=type(exc).__name__))
    finally:
        if own and store is not None:
            store.close()
    return None


def audit_event(action: str, **fields: Any) -> None:
    """History deletions/exports etc.: audited without content; failures are not fatal."""
    try:
        log = audit_log()
        if log is not None:
            log.append(action, **fields)
    except Exception as exc:  # noqa: BLE001
        _warn(tr("storage.notice.audit_failed", reason=type(exc).__name__))


def cli_recording(args, model_for: Callable[[], Any] = lambda: None) -> contextlib.AbstractContextManager:
    """The CLI's one hook: task commands (``AUDITED``) run inside ``recording``; others
    (models, packs, history — which audits itself —, ``draft --list``) inside a null context.
    ``model_for()`` names the model for the history entry and audit line (asked only when
    the command is recorded). ``ask`` and ``extract`` are audited but not kept in history."""
    command = getattr(args, "command", None)
    if command not in AUDITED or getattr(args, "list", False):
        return contextlib.nullcontext()
    file = getattr(args, "file", None) or getattr(args, "source", None)
    return recording(command, file=file, model=model_for() if command in TASKS else None, origin="cli",
                     keep=command in TASKS)
