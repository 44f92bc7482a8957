"""The `gennai` task sub-commands (kept apart from ``cli/__init__``'s parsing and error handling).

Each command loads its input, runs one task generator through ``cli.output.drain`` and prints or
writes the result. Output files go only through atomic writers, so a cancelled or failed
run leaves no half-written file.
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from ..app.models import ModelService
from ..app.recording import TaskRun
from ..core.cancel import CancelToken
from ..core.document import Document, Location
from ..core.errors import EXIT_USAGE, DocumentError, GennaiError
from ..core.i18n import get_language, tr
from ..core.outputs import check_output_target
from ..documents import load_document
from ..llm.base import ModelSpec
from ..tasks.draft import draft, get_template, list_templates, resolve_fields
from ..tasks.export import export_draft, export_proofread, export_summary, export_translation
from ..tasks.glossary import load_glossary
from ..tasks.model_passes import engine_for
from ..tasks.proofread import proofread
from ..tasks.summarize import summarize
from ..tasks.translate import translate
from .output import LAST_NOTICE_PARAMS, _err, drain, emit, emit_json


class UsageError(GennaiError):
    exit_code = EXIT_USAGE


def guard_out(run: TaskRun, args: argparse.Namespace, *inputs: str | None) -> None:
    """Refuse an --out that is one of the inputs (same path, hard link or symlink: same
    inode, via os.path.samefile) unless --overwrite-input: ``proofread X.docx --out X.docx``
    used to replace the original without a word."""
    out = getattr(args, "out", None)
    if out:
        check_output_target(out, run.ctx.audit_folders())     # never the app's own files, never a device
    if not out or getattr(args, "overwrite_input", False) or not os.path.exists(out):
        return
    for src in inputs:
        if not src:
            continue
        try:
            same = os.path.samefile(src, out)
        except OSError:
            continue          # the input does not exist: load_input reports that
        if same:
            raise UsageError("cli.error.out_is_input", out=out, input=src)


def load_input(path: str) -> Document:
    """Load the input and say on stderr what was left out of it (hidden text, unreadable
    embedded parts, pages without text), as the UI does."""
    doc = load_document(path)
    for key in doc.warnings:
        _err(tr("cli.notice_prefix") + tr(key))
    return doc


def model_engine(args: argparse.Namespace, service: ModelService):
    """The active model's engine, or None with --no-model. Names the model on stderr."""
    if getattr(args, "no_model", False):
        return None
    spec = service.active()
    _err(tr("cli.model_line", label=spec.label(get_language()), id=spec.id))
    return service.open_engine()


def pass_engine(args: argparse.Namespace, service: ModelService) -> tuple[Any, bool]:
    """(engine, base_model_passes) for a task whose model pass runs only where it can help
    (校正, 要約, 起案: tasks.model_passes). A model that cannot help is not even opened: the
    task gets a SpecOnly and gives its rule / extractive / template result at once."""
    if getattr(args, "no_model", False):
        return None, False
    spec = service.active()
    _err(tr("cli.model_line", label=spec.label(get_language()), id=spec.id))
    force = service.settings.base_model_passes
    return engine_for(spec, service.open_engine, force), force


def recorded_model(args: argparse.Namespace, service: ModelService) -> ModelSpec | None:
    """The model a task command's history entry and audit line name (None: no model used
    or none can be chosen — the audit line then has no model_id)."""
    if getattr(args, "no_model", False) or getattr(args, "rules_only", False):
        return None
    try:
        return service.active()
    except Exception:  # noqa: BLE001 - no model known: the audit line says so (model_id absent)
        return None


def _loc(loc: Location) -> dict[str, Any]:
    return {"block_id": loc.block_id, "page": loc.page, "heading": loc.heading, "label": loc.label(get_language())}


def _notices(keys: list[str]) -> list[dict[str, Any]]:
    """--json notices: message id, its params and the formatted text (never a bare
    template with {total} in it). Notices only sent as events are included too."""
    order = list(dict.fromkeys(list(keys) + list(LAST_NOTICE_PARAMS)))
    out = []
    for k in order:
        params = LAST_NOTICE_PARAMS.get(k, {})
        out.append({"id": k, "params": params, "text": tr(k, **params)})
    return out


def report_saved(report) -> None:
    """The export's ExportReport on stderr: where it went, and what could not be written."""
    for line in report.lines():
        _err(line)


def cmd_summarize(args: argparse.Namespace, token: CancelToken, run: TaskRun) -> int:
    guard_out(run, args, args.file)
    doc = load_input(args.file)
    engine, force = pass_engine(args, run.ctx.models)
    result = drain(summarize(doc, engine, style=args.style, length=args.length, cancel=token,
                             base_model_passes=force), args.quiet)
    if args.out:
        report_saved(export_summary(result, args.out))
    run.result = result
    if args.json:
        emit_json({"file": args.file, "style": result.style, "method": result.method, "model": result.model_id,
                   "length": result.length,
                   "points": [{"text": p.text, "citations": [_loc(c) for c in p.citations], "items": list(p.items),
                               "part": p.part} for p in result.points],
                   "info": ({"text": result.info.text, "citations": [_loc(c) for c in result.info.citations]}
                            if result.info is not None else None),
                   "text": result.text, "notices": _notices(result.notices)})
    elif not args.out:
        emit(result.text)
    return 0


