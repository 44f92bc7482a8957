"""議事録 as Word: the minutes in the 議事録 form, then the whole transcript as an appendix.

The form follows the 起案 template 「議事録」 (resources/templates/gijiroku.toml): title
centred, numbered labelled lines (１　日時　…), numbered items, 以上 at the right. Each
item ends with where it was said (（田中、03:12）) so a reader can check it against the
appendix: a table of time, speaker and utterance for every line of the transcript.
"""
from __future__ import annotations

from pathlib import Path

from ..asr.transcript import short_clock
from ..core.document import Block, BlockKind
from ..documents.docx_writer import write_docx
from .minutes import FIELDS, NONE_STATED, MinutesResult

_FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def minutes_blocks(result: MinutesResult) -> list[Block]:
    blocks: list[Block] = []

    def add(text: str, kind: BlockKind = "paragraph", style: str | None = None, rows=None) -> None:
        blocks.append(Block(id=f"m{len(blocks):04d}", kind=kind, text=text, style=style, rows=rows))

    add(f"{result.title}", style="align:center")
    for n, name in enumerate(FIELDS, 1):
        add(f"{str(n).translate(_FULL)}　{name}　{result.fields.get(name) or NONE_STATED}")
    for n, (name, items) in enumerate(result.sections(), len(FIELDS) + 1):
        add(f"{str(n).translate(_FULL)}　{name}")
        if not items:
            add(NONE_STATED, style="indent:1")
        for k, it in enumerate(items, 1):
            add(f"({k})　{it.text}{it.label()}", style="indent:1")
    add("以上", style="align:right")
    t = result.transcript
    add("（別添）文字起こし", kind="heading")
    note = f"音声ファイル：{t.source_name}　長さ：{short_clock(t.duration)}　認識モデル：{t.model_id}"
    if t.partial:
        note += f"　※ {short_clock(t.stopped_at or 0)} までの途中結果"
    add(note)
    add("発言者の区切りは無音の長さによる推定です（話者識別は行っていません）。")
    rows = [("時刻", "発言者", "発言")]
    rows += [(short_clock(u.start), u.speaker or "", u.text) for u in t.utterances]
    table_text = "\n".join("\t".join(r) for r in rows)
    add(table_text, kind="table", rows=tuple(tuple(r) for r in rows))
    return blocks


def save_minutes_docx(result: MinutesResult, target: str | Path) -> None:
    made = "モデル作成" if result.method == "model" else "文字起こしからの抜粋"
    write_docx(minutes_blocks(result), target, title=result.title, comments=f"GENNAI Desktop 議事録（{made}）")
