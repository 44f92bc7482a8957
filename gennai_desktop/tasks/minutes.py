"""議事録: minutes (日時・場所・出席者・議題・発言要旨・決定事項・今後の予定) from a transcript.

Without an instruction-tuned model every item is the transcript's own sentence, found by
rules: decisions by their wording (決定・了承・承認・…とします), the schedule by deadlines,
dates and requests (までに・次回・…してください), the 発言要旨 by the extractive key-sentence
picker the summary uses, 議題 and 場所 by phrases that announce them. With an instruct pack
the 発言要旨 is written by the model, and each of its sentences must pass the same support
check as a summary point (``tasks.extractive.support``) against the transcript or it is
dropped — the user is told how many. Every item keeps the line (and time) it came from.
Fields the recording does not state stay 「（記載なし）」: nothing is guessed.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from ..asr.transcript import Transcript, short_clock
from ..core.cancel import NEVER, CancelToken
from ..core.document import Block, Document
from ..core.events import Done, Notice, Progress, TaskEvent
from ..core.i18n import tr
from ..llm.base import TextEngine
from . import prompting
from .extractive import SentenceTable, key_sentences, support
from .quality import weakness

FIELDS = ("日時", "場所", "出席者", "議題")
SECTIONS = ("発言要旨", "決定事項", "今後の予定")
NONE_STATED = "（記載なし）"

_DECISION = re.compile(r"決定|決まりました|決めます|承認|了承|合意|可決|採択|"
                       r"異議(?:は)?(?:ございません|ありません|なし)|"
                       r"(?:こと|もの)と(?:します|いたします|なりました)|ことになりました|とします。|方針とし|で進めます|"
                       r"で進めることと")
_REQUEST = re.compile(r"してください|して下さい|お願いします|お願いいたします|願います")
_DEADLINE = re.compile(r"までに|期限|締切|締め切り|次回|予定です|予定しています|行います|開催します|実施します|"
                       r"提出|報告します|照会します|検討します|確認します|対応します|準備します|作成します")
_DATE = re.compile(r"[0-9]{1,2}月[0-9]{1,2}日|[0-9]{1,2}日|[0-9]{4}年|来週|来月|再来週|今週中|今月中|明日|明後日|"
                   r"[0-9]{1,2}時|午前|午後|[月火水木金土日]曜")
_QUESTION = re.compile(r"(?:か|かね|でしょうか)[。？?]$|[？?]$")
_AGENDA = re.compile(r"議題は、?(.+?)(?:です|となります|でございます)[。]?$|(.+?)についてを?(?:議題|審議)")
_PLACE = re.compile(r"((?:第[0-9]+|[^\s、。はがでを]{1,8})(?:会議室|応接室|講堂|会場|ホール|庁議室))")
_NEXT = re.compile(r"次回|来週|来月|今後")
_CEREMONY = re.compile(r"^(?:それでは、?)?(?:(?:本日の)?.{0,20}(?:を始めます|を終了します|を開始します)|"
                       r"ありがとうございました|"
                       r"よろしくお願いします|承知しました|分かりました)。?$")


@dataclass(frozen=True)
class MinutesItem:
    text: str
    utterance: int            # index into transcript.utterances (the line it came from)
    start: float              # seconds into the recording
    speaker: str = ""

    def label(self) -> str:
        who = f"{self.speaker}、" if self.speaker else ""
        return f"（{who}{short_clock(self.start)}）"


@dataclass
class MinutesResult:
    transcript: Transcript
    title: str
    fields: dict[str, str]
    points: list[MinutesItem]
    decisions: list[MinutesItem]
    schedule: list[MinutesItem]
    method: Literal["model", "extractive"] = "extractive"
    model_id: str = ""
    notices: list[str] = field(default_factory=list)
    field_sources: dict[str, str] = field(default_factory=dict)   # 日時 → "user" | "transcript" | "file" | "none"

    def sections(self) -> list[tuple[str, list[MinutesItem]]]:
        return [("発言要旨", self.points), ("決定事項", self.decisions), ("今後の予定", self.schedule)]

    @property
    def text(self) -> str:
        """The minutes as plain text (what the CLI prints and the history keeps)."""
        lines = [self.title or "議事録", ""]
        for n, name in enumerate(FIELDS, 1):
            lines.append(f"{n}　{name}　{self.fields.get(name) or NONE_STATED}")
        for n, (name, items) in enumerate(self.sections(), len(FIELDS) + 1):
            lines.append(f"{n}　{name}")
            if not items:
                lines.append(f"　{NONE_STATED}")
            for k, it in enumerate(items, 1):
                lines.append(f"　({k})　{it.text}{it.label()}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        def items(xs: list[MinutesItem]) -> list[dict]:
            return [{"text": i.text, "utterance": i.utterance, "start": round(i.start, 2), "speaker": i.speaker}
                    for i in xs]
        return {"title": self.title, "fields": dict(self.fields), "field_sources": dict(self.field_sources),
                "発言要旨": items(self.points), "決定事項": items(self.decisions), "今後の予定": items(self.schedule),
                "method": self.method, "model_id": self.model_id, "notices": list(self.notices),
                "transcript": self.transcript.to_json()}

    @classmethod
    def from_json(cls, d: dict) -> MinutesResult:
        def items(xs: list | None) -> list[MinutesItem]:
            return [MinutesItem(str(i["text"]), int(i["utterance"]), float(i["start"]), str(i.get("speaker", "")))
                    for i in xs or []]
        return cls(transcript=Transcript.from_json(d.get("transcript") or {}), title=str(d.get("title", "")),
                   fields=dict(d.get("fields") or {}), points=items(d.get("発言要旨")),
                   decisions=items(d.get("決定事項")),
                   schedule=items(d.get("今後の予定")), method=d.get("method", "extractive"),
                   model_id=str(d.get("model_id", "")), notices=list(d.get("notices") or []),
                   field_sources=dict(d.get("field_sources") or {}))


def transcript_document(t: Transcript) -> Document:
    """The transcript as a Document (one block per utterance, id ``u<index>``) for the
    sentence index and support check the summary uses."""
    return Document.from_blocks([Block(id=f"u{i}", kind="paragraph", text=u.text) for i, u in enumerate(t.utterances)],
                                fmt="txt", title=t.source_name)


def _item(t: Transcript, i: int, text: str | None = None) -> MinutesItem:
    u = t.utterances[i]
    return MinutesItem(text or u.text, i, u.start, u.speaker)


def is_decision(text: str) -> bool:
    return bool(_DECISION.search(text)) and not _QUESTION.search(text)


def is_schedule(text: str) -> bool:
    """A request, deadline or next step — with a date, or phrased as a request/deadline."""
    if _QUESTION.search(text):
        return False
    if _REQUEST.search(text) or "までに" in text or "次回" in text:
        return True
    return bool(_DEADLINE.search(text) and _DATE.search(text))


def find_agenda(t: Transcript) -> str:
    for u in t.utterances:
        m = _AGENDA.search(u.text)
        if m:
            return (m.group(1) or m.group(2) or "").strip("、。 ")
    return ""


def find_place(t: Transcript) -> str:
    """A meeting room named in a sentence that is not about a later meeting."""
    for u in t.utterances:
        if _NEXT.search(u.text):
            continue
        m = _PLACE.search(u.text)
        if m:
            return m.group(1)
    return ""


def fill_fields(t: Transcript, given: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """日時・場所・出席者・議題: what the user gave, else what the recording states, else
    the recording file's date for 日時, else nothing (shown as （記載なし））."""
    out: dict[str, str] = {}
    src: dict[str, str] = {}
    found = {"場所": find_place(t), "議題": find_agenda(t), "出席者": "、".join(t.speakers())}
    for name in FIELDS:
        if given.get(name, "").strip():
            out[name], src[name] = given[name].strip(), "user"
        elif found.get(name):
            out[name], src[name] = found[name], "transcript"
        elif name == "日時" and t.recorded_at:
            out[name], src[name] = t.recorded_at + "（録音ファイルの日時）", "file"
        else:
            out[name], src[name] = "", "none"
    return out, src


