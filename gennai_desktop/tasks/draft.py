"""起案: 通知・依頼・回答・報告・議事録 drafts from templates (TOML data) and named fields.

Why templates are data: the layout of a 公用文 letter (文書番号・日付 right, 宛先 left,
発信者 right, 件名 centered, 記 centered, 以上 right) and its set phrases must be right
regardless of the model, and each ministry can adjust wording without code. A usable
model may only add prose that expands 本文の要点; otherwise the template wording is
used verbatim with the fields, and the user is told so.
"""
from __future__ import annotations

import datetime as _dt
import re
import tomllib
from collections.abc import Generator, Iterator
from dataclasses import dataclass

from ..core.cancel import NEVER, CancelToken
from ..core.document import Block
from ..core.errors import EXIT_USAGE, GennaiError
from ..core.events import Done, Notice, Progress, TaskEvent
from ..core.paths import resources_dir
from ..documents.docx_writer import write_docx
from ..llm.base import TextEngine
from . import prompting
from .draft_wording import addressee_line, close_item
from .model_passes import SpecOnly, model_can_help
from .quality import weakness
from .results import DraftResult
from .similarity import content_words

_FIELD = re.compile(r"\{([^{}]+)\}")
# what a user may type in front of an item that the template numbers itself: 「・」「1.」「１　」「(1)」「①」
_ITEM_MARKER = re.compile(
    r"^(?:[・\-－‐•●○◎■□◆◇※▪➢✓]+|[(（][0-9０-９一二三四五六七八九十]+[)）]|[①-⑳]"
    r"|[0-9０-９一二三四五六七八九十]+(?:[.．、)）]|[ \u3000]))[ \u3000]*")
# a 件名 the template already ends with 「について（通知）」: the user may have typed it too
_SUBJECT_TAIL = re.compile(r"(?:について|に関して)?[ \u3000]*"
                           r"(?:[（(](?:通知|依頼|回答|報告|照会|お知らせ|連絡)[）)])?[ \u3000]*$")
RESTATED = 0.6      # share of an item's content words that makes a prose sentence a repeat of it


class DraftInputError(GennaiError):
    """Unknown template or field, or a required field left empty: a usage error (exit 2)."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class TemplateField:
    name: str
    label_ja: str
    label_en: str
    required: bool = False
    multiline: bool = False
    default: str = ""


@dataclass(frozen=True)
class DraftTemplate:
    id: str
    name_ja: str
    name_en: str
    fields: list[TemplateField]
    blocks: tuple[dict, ...] = ()

    def label(self, lang: str = "ja") -> str:
        return self.name_ja if lang == "ja" else self.name_en


def wareki_today(today: _dt.date | None = None) -> str:
    """Today's date as written in 公用文 (令和N年M月D日; 令和元年 for 2019)."""
    d = today or _dt.date.today()
    year = d.year - 2018
    y = "元" if year == 1 else str(year)
    return f"令和{y}年{d.month}月{d.day}日"


def list_templates() -> list[DraftTemplate]:
    """All templates shipped in resources/templates/, in their display order."""
    out = []
    for path in sorted((resources_dir() / "templates").glob("*.toml")):
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        fields = [TemplateField(f["name"], f.get("label_ja", f["name"]), f.get("label_en", f["name"]),
                                bool(f.get("required", False)), bool(f.get("multiline", False)),
                                str(f.get("default", ""))) for f in data.get("fields", [])]
        out.append((data.get("order", 99), DraftTemplate(data["id"], data["name_ja"], data["name_en"],
                                                         fields, tuple(data.get("blocks", [])))))
    return [t for _, t in sorted(out, key=lambda x: (x[0], x[1].id))]


def get_template(template_id: str) -> DraftTemplate:
    for t in list_templates():
        if t.id == template_id:
            return t
    raise DraftInputError("draft.error.unknown_template", template=template_id,
                      available="、".join(t.id for t in list_templates()))


