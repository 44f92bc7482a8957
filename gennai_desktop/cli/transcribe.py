"""``gennai transcribe AUDIO [--json] [--out minutes.docx|.txt|.srt|.vtt]``: 文字起こし and 議事録.

The recording is recognised in the sandboxed ASR child (asr/runner.py) by the active speech
model (app.speech), then the minutes are drafted (tasks/minutes.py): by rules, or by an
instruction-tuned pack whose sentences pass the support check. Prints the minutes and the
transcript (or --json: both as one object); --out writes .docx (minutes + transcript
appendix), .srt/.vtt (subtitles) or .txt atomically. Ctrl-C keeps what was recognised: the
partial transcript is printed/written and the exit code is still 130. The result (never
the audio) goes into the encrypted history.
"""
from __future__ import annotations

import argparse
import time
from typing import Any

from ..app.recording import TaskRun, record
from ..app.speech import active_asr_model
from ..asr.transcript import TURN_GAP, short_clock, to_text
from ..core.cancel import NEVER, CancelToken
from ..core.errors import EXIT_CANCELLED
from ..core.i18n import get_language, tr
from ..tasks.export import export_minutes
from ..tasks.glossary import load_glossary
from ..tasks.minutes import MinutesResult, minutes
from ..tasks.transcribe import transcribe
from .commands import UsageError, guard_out, model_engine
from .output import LAST_NOTICE_PARAMS, _err, drain, emit, emit_json


def register(subparsers: Any, common: argparse.ArgumentParser, t) -> None:
    p = subparsers.add_parser("transcribe", parents=[common], help=t("asr.cli.help"))
    p.add_argument("file", help=t("asr.cli.audio"))
    p.add_argument("--field", action="append", default=[], metavar="NAME=VALUE", help=t("asr.cli.field"))
    p.add_argument("--speaker", action="append", default=[], metavar="N=NAME", help=t("asr.cli.speaker"))
    p.add_argument("--glossary", metavar="FILE.csv", help=t("asr.cli.glossary"))
    p.add_argument("--transcript-only", action="store_true", help=t("asr.cli.transcript_only"))
    p.add_argument("--turn-gap", type=float, default=TURN_GAP, help=t("asr.cli.turn_gap"))
    p.add_argument("--asr-model", metavar="ID", help=t("asr.cli.model"))
    p.set_defaults(task=cmd_transcribe)


def _pairs(items: list[str], error_key: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        k, sep, v = item.partition("=")
        if not sep or not k.strip():
            raise UsageError(error_key, value=item, field=item)
        out[k.strip()] = v.strip()
    return out


def _terms(path: str | None) -> list[str]:
    if not path:
        return []
    g = load_glossary(path)
    out = []
    for a, b in g.entries:   # the Japanese side of each pair
        out.append(a if any("\u3040" <= c <= "\u9fff" for c in a) else b)
    return out


def cmd_transcribe(args: argparse.Namespace, token: CancelToken, run: TaskRun) -> int:
    guard_out(run, args, args.file)
    if args.out and not args.out.lower().endswith((".docx", ".txt", ".srt", ".vtt")):
        raise UsageError("asr.cli.bad_out", out=args.out)
    fields = _pairs(args.field, "cli.error.bad_field")
    speakers = _pairs(args.speaker, "asr.cli.bad_speaker")
    model = active_asr_model(args.asr_model)
    _err(tr("asr.cli.model_line", label=model.label(get_language()), id=model.id))
    started = time.monotonic()
    transcript = drain(transcribe(args.file, model, cancel=token, terms=_terms(args.glossary),
                                  turn_gap=args.turn_gap), args.quiet)
    for k, name in speakers.items():
        try:
            transcript.set_speaker(int(k), name)
        except ValueError:
            raise UsageError("asr.cli.bad_speaker", value=f"{k}={name}") from None
    _err(tr("asr.cli.done", count=len(transcript.utterances), duration=short_clock(transcript.duration),
            seconds=round(time.monotonic() - started, 1)))
    notice_params = dict(LAST_NOTICE_PARAMS)
    engine = None
    llm_spec = None
    stopped = token.cancelled           # Ctrl-C during recognition: keep the partial transcript
    if not args.transcript_only and not args.no_model and not stopped:
        llm_spec = run.ctx.models.active()
        if llm_spec.instruction_tuned:       # a base model would only echo: rules do the minutes
            engine = model_engine(args, run.ctx.models)
    result: MinutesResult = drain(minutes(transcript, engine, given=fields, title=fields.get("件名", ""),
                                          cancel=NEVER if stopped else token), args.quiet)
    record(run.ctx, "minutes", result, file=args.file, model=llm_spec if result.method == "model" else None,
           origin="cli", title=result.title + "（" + transcript.source_name + "）",
           extra={"asr_model": model.id})
    if args.out:
        report = export_minutes(result, args.out)
        for line in report.lines():
            _err(line)
    if args.json:
        data = result.to_json()
        notice_params.update(LAST_NOTICE_PARAMS)
        keys = transcript.notices + result.notices
        data["notices"] = [{"id": k, "text": tr(k, **notice_params.get(k, {}))} for k in keys]
        emit_json(data)
    elif not args.out:
        text = to_text(transcript)
        emit(text if args.transcript_only else result.text + "\n\n（別添）文字起こし\n" + text)
    return EXIT_CANCELLED if stopped else 0