def _extractive_points(t: Transcript, table: SentenceTable, k: int, taken: set[int]) -> list[MinutesItem]:
    picked = key_sentences(table, k + len(taken))
    out: list[MinutesItem] = []
    for s in picked:
        block = table.doc.block_at(table.sentences[s].start)
        i = int(block.id[1:])
        if i in taken or _CEREMONY.match(t.utterances[i].text) or _QUESTION.search(t.utterances[i].text):
            continue
        out.append(_item(t, i))
        if len(out) >= k:
            break
    return out


def _lines(t: Transcript, lo: int, hi: int) -> str:
    return "\n".join(f"[{short_clock(u.start)}] {u.text}" for u in t.utterances[lo:hi])


def _model_points(t: Transcript, table: SentenceTable, engine: TextEngine, cancel: CancelToken,
                  dropped: list[str]) -> Iterator[TaskEvent | MinutesItem]:
    entry = prompting.entry("minutes", "points", engine)
    budget = int(entry.get("max_input_chars", 2500))
    chunks: list[tuple[int, int]] = []
    lo, size = 0, 0
    for i, u in enumerate(t.utterances):
        if size + len(u.text) > budget and i > lo:
            chunks.append((lo, i))
            lo, size = i, 0
        size += len(u.text) + 8
    chunks.append((lo, len(t.utterances)))
    for n, (lo, hi) in enumerate(chunks, 1):
        yield Progress(n - 1, len(chunks), "minutes.stage.model")
        prompt = prompting.build("minutes", "points", engine, cancel=cancel, text=_lines(t, lo, hi))
        out = prompting.Output()
        yield from prompting.stream(engine, prompt, prompting.params_for(engine, prompt, expect_language="ja"),
                                    out, cancel, channel="minutes")
        text = out.text if prompt.style == "chat" else "・" + out.text
        if weakness(text, out.stop_reason, lang="ja"):
            dropped.append("weak")
            continue
        for line in text.splitlines():
            point = re.sub(r"^\s*(?:[・\-*•●]|[0-9０-９]+[.)．、）])\s*", "", line).strip()
            if not point:
                continue
            ids = support(table, point, within=None)
            if not ids:
                dropped.append(point)
                continue
            block = table.doc.block_at(table.sentences[ids[0]].start)
            i = int(block.id[1:])
            if lo <= i < hi:
                yield _item(t, i, point if point.endswith("。") else point + "。")
            else:
                dropped.append(point)