def resolve_fields(template: DraftTemplate, fields: dict[str, str]) -> dict[str, str]:
    """Fields with defaults filled in; unknown or missing required fields raise GennaiError."""
    known = {f.name for f in template.fields}
    unknown = [k for k in fields if k not in known]
    if unknown:
        raise DraftInputError("draft.error.unknown_field", field="、".join(unknown), template=template.id,
                          available="、".join(f.name for f in template.fields))
    values: dict[str, str] = {}
    for f in template.fields:
        v = (fields.get(f.name) or "").strip()
        if not v and f.default:
            v = f.default.replace("{today}", wareki_today())
        if f.required and not v:
            raise DraftInputError("draft.error.missing_field", field=f.label_ja, name=f.name, template=template.name_ja)
        values[f.name] = v
    return values


def draft(template_id: str, fields: dict[str, str], engine: TextEngine | SpecOnly | None, *,
          cancel: CancelToken = NEVER, base_model_passes: bool = False) -> Iterator[TaskEvent]:
    """Lay out a draft; yields Progress/TextDelta/Notice/Stats and ends with Done(DraftResult).
    The model writes the body only on an instruction-tuned model unless ``base_model_passes``
    (``tasks.model_passes``); otherwise the template wording is used at once."""
    template = get_template(template_id)
    values = resolve_fields(template, fields)
    cancel.raise_if_cancelled()
    prose: str | None = None
    notices: list[str] = []
    wants_body = any(b.get("model_body") for b in template.blocks)
    if engine is None:
        notices.append("draft.notice.template_only")
        yield Notice("draft.notice.template_only")
    elif wants_body and (isinstance(engine, SpecOnly) or not model_can_help(engine.spec, base_model_passes)):
        notices.append("draft.notice.model_skipped")
        yield Notice("draft.notice.model_skipped", {"model": engine.spec.id})
    elif wants_body and not isinstance(engine, SpecOnly):
        yield Progress(0, 1, "draft.stage.model")
        prose = yield from _expand(engine, template, values, cancel)
        yield Progress(1, 1, "draft.stage.model")
        if prose is None:
            notices.append("draft.notice.model_weak")
            yield Notice("draft.notice.model_weak", {"model": engine.spec.id})
    if prose:
        items = _items(values.get(_listed_field(template) or "", ""))
        kept = _drop_restated(prose, items) if items else prose
        if not kept:
            notices.append("draft.notice.prose_restated")
            yield Notice("draft.notice.prose_restated")
        prose = kept or None
    blocks = layout(template, values, prose)
    yield Done(DraftResult(template.id, values, blocks, "model" if prose else "template", notices))


def _listed_field(template: DraftTemplate) -> str | None:
    """The field whose lines the template lists as items after 記 (本文の要点)."""
    return next((b["repeat"] for b in template.blocks if b.get("repeat")), None)


def _items(value: str) -> list[str]:
    """One item per non-empty line, without the marker the user typed (the template numbers them)."""
    out = []
    for line in value.splitlines():
        item = _ITEM_MARKER.sub("", line.strip(), count=1).strip()
        if item:
            out.append(item)
    return out


def _drop_restated(prose: str, items: list[str]) -> str:
    """Prose before 記 without the sentences that only repeat an item listed under 記
    (the letter would say every point twice); what adds to the items stays."""
    wanted = [set(content_words(i)) for i in items]
    kept: list[str] = []
    for para in prose.split("\n"):
        sentences = [s for s in re.split(r"(?<=。)", para) if s.strip()]
        out = []
        for s in sentences:
            if _ITEM_MARKER.match(s.strip()) and any(ch.isdigit() for ch in s.strip()[:2]):
                continue                                 # a numbered list in the prose
            got = set(content_words(s))
            if any(w and len(w & got) / len(w) >= RESTATED for w in wanted):
                continue
            out.append(s.strip())
        if out:
            kept.append("".join(out))
    return "\n".join(kept).strip()


def subject_core(subject: str) -> str:
    """「庁舎の停電について（通知）」「庁舎の停電について」 → 「庁舎の停電」: the template adds the tail."""
    core = _SUBJECT_TAIL.sub("", subject.strip()).strip()
    return core or subject.strip()


