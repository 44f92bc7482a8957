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
import json
import os
import re
import signal
import sys
import traceback
from typing import Any, Iterable, Sequence

from .core import errors as E
from .core.cancel import CancelToken, Cancelled
from .core.events import Done, Notice, Progress
from .core.i18n import get_language, set_language, tr

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
    t = lambda key: tr(key, lang=lang)  # noqa: E731
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

    p = sub.add_parser("summarize", parents=[common], help=t("cli.cmd.summarize"))
    p.add_argument("file", help=t("cli.arg.file"))
    p.add_argument("--style", choices=("bullets", "three_lines", "report"), default="bullets",
                   help=t("cli.opt.style"))

    p = sub.add_parser("translate", parents=[common], help=t("cli.cmd.translate"))
    p.add_argument("file", help=t("cli.arg.file"))
    p.add_argument("--direction", choices=("ja-en", "en-ja"), default="ja-en", help=t("cli.opt.direction"))
    p.add_argument("--glossary", metavar="FILE.csv", help=t("cli.opt.glossary"))

    p = sub.add_parser("proofread", parents=[common], help=t("cli.cmd.proofread"))
    p.add_argument("file", help=t("cli.arg.file"))
    p.add_argument("--rules-only", action="store_true", help=t("cli.opt.rules_only"))

    p = sub.add_parser("draft", parents=[common], help=t("cli.cmd.draft"))
    p.add_argument("--list", action="store_true", help=t("cli.opt.list"))
    p.add_argument("--template", metavar="ID", help=t("cli.opt.template"))
    p.add_argument("--field", action="append", default=[], metavar="NAME=VALUE", help=t("cli.opt.field"))
    p.add_argument("--fields-json", metavar="FILE", help=t("cli.opt.fields_json"))

    p = sub.add_parser("models", help=t("cli.cmd.models"))
    p.add_argument("--lang", choices=("ja", "en"), help=t("cli.opt.lang"))
    p.add_argument("--json", action="store_true", help=t("cli.opt.json"))

    from .qa.cli import register as register_ask     # gennai ask FILE|FOLDER "質問"
    register_ask(sub, common, t)
    from .packs.cli import register      # gennai packs list|update|install|rollback|verify
    register(sub)
    from .llm import doctor               # gennai doctor: CPU/GPU/runtime report for IT
    doctor.register(sub)
    from .ocr.engine import provider_info as ocr_provider
    doctor.add_section("ocr", ocr_provider)  # OCR's ONNX Runtime provider in the same report
    from .cli_history import register as register_history     # gennai history list|show|search|…
    register_history(sub)
    from .ocr import cli as ocr_cli       # gennai extract FILE [--json]: text per page/block (OCR)
    ocr_cli.register(sub)
    return parser


class _Interrupt:
    """SIGINT → cancel the running task (second Ctrl-C: default behaviour)."""

    def __init__(self, token: CancelToken) -> None:
        self.token = token
        self.previous: Any = None

    def __enter__(self) -> "_Interrupt":
        try:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:      # not the main thread (tests calling main() from a thread)
            self.previous = None
        return self

    def _handle(self, signum, frame) -> None:  # noqa: ANN001
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
        with _Interrupt(token):
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


def _dispatch(args: argparse.Namespace, token: CancelToken) -> int:
    from . import cli_commands as C
    handler = {"summarize": C.cmd_summarize, "translate": C.cmd_translate, "proofread": C.cmd_proofread,
               "draft": C.cmd_draft, "models": C.cmd_models}.get(args.command)
    if handler is None and hasattr(args, "task"):
        return int(args.task(args, token) or 0)   # mounted task sub-commands (ask): cancellable
    if handler is None and hasattr(args, "func"):
        return int(args.func(args) or 0)       # mounted sub-commands (packs)
    if handler is None:
        raise E.GennaiError("cli.error.unknown_command", command=args.command)
    from .storage.history import cli_recording
    with cli_recording(args):                  # audit line + encrypted history of the result
        return handler(args, token)


# What must not reach a terminal raw: C0 controls but \t and \n (ESC starts CSI/OSC
# sequences: an OSC in a file name retitled the terminal), DEL, C1 controls (U+009B is an
# 8-bit CSI, U+009D an OSC) and the bidi overrides that reorder what is shown.
_UNSAFE_TERMINAL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible_escape(m: re.Match[str]) -> str:
    cp = ord(m.group(0))
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with control/escape characters shown as ``\\x1b``-style escapes, so names
    and texts from documents can be printed without driving the terminal."""
    return _UNSAFE_TERMINAL_RE.sub(_visible_escape, text)


def _err(text: str) -> None:
    print(terminal_safe(text), file=sys.stderr, flush=True)


# key → params of the notices the last ``drain`` saw (--json reports id, params and text)
LAST_NOTICE_PARAMS: dict[str, dict[str, Any]] = {}


def drain(events: Iterable[Any], quiet: bool = False) -> Any:
    """Run a task generator: progress and notices to stderr, return the Done result."""
    result = None
    last = None
    LAST_NOTICE_PARAMS.clear()
    for ev in events:
        if isinstance(ev, Done):
            result = ev.result
            from .storage.history import note_result
            note_result(result)
        elif isinstance(ev, Notice):
            LAST_NOTICE_PARAMS.setdefault(ev.key, dict(ev.params))
            _err(tr("cli.notice_prefix") + tr(ev.key, **ev.params))
        elif isinstance(ev, Progress) and not quiet:
            key = (ev.stage, ev.done, ev.total)
            if key != last and ev.stage:
                last = key
                _err(f"[{ev.done}/{ev.total}] {tr(ev.stage)}" + (f" {ev.detail}" if ev.detail else ""))
    return result


def emit(text: str) -> None:
    text = terminal_safe(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def emit_json(data: Any) -> None:
    # json escapes C0 itself but leaves C1 and bidi controls raw: escape them as \uXXXX,
    # which keeps the JSON valid and the values exact.
    text = _UNSAFE_TERMINAL_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}",
                                   json.dumps(data, ensure_ascii=False, indent=2))
    emit(text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