def minutes(t: Transcript, engine: TextEngine | None = None, *, given: dict[str, str] | None = None,
            title: str = "", cancel: CancelToken = NEVER, max_points: int = 8) -> Iterator[TaskEvent]:
    """Minutes of ``t``; ends with Done(MinutesResult). ``given`` = fields the user filled."""
    given = dict(given or {})
    yield Progress(0, 3, "minutes.stage.rules")
    fields, sources = fill_fields(t, given)
    decisions = [_item(t, i) for i, u in enumerate(t.utterances) if is_decision(u.text)]
    schedule = [_item(t, i) for i, u in enumerate(t.utterances)
                if is_schedule(u.text) and not is_decision(u.text)]
    cancel.raise_if_cancelled()
    name = title or given.get("件名", "")
    result = MinutesResult(transcript=t, title=f"{name}　議事録" if name else "議事録", fields=fields,
                           points=[], decisions=decisions, schedule=schedule, field_sources=sources)
    if not t.utterances:
        result.notices.append("minutes.notice.empty")
        yield Notice("minutes.notice.empty")
        yield Done(result)
        return
    table = SentenceTable(transcript_document(t))
    k = max(3, min(max_points, len(t.utterances) // 4))
    usable = engine is not None and bool(getattr(engine.spec, "instruction_tuned", False))
    if engine is not None and not usable:
        result.notices.append("minutes.notice.base_model")
        yield Notice("minutes.notice.base_model", {})
    if usable:
        assert engine is not None
        dropped: list[str] = []
        points: list[MinutesItem] = []
        for ev in _model_points(t, table, engine, cancel, dropped):
            if isinstance(ev, MinutesItem):
                if all(ev.utterance != p.utterance or ev.text != p.text for p in points):
                    points.append(ev)
            else:
                yield ev
        if points:
            result.points = sorted(points, key=lambda p: p.start)[:max_points]
            result.method = "model"
            result.model_id = engine.spec.id
        if dropped:
            result.notices.append("minutes.notice.unsupported_dropped")
            yield Notice("minutes.notice.unsupported_dropped", {"count": len(dropped)})
    if not result.points:
        taken = {d.utterance for d in decisions} | {s.utterance for s in schedule}
        result.points = _extractive_points(t, table, k, taken)
        result.notices.append("minutes.notice.extractive")
        yield Notice("minutes.notice.extractive", {})
    if t.partial:
        result.notices.append("minutes.notice.partial_transcript")
        yield Notice("minutes.notice.partial_transcript", {"time": short_clock(t.stopped_at or 0.0)})
    yield Progress(3, 3, "minutes.stage.rules")
    yield Done(result)


def label_for(key: str) -> str:
    return tr(key)
