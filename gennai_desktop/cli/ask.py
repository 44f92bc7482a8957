"""`gennai ask FILE|FOLDER "質問" [--json]`: the CLI face of ``qa.answer.ask``.

Mounted by ``cli.build_parser``; ``cli._dispatch`` calls ``args.task(args, token, run)`` so Ctrl-C
cancels indexing or answering cleanly (exit 130). The active model is loaded only when it
is instruction-tuned: a base model (the bundled dev default) would not write the answer
anyway, so the answer is extractive without paying for the model load.
"""
from __future__ import annotations

import argparse
import sys

from ..app.recording import TaskRun
from ..core.cancel import CancelToken
from ..core.i18n import get_language, one_line, tr
from ..qa.answer import ask, engine_for_ask
from ..qa.store import default_store
from .commands import model_engine
from .output import drain, emit, emit_json


def register(subparsers, common: argparse.ArgumentParser, t) -> None:
    p = subparsers.add_parser("ask", parents=[common], help=t("cli.cmd.ask"))
    p.add_argument("source", help=t("cli.arg.source"))
    p.add_argument("question", help=t("cli.arg.question"))
    p.set_defaults(task=cmd_ask)


def _engine(args: argparse.Namespace, run: TaskRun):
    if args.no_model:
        return None
    service = run.ctx.models
    spec = service.active()

    def load():
        return model_engine(args, service)

    if not spec.instruction_tuned:
        print(tr("cli.model_line", label=spec.label(get_language()), id=spec.id), file=sys.stderr, flush=True)
    return engine_for_ask(spec, load)


def citation_line(n: int, c) -> str:  # noqa: ANN001 - qa.answer.Citation
    """``n. file page［回答箇所］: text`` with the answer span in 【】 (a terminal has no bold)."""
    text = c.text
    if c.answer_span is not None:
        s, e = c.answer_span
        text = f"{text[:s]}【{text[s:e]}】{text[e:]}"
    mark = f"［{tr('qa.label.holds_answer')}］" if c.holds_answer else ""
    head = f"（{' ＞ '.join(c.path)}）" if c.path else ""
    return f"  {n}. {one_line(c.label())}{mark}{one_line(head)}\t{text[:160]}"


def cmd_ask(args: argparse.Namespace, token: CancelToken, run: TaskRun) -> int:
    engine = _engine(args, run)
    store, why = default_store()
    if why:
        print(tr("qa.notice.index_in_memory", reason=why), file=sys.stderr, flush=True)
    result = drain(ask(args.source, args.question, engine, store=store, cancel=token), args.quiet)
    run.result = result
    if args.json:
        data = result.to_json()
        data["notices"] = result.notice_texts()
        emit_json(data)
        return 0
    lines = [result.answer]
    if result.citations:
        lines += ["", tr("cli.ask.citations")]
        lines += [citation_line(n, c) for n, c in enumerate(result.citations, 1)]
    if not result.abstained and result.method == "extractive":
        lines += ["", tr("qa.notice.extractive")]
    emit("\n".join(lines))
    return 0
