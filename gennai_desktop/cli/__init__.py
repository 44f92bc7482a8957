"""`gennai`: the four tasks headless (要約・翻訳・校正・起案) and the model list.

Why a CLI beside the UI: ministry IT scripts batch jobs and checks, and every task must
be testable without Qt. It runs the same task generators as the UI, prints progress on
stderr and results on stdout (text or --json) or writes --out FILE.docx atomically.
Exit codes are stable (see core/errors.py and ``gennai --help``); errors are one clear
message, never a traceback (GENNAI_DEBUG=1 shows it). Ctrl-C cancels cleanly: nothing
half-written, exit 130.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from ..app.context import AppContext
from ..app.recording import TaskRun, recording
from ..core import errors as E
from ..core import tasks as T
from ..core.cancel import Cancelled, CancelToken, cancel_scope
from ..core.i18n import get_language, set_language, tr
from ..core.tasks import TASKS
from ..llm.base import ModelSpec
from . import ask, commands, doctor, extract, history, packs, transcribe
from .output import LAST_NOTICE_PARAMS, _err, drain, emit, emit_json, terminal_safe

__all__ = ["main", "build_parser", "drain", "emit", "emit_json", "terminal_safe", "LAST_NOTICE_PARAMS"]


def _epilog(lang: str) -> str:
    codes = [(E.EXIT_OK, "ok"), (E.EXIT_FAILURE, "failure"), (E.EXIT_USAGE, "usage"), (E.EXIT_INPUT, "input"),
             (E.EXIT_MODEL, "model"), (E.EXIT_OUTPUT, "output"), (E.EXIT_DEGENERATE, "degenerate"),
             (E.EXIT_SECURITY, "security"), (E.EXIT_CANCELLED, "cancelled")]
    lines = [tr("cli.help.exit_codes", lang=lang)]
    lines += [f"  {code:>3}  {tr('cli.exit.' + name, lang=lang)}" for code, name in codes]
    lines.append(tr("cli.help.env", lang=lang))
    return "\n".join(lines)


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    lang = lang or get_language()

    def t(key: str) -> str:
        return tr(key, lang=lang)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lang", choices=("ja", "en"), help=t("cli.opt.lang"))
    common.add_argument("--json", action="store_true", help=t("cli.opt.json"))
    common.add_argument("--out", metavar="FILE.docx", help=t("cli.opt.out"))
    common.add_argument("--no-model", action="store_true", help=t("cli.opt.no_model"))
    common.add_argument("--quiet", "-q", action="store_true", help=t("cli.opt.quiet"))
    common.add_argument("--overwrite-input", action="store_true", help=t("cli.opt.overwrite_input"))

    parser = argparse.ArgumentParser(prog="gennai", description=t("cli.description"), epilog=_epilog(lang),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=("ja", "en"), help=t("cli.opt.lang"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser(T.SUMMARIZE, parents=[common], help=t("cli.cmd.summarize"))
    p.add_argument("file", help=t("cli.arg.file"))
    p.add_argument("--style", choices=("bullets", "three_lines", "report"), default="bullets",
                   help=t("cli.opt.style"))
    p.add_argument("--length", choices=("short", "standard", "long"), default="standard",
                   help=t("cli.opt.length"))

    p = sub.add_parser(T.TRANSLATE, parents=[common], help=t("cli.cmd.translate"))
    p.add_argument("file", help=t("cli.arg.file"))
    p.add_argument("--direction", choices=("ja-en", "en-ja"), default="ja-en", help=t("cli.opt.direction"))
    p.add_argument("--glossary", metavar="FILE.csv", help=t("cli.opt.glossary"))

    p = sub.add_parser(T.PROOFREAD, parents=[common], help=t("cli.cmd.proofread"))
    p.add_argument("file", help=t("cli.arg.file"))
    p.add_argument("--rules-only", action="store_true", help=t("cli.opt.rules_only"))
    p.add_argument("--profile", choices=("auto", "koyobun", "horei"), default="auto", help=t("cli.opt.profile"))

    p = sub.add_parser(T.DRAFT, parents=[common], help=t("cli.cmd.draft"))
    p.add_argument("--list", action="store_true", help=t("cli.opt.list"))
    p.add_argument("--template", metavar="ID", help=t("cli.opt.template"))
    p.add_argument("--field", action="append", default=[], metavar="NAME=VALUE", help=t("cli.opt.field"))
    p.add_argument("--fields-json", metavar="FILE", help=t("cli.opt.fields_json"))

    p = sub.add_parser("models", help=t("cli.cmd.models"))
    p.add_argument("--lang", choices=("ja", "en"), help=t("cli.opt.lang"))
    p.add_argument("--json", action="store_true", help=t("cli.opt.json"))

    ask.register(sub, common, t)      # gennai ask FILE|FOLDER "質問"
    packs.register(sub)               # gennai packs list|update|install|rollback|verify
    doctor.register(sub)              # gennai doctor: CPU/GPU/runtime (+ OCR provider) for IT
    history.register(sub)             # gennai history list|show|search|…
    extract.register(sub)             # gennai extract FILE [--json]: text per page/block (OCR)
    transcribe.register(sub, common, t)   # gennai transcribe AUDIO: 文字起こし + 議事録
    return parser


class _Interrupt:
    """SIGINT → cancel the running task (second Ctrl-C: default behaviour)."""

    def __init__(self, token: CancelToken) -> None:
        self.token = token
        self.previous: Any = None

    def __enter__(self) -> _Interrupt:
        try:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:      # not the main thread (tests calling main() from a thread)
            self.previous = None
        return self

    def _handle(self, signum: int, frame: object) -> None:
        if self.token.cancelled:
            raise KeyboardInterrupt
        self.token.cancel()

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _pre_lang(argv: Sequence[str]) -> str | None:
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gennai`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _pre_lang(argv)
    env_lang = os.environ.get("GENNAI_LANG", "ja")
    set_language(lang if lang in ("ja", "en") else env_lang if env_lang in ("ja", "en") else "ja")
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else E.EXIT_USAGE
    token = CancelToken()
    try:
        with _Interrupt(token), cancel_scope(token):     # the token reaches every sandboxed child
            return _dispatch(args, token)
    except (Cancelled, KeyboardInterrupt):
        _err(tr("cancelled"))
        return E.EXIT_CANCELLED
    except E.GennaiError as exc:
        if os.environ.get("GENNAI_DEBUG") == "1":
            traceback.print_exc()
        _err(tr("cli.error_prefix") + exc.message())
        return exc.exit_code
    except BrokenPipeError:
        return E.EXIT_OK
    except Exception as exc:  # noqa: BLE001 - last resort: one message, traceback on demand
        if os.environ.get("GENNAI_DEBUG") == "1":
            traceback.print_exc()
        _err(tr("cli.error_prefix") + tr("error.internal", reason=f"{type(exc).__name__}: {exc}"))
        return E.EXIT_FAILURE


AUDITED = TASKS + ("ask", "extract")     # every command that runs on a document (history: TASKS only)


def _recording(ctx: AppContext, args: argparse.Namespace,
               model_for: Callable[[], ModelSpec | None] = lambda: None) -> contextlib.AbstractContextManager[TaskRun]:
    """Task commands (``AUDITED``) run inside ``app.recording.recording``; others (models,
    packs, history — which audits itself —, ``draft --list``) inside a null context.
    ``model_for()`` names the model for the history entry and audit line (asked only when
    the command is recorded). ``ask`` and ``extract`` are audited but not kept in history."""
    command = args.command
    run = TaskRun(ctx, command, file=getattr(args, "file", None) or getattr(args, "source", None),
                  keep=command in TASKS)
    if command not in AUDITED or getattr(args, "list", False):
        return contextlib.nullcontext(run)
    run.model = model_for() if command in TASKS else None
    return recording(run, origin="cli")


def _dispatch(args: argparse.Namespace, token: CancelToken) -> int:
    ctx = AppContext()             # this run's one context: trust, policy, settings, models, audit
    C = commands
    handler = {T.SUMMARIZE: C.cmd_summarize, T.TRANSLATE: C.cmd_translate, T.PROOFREAD: C.cmd_proofread,
               T.DRAFT: C.cmd_draft, "models": C.cmd_models}.get(args.command)
    if handler is None and hasattr(args, "task"):
        with _recording(ctx, args) as run:          # mounted task sub-commands (ask): audited
            return int(args.task(args, token, run) or 0)
    if handler is None and hasattr(args, "func"):
        with _recording(ctx, args):                 # mounted sub-commands (packs, extract: audited)
            return int(args.func(args) or 0)
    if handler is None:
        raise E.GennaiError("cli.error.unknown_command", command=args.command)
    with _recording(ctx, args, lambda: C.recorded_model(args, ctx.models)) as run:   # audit line + encrypted history
        return handler(args, token, run)