def layout(template: DraftTemplate, values: dict[str, str], prose: str | None = None) -> list[Block]:
    """The draft as Blocks with layout hints, from the template's block list."""
    out: list[Block] = []

    def add(kind: str, text: str, style: str | None) -> None:
        out.append(Block(id=f"b{len(out):04d}", kind=kind, text=text, style=style))  # type: ignore[arg-type]  # kinds from the template files

    for spec in template.blocks:
        kind = spec.get("kind", "paragraph")
        style = spec.get("style")
        if spec.get("model_body"):
            for para in (prose or "").split("\n"):
                if para.strip():
                    add("paragraph", para.strip(), style)
            continue
        text = spec.get("text", "")
        used = _FIELD.findall(text)
        if "{件名}について" in text:
            values = {**values, "件名": subject_core(values.get("件名", ""))}
        if spec.get("optional") and any(not values.get(u) for u in used if u not in ("n", "item")):
            continue
        if spec.get("repeat"):
            for n, item in enumerate(_items(values.get(spec["repeat"], "")), 1):
                add(kind, _fill(text, values, n=_zen(n), item=close_item(item)), style)
            continue
        own = addressee_line(text, values.get(used[0], "")) if len(used) == 1 else None
        add(kind, own if own is not None else _fill(text, values), style)   # 「…課長　殿」 typed: no 「殿　殿」
    return out


def _fill(text: str, values: dict[str, str], **extra: str) -> str:
    merged = {**values, **extra}
    return _FIELD.sub(lambda m: merged.get(m.group(1), m.group(0)), text)


def _zen(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def _expand(engine: TextEngine, template: DraftTemplate, values: dict[str, str],
            cancel: CancelToken) -> Generator[TaskEvent, None, str | None]:
    """Model prose expanding 本文の要点, or None when it is unusable or drifts off the points."""
    points = values.get("本文の要点", "")
    prompt = prompting.build("draft", "body", engine, kind=template.name_ja,
                             subject=values.get("件名", ""), points=points)
    out = prompting.Output()
    yield from prompting.stream(engine, prompt, prompting.params_for(engine, prompt, expect_language="ja"),
                                out, cancel, channel="main")
    text = out.text.strip()
    scaffold = prompting.build("draft", "body", engine, kind="", subject="", points="").text
    if weakness(text, out.stop_reason, lang="ja", scaffold=scaffold):
        return None
    if _borrowed(text, scaffold, points + values.get("件名", "")) > 0.2:
        return None   # content lifted from the worked example, not from the user's points
    wanted = set(content_words(points))
    got = set(content_words(text))
    if wanted and len(wanted & got) / len(wanted) < 0.5:
        return None   # the prose must carry the user's points, not invent others
    return text


def _borrowed(text: str, scaffold: str, own: str, n: int = 4) -> float:
    """Share of the output's character n-grams found in the prompt's example but not in the user's input."""
    t = re.sub(r"\s+", "", text)
    grams = [t[i:i + n] for i in range(max(0, len(t) - n + 1))]
    if not grams:
        return 0.0
    ex = {scaffold[i:i + n] for i in range(len(scaffold) - n + 1)}
    mine = {own[i:i + n] for i in range(len(own) - n + 1)}
    return sum(1 for g in grams if g in ex and g not in mine) / len(grams)


def save_draft_docx(result: DraftResult, target) -> None:
    """Write the draft with its layout hints (alignment, indent) atomically.

    The blocks keep their roles (件名 = heading, 記 items = list_item: the CLI's JSON and
    the UI use them), but in Word they are plain body paragraphs: Word's Heading style
    would show the 件名 in blue 游ゴシック, and a list style would put a bullet in front
    of the 「１　」 the template already numbers each item with."""
    from dataclasses import replace
    blocks = [replace(b, kind="paragraph") if b.kind in ("heading", "list_item") else b for b in result.blocks]
    write_docx(blocks, target, title=None)
