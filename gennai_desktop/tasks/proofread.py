"""校正: 公用文 rules plus an optional model pass with JSON-schema constrained decoding.

Why constrained decoding: even a 270M model cannot emit broken JSON when llama.cpp
samples under a grammar, so the model pass never fails on parsing. Its findings are
still only suggestions: each ``original`` must be found verbatim inside the sentence
chunk it was asked about (that gives the span), must differ from its suggestion and
must look like an edit rather than a rewrite; rule findings win any overlap
(core.findings.merge). Model findings say origin="model", rule "model", source = model id.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from difflib import SequenceMatcher

from ..core.cancel import NEVER, CancelToken
from ..core.document import Document
from ..core.events import Done, FindingsAdded, Notice, Progress, Stats, TaskEvent
from ..core.findings import Finding, merge, validate
from ..core.i18n import tr
from ..llm.base import TextEngine
from ..llm.batch import finished as finished_result
from ..llm.batch import generate_batch
from ..nlp.sentences import chunk_spans
from ..ocr.proofread_filter import drop_uncertain
from ..proofread.apply import apply_findings as _apply
from ..proofread.document_check import check_document
from ..proofread.profile_choice import AUTO, HOREI
from . import prompting
from .model_passes import SpecOnly, model_can_help
from .results import ProofreadResult

FINDINGS_SCHEMA = {
    "type": "object",
    "properties": {
        "findings": {
            "type": "array",
            "maxItems": 3,
            "items": {
                "type": "object",
                "properties": {
                    "original": {"type": "string", "maxLength": 40},
                    "suggestion": {"type": "string", "maxLength": 40},
                    "reason": {"type": "string", "maxLength": 80},
                },
                "required": ["original", "suggestion", "reason"],
            },
        },
    },
    "required": ["findings"],
}
CHUNK_CHARS = 400       # default; prompts/proofread.toml check.chunk_chars (per model) wins


def apply_findings(text: str, findings) -> str:
    """Re-exported from proofread.apply: the text with the chosen findings applied."""
    return _apply(text, findings)


def proofread(doc: Document, engine: TextEngine | SpecOnly | Callable[[], TextEngine | SpecOnly] | None, *,
              use_rules: bool = True, use_model: bool = True, base_model_passes: bool = False,
              cancel: CancelToken = NEVER, profile: str = AUTO) -> Iterator[TaskEvent]:
    """Check ``doc``; yields Progress/TextDelta/Notice/Stats/FindingsAdded, ends with
    Done(ProofreadResult).

    Rule findings (a fraction of a second) are yielded as one ``FindingsAdded`` before
    the model is even loaded — ``engine`` may be a loader called only when the model
    pass starts — and each model chunk's new findings follow as soon as it finishes, so
    a cancelled run still has everything found so far. ``profile`` is the writing
    standard ("auto": laws, 規則 and 要綱 by the 法令 standard, everything else as 公用文);
    when a law is recognised the user is told, with how to override it. The model pass runs
    only on an instruction-tuned model unless ``base_model_passes`` (``tasks.model_passes``).
    """
    text = doc.text
    notices: list[str] = []
    rule_findings: list[Finding] = []
    used_profile = ""
    if use_rules:
        yield Progress(0, 1, "proofread.stage.rules")
        checked = check_document(doc, profile)
        rule_findings = merge(validate(checked.findings, text), [])
        used_profile = checked.profile
        yield Progress(1, 1, "proofread.stage.rules")
        if checked.choice is not None and checked.profile == HOREI:
            notices.append("proofread.notice.profile_horei")
            yield Notice("proofread.notice.profile_horei", {"reason": tr(checked.choice.reason)})
        yield FindingsAdded(tuple(rule_findings), "rule")
    cancel.raise_if_cancelled()
    model_findings: list[Finding] = []
    used_model = False
    model: TextEngine | SpecOnly | None = None
    if use_model:
        model = engine() if callable(engine) else engine     # the model loads only now, after the rules
    if use_model and model is None:
        notices.append("proofread.notice.no_model")
        yield Notice("proofread.notice.no_model")
    elif use_model and model is not None and (isinstance(model, SpecOnly)
                                              or not model_can_help(model.spec, base_model_passes)):
        notices.append("proofread.notice.model_skipped")
        yield Notice("proofread.notice.model_skipped", {"model": model.spec.id})
    elif use_model and model is not None and not isinstance(model, SpecOnly):
        used_model = True
        dropped = 0
        size = int(prompting.entry("proofread", "check", model).get("chunk_chars", CHUNK_CHARS))
        spans = list(chunk_spans(text, size))
        # all chunks at once through llm.batch: decoded together where the engine can, each
        # sequence under its own JSON-schema grammar; progress counts finished chunks
        prompts = [prompting.build("proofread", "check", model, cancel=cancel, text=text[s:e]) for s, e in spans]
        params = [prompting.params_for(model, p, json_schema=FINDINGS_SCHEMA) for p in prompts]
        yield Progress(0, len(spans), "proofread.stage.model", tr("proofread.detail.chunk", n=0, total=len(spans)))
        cancel.raise_if_cancelled()
        run = generate_batch(model, [p.text for p in prompts], params, cancel)
        finished = n_tokens = 0
        t0 = time.perf_counter()
        shown = prompting.InOrder(len(spans), "model")
        for j, piece in run:
            yield from shown.feed(j, piece)
            if piece is not None:
                continue
            r = finished_result(run, j)
            finished += 1
            n_tokens += r.n_tokens
            found, bad = _model_findings(model, text, spans[j][0], spans[j][1], r.text)
            dropped += bad
            # each chunk's new findings appear as soon as it finishes (a cancelled run keeps them)
            fresh = _new_findings(validate(found, text), rule_findings + model_findings)
            model_findings.extend(fresh)
            if fresh:
                yield FindingsAdded(tuple(fresh), "model")
            yield Progress(finished, len(spans), "proofread.stage.model",
                           tr("proofread.detail.chunk", n=finished, total=len(spans)))
        cancel.raise_if_cancelled()
        yield Stats(tokens=n_tokens, seconds=time.perf_counter() - t0)
        yield Progress(len(spans), len(spans), "proofread.stage.model")
        if dropped:
            notices.append("proofread.notice.model_dropped")
            yield Notice("proofread.notice.model_dropped", {"count": dropped})
        if not model_findings:
            notices.append("proofread.notice.model_none")
            yield Notice("proofread.notice.model_none")
    findings = merge(rule_findings, model_findings)
    if any(b.uncertain for b in doc.blocks):  # OCR'd text: misreadings are not the author's errors
        findings, held = drop_uncertain(findings, doc)
        if held:
            notices.append("ocr.notice.proofread_uncertain")
            yield Notice("ocr.notice.proofread_uncertain", {"count": held})
    yield Done(ProofreadResult(doc, findings, use_rules, used_model, notices, used_profile))


def _new_findings(found: list[Finding], taken: list[Finding]) -> list[Finding]:
    """``found`` minus anything overlapping ``taken`` or each other (core.findings.merge rules)."""
    spans = [(f.start, f.end) for f in taken if f.severity != "hint"]
    out: list[Finding] = []
    for f in sorted(found, key=lambda f: (f.start, f.end)):
        if any(f.start < e and s < f.end for s, e in spans):
            continue
        out.append(f)
        spans.append((f.start, f.end))
    return out


def _model_findings(engine: TextEngine, text: str, s: int, e: int, output: str) -> tuple[list[Finding], int]:
    """The model's answer about text[s:e] → (findings, number of implausible ones dropped)."""
    chunk = text[s:e]
    try:
        items = json.loads(output).get("findings", [])
    except (ValueError, AttributeError):
        return [], 0   # cut by max_tokens or a model without grammar support: no findings
    found: list[Finding] = []
    dropped = 0
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        original = str(item.get("original", ""))
        suggestion = str(item.get("suggestion", ""))
        reason = str(item.get("reason", "")).strip()
        pos = chunk.find(original) if original else -1
        if pos < 0 or not _plausible(original, suggestion):
            dropped += 1
            continue
        found.append(Finding(start=s + pos, end=s + pos + len(original), original=original,
                             suggestion=suggestion, rule="model",
                             message=reason or tr("proofread.model_reason_default"),
                             category="model", source=engine.spec.id, origin="model", severity="info"))
    return found, dropped


def _plausible(original: str, suggestion: str) -> bool:
    """An edit, not a rewrite: different, non-trivial, of similar length and characters."""
    if not original.strip() or original == suggestion or len(original) < 1:
        return False
    if len(suggestion) > 2 * len(original) + 4:
        return False
    return SequenceMatcher(None, original, suggestion).ratio() >= 0.3
