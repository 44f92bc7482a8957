"""Recording a task run: its audit line (always, without content) and its result (the
encrypted history), under the run's ``AppContext``.

Why here and not in storage/: what is recorded and under which rules (must the audit be
written before the task may start? how long are results kept?) is the policy's business,
which the context already read; storage/ only writes (``storage.history.record_task``).
The result is handed over explicitly and typed (``TaskRun.result``): it used to travel
through a ContextVar that the CLI's output helper filled in behind the command's back.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from ..core.cancel import Cancelled
from ..core.errors import SecurityError
from ..llm.base import ModelSpec
from ..qa.answer import AnswerResult
from ..storage import history
from ..tasks.minutes import MinutesResult
from ..tasks.results import DraftResult, ProofreadResult, SummaryResult, TranslationResult
from .context import AppContext

TaskResult = SummaryResult | TranslationResult | ProofreadResult | DraftResult | AnswerResult | MinutesResult


@dataclass
class TaskRun:
    """One task being run: what the audit line and the history entry will say.

    The command sets ``result`` when the task finished; only then is anything kept."""

    ctx: AppContext
    task: str
    file: str | None = None
    model: ModelSpec | None = None
    keep: bool = True                  # False: audited only (``ask``, ``extract``)
    result: TaskResult | None = None


def preflight(ctx: AppContext) -> None:
    """Refuse to start a task that policy says must be audited when its line cannot be
    written (raises SecurityError)."""
    history.audit_preflight(ctx.policy, ctx.audit)


def record(ctx: AppContext, task: str, result: TaskResult | None, *, outcome: str = "ok",
           file: str | None = None, model: ModelSpec | None = None, origin: str = "cli",
           title: str = "", extra: dict | None = None,
           audit_failures: list[str] | None = None) -> int | None:
    """Audit one run and keep its result (see ``storage.history.record_task``), with the
    context's audit log and retention: nothing is looked up again."""
    return history.record_task(task, result, outcome=outcome, file=file, model=model, origin=origin,
                               store=ctx.store, warn=ctx.warn, title=title, extra=extra,
                               audit_failures=audit_failures, log=ctx.audit,
                               retention_days=ctx.settings.history_retention_days)


def event(ctx: AppContext, action: str, **fields: object) -> None:
    """An audited action that is not a task (history export, deletion): never fatal."""
    history.audit_event(action, log=ctx.audit, warn=ctx.warn, **fields)


@contextlib.contextmanager
def recording(run: TaskRun, origin: str = "cli") -> Iterator[TaskRun]:
    """Run a task inside; on exit its outcome is audited and (``run.keep``) ``run.result``
    kept. Refused before it starts when a required audit cannot be written; a required
    audit line that could not be written afterwards fails the task."""
    preflight(run.ctx)
    outcome = "ok"
    try:
        yield run
    except (Cancelled, KeyboardInterrupt):
        outcome = "cancelled"
        raise
    except BaseException as exc:
        outcome = "error:" + (getattr(exc, "key", None) or type(exc).__name__)
        raise
    finally:
        failed: list[str] = []
        record(run.ctx, run.task, run.result if outcome == "ok" and run.keep else None, outcome=outcome,
               file=run.file, model=run.model, origin=origin, audit_failures=failed)
        if failed and outcome == "ok" and run.ctx.audit_required:
            raise SecurityError("storage.error.audit_unwritable", path="-", reason=failed[0])