def cmd_translate(args: argparse.Namespace, token: CancelToken, run: TaskRun) -> int:
    guard_out(run, args, args.file, args.glossary)
    glossary = load_glossary(args.glossary) if args.glossary else None
    doc = load_input(args.file)
    engine = model_engine(args, run.ctx.models)
    result = drain(translate(doc, engine, direction=args.direction, glossary=glossary, cancel=token), args.quiet)
    if args.out:
        report_saved(export_translation(result, args.out))
    run.result = result
    if args.json:
        emit_json({"file": args.file, "direction": result.direction, "method": result.method,
                   "blocks": [{"id": b.id, "kind": b.kind, "text": b.text,
                               "rows": [list(r) for r in b.rows] if b.rows is not None else None}
                              for b in result.blocks],
                   "glossary_applied": result.glossary_applied, "notices": _notices(result.notices)})
    elif not args.out:
        emit("\n".join(b.text for b in result.blocks))
    return 0


def cmd_proofread(args: argparse.Namespace, token: CancelToken, run: TaskRun) -> int:
    guard_out(run, args, args.file)
    doc = load_input(args.file)
    use_model = not (args.rules_only or args.no_model)
    engine, force = pass_engine(args, run.ctx.models) if use_model else (None, False)
    result = drain(proofread(doc, engine, use_rules=True, use_model=use_model, base_model_passes=force,
                             cancel=token, profile=args.profile), args.quiet)
    if args.out:
        report_saved(export_proofread(doc, result.findings, args.out, plain_source="report"))
    run.result = result
    if args.json:
        emit_json({"file": args.file, "profile": result.profile, "findings": [f.to_json() for f in result.findings],
                   "notices": _notices(result.notices)})
    elif not args.out:
        emit(_findings_text(doc, result.findings))
    return 0


def _findings_text(doc: Document, findings) -> str:
    if not findings:
        return tr("cli.proofread.none")
    lines = []
    for f in findings:
        loc = doc.locate(f.start).label(get_language()) if doc.blocks else ""
        arrow = f"「{f.original}」→「{f.suggestion}」" if f.is_replacement else f"「{f.original}」"
        lines.append(f"{loc}\t{f.start}-{f.end}\t{arrow}\t{f.message}\t[{f.rule}]")
    return "\n".join(lines)


def cmd_draft(args: argparse.Namespace, token: CancelToken, run: TaskRun) -> int:
    lang = get_language()
    if args.list:
        templates = list_templates()
        if args.json:
            emit_json([{"id": t.id, "name": t.label(lang), "fields": [
                {"name": f.name, "label": f.label_ja if lang == "ja" else f.label_en, "required": f.required,
                 "multiline": f.multiline, "default": f.default} for f in t.fields]} for t in templates])
        else:
            for t in templates:
                names = ", ".join(f.name + ("*" if f.required else "") for f in t.fields)
                emit(f"{t.id}\t{t.label(lang)}\t{names}")
        return 0
    if not args.template:
        raise GennaiError("cli.error.template_required")
    fields: dict[str, str] = {}
    if args.fields_json:
        fields.update(_read_fields_json(args.fields_json))
    for item in args.field:
        if "=" not in item:
            raise GennaiError("cli.error.bad_field", field=item)
        k, v = item.split("=", 1)
        fields[k.strip()] = v.replace("\\n", "\n")
    guard_out(run, args, args.fields_json)
    resolve_fields(get_template(args.template), fields)   # fail on bad fields before loading a model
    engine, force = pass_engine(args, run.ctx.models)
    result = drain(draft(args.template, fields, engine, cancel=token, base_model_passes=force), args.quiet)
    if args.out:
        report_saved(export_draft(result, args.out))
    run.result = result
    if args.json:
        emit_json({"template": result.template_id, "method": result.method, "fields": result.fields,
                   "blocks": [{"kind": b.kind, "text": b.text, "style": b.style} for b in result.blocks],
                   "notices": _notices(result.notices)})
    elif not args.out:
        emit("\n".join(b.text for b in result.blocks))
    return 0


def _read_fields_json(path: str) -> dict[str, str]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise DocumentError("cli.error.fields_json", path=path, reason=exc.strerror or str(exc)) from exc
    except ValueError as exc:
        raise DocumentError("cli.error.fields_json", path=path, reason=str(exc)) from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise DocumentError("cli.error.fields_json", path=path, reason=tr("cli.error.fields_json_shape"))
    return {str(k): v for k, v in data.items()}


def cmd_models(args: argparse.Namespace, token: CancelToken, run: TaskRun) -> int:
    service = run.ctx.models
    lang = get_language()
    specs = service.available()
    active = service.active().id if specs else ""
    rows = [{"id": s.id, "label": s.label(lang), "active": s.id == active, "domestic": s.domestic,
             "dev_default": s.dev_default, "instruction_tuned": s.instruction_tuned,
             "prompt_style": s.prompt_style, "path": str(s.path), "present": Path(s.path).is_file()}
            for s in specs]
    if args.json:
        emit_json(rows)
    else:
        for r in rows:
            mark = "*" if r["active"] else " "
            state = "" if r["present"] else "\t" + tr("cli.models.missing")
            emit(f"{mark} {r['id']}\t{r['label']}{state}")
    return 0
