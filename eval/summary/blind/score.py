"""Score model-free 要約 against the frozen blind key facts (facts.tsv, written from the
documents alone before any change to the summariser; see NOTES.md).

Per document of ../shared/corpus/real named in facts.tsv, the extractive summary
(``summarize(doc, None)``) is scored three ways:

* facts stated — a fact counts 1 when ONE point (its text and any list items under it)
  contains every ``;``-separated term (``a|b``: either spelling), 0.5 when one point
  contains at least half of them. Text is compared NFKC-normalised with all whitespace
  removed, so full/half-width digits and letter-spaced 通知 text match as the reader sees them.
* clean points — a point is clean when it is one or two WHOLE body sentences: found in a
  block of a body kind (core.document.BODY_KINDS), starting where a sentence starts (block
  start, after a bullet/number label, or after 。) and ending at a sentence end (。．！？, with
  closing brackets), not cut with "…", not a heading glued to a sentence, not a URL, 図表
  caption, 出典/注/※ line, bibliography entry or table text. List items shown under a point
  must each be the start of a list item (shortened with "…" is allowed, as the issue asks).
* citation correctness — every cited block exists, its page is the block's page, and the
  cited blocks contain the point's text (each sentence; footnote markers 「… 1 。」 and
  （図表…） references the point leaves out are allowed to be skipped).

The judgement here is the scorer's own (regular expressions over the block text), not the
summariser's, so a summariser cannot pass by labelling its own output.

    python eval/summary/blind/score.py [--style bullets|three_lines|report] [--length short|standard|long]
                                       [--markdown] [-v] [DOC ...]

``-v`` prints the points — for checking this scorer; the summariser is never tuned on them.
"""
from __future__ import annotations

import argparse
import csv
import inspect
import os
import re
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("GENNAI_CORPUS", ROOT.parent / "shared" / "corpus")) / "real"

from gennai_desktop.core.document import BODY_KINDS, Document  # noqa: E402
from gennai_desktop.core.errors import DocumentError  # noqa: E402
from gennai_desktop.documents import load_document  # noqa: E402
from gennai_desktop.tasks.summarize import summarize  # noqa: E402
from tests.support.events import run_to_result  # noqa: E402

_WS = re.compile(r"\s+")
_END = "。．！？!?"
_CLOSE = "」』）)】〕］]"
# what may stand before a sentence in its block: a bullet, a number, a (1), a ①, an ア
_LABEL = re.compile(r"^(?:[・\-*•●○◦■□◆◇▪〇]|[0-9]+[.)、]?|[(][0-9一二三四五六七八九十a-zA-Zア-ンｱ-ﾝ]+[)]|[①-⑳]"
                    r"|[一二三四五六七八九十]+[、.]?|[ア-ン][.)]?|第[0-9一二三四五六七八九十百千]+(?:条(?:の[0-9一二三四五六七八九十]+)?|項)?"
                    r"|[0-9一二三四五六七八九十]+[.)])+$")
# footnote markers and figure references a point may leave out of its sentence
_SKIPPABLE = (r"(?:(?<![0-9,.])[0-9]{1,2}(?=[。、,)」』])|[(]図表[^)]*[)]|[(]図[^)]*[)]"
              r"|(?:\[[0-9,\-]+\](?:\(#[^)]*\))?|\^\[?[0-9,]+\]?|[(]注[0-9]*[)]|注[0-9]+|[(]?[※*][0-9]*[)]?)"
              r"(?=[。.!?」』)]|$))")    # footnote markers (nlp.notes shapes, NFKC) and figure references
_ARTICLE = re.compile(r"^第[0-9一二三四五六七八九十百千]+条")
_URL = re.compile(r"https?://|www\.", re.I)
_CAPTION = re.compile(r"^(?:図表?|表|Figure|Table)\s*[0-9０-９]|^（出典）|^出典[：:]|^資料[：:]|^注[0-9０-９]*[：:）)]|^※|^【関連データ】")
_REFERENCE = re.compile(r"^[^。]{1,80}[（(](?:19|20)[0-9]{2}[a-z]?[）)][「『“]|\bpp\.|\bVol\.\s*[0-9]|^\[[0-9]+\]")
_GLUED = re.compile(r"^(?:第[0-9０-９一二三四五六七八九十]+[章節部]|[0-9０-９]+(?:[.．][0-9０-９]+)*[.．]?|[（(][0-9０-９]+[）)]|[①-⑳]|[【■◆])"
                    r"[ 　]*[^、。，,\s]{1,25}[ 　】]+\S")
_HEADING_LINE = re.compile(r"^(?:第[0-9０-９一二三四五六七八九十]+[章節部]|[0-9０-９]+(?:[.．][0-9０-９]+)*[.．、]?|[（(][0-9０-９]+[）)]"
                           r"|[①-⑳]|[【■◆●])[^、。，]{0,30}$")


def ns(text: str) -> str:
    """NFKC, no whitespace: how terms, points and blocks are compared."""
    return _WS.sub("", unicodedata.normalize("NFKC", text))


@dataclass
class Judged:
    text: str
    clean: bool
    why: str
    cited_ok: bool


def find_in(point: str, block: str) -> tuple[int, int] | None:
    """[start, end) of ``point`` in ``block`` (both ns()'d), skipping footnote markers and
    figure references the point dropped; None when the block does not say it."""
    at = block.find(point)
    if at >= 0:
        return at, at + len(point)
    if not point:
        return None
    pattern = "".join(re.escape(c) + _SKIPPABLE + "?" for c in point[:-1]) + re.escape(point[-1])
    try:
        m = re.search(pattern, block)
    except re.error:
        return None
    return (m.start(), m.end()) if m else None


def sentences_of(text: str) -> list[str]:
    """Split at 。 etc. outside brackets (for citation checks and sentence counts)."""
    out, depth, cur = [], 0, ""
    for i, ch in enumerate(text):
        cur += ch
        if ch in "「『（(【〔［[":
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if ch in _END and depth == 0 and not (i + 1 < len(text) and text[i + 1] in _END + _CLOSE):
            out.append(cur)
            cur = ""
    if cur.strip():
        out.append(cur)
    return [s for s in out if s.strip()]


def _ends(text: str) -> bool:
    """Ends a sentence, or is a line that stands alone: wholly in brackets （組織）, or 「項目：値」."""
    t = ns(text)
    return (not t or t[-1] in _END or t.rstrip(_CLOSE)[-1:] in tuple(_END)
            or t[0] in "(【[「" and t[-1] in ")】]」" or ":" in t)


def starts_sentence(block: str, at: int, previous: tuple[str, str | None] | None = None) -> bool:
    """At the block's start, after a label, or after a sentence end. At a block's start the
    block before must have ended a sentence or be a heading-like line (short, no 、, and not
    one of a run of unfinished lines of the same length — the wrapped lines of a narrow
    column): a PDF block that begins 「ています。」 continues the sentence of the block before
    it. Word and text paragraphs are the author's own, so their starts are sentence starts."""
    if at == 0:
        if previous is None or _ARTICLE.match(block):
            return True          # (a law's article 「第二条　…」 starts itself, whatever the reader glued before it)
        prev, before_prev = previous
        if _ends(prev) or _HEADING_LINE.match(prev.strip()):
            return True
        short = len(ns(prev)) <= 40 and "、" not in prev
        wrapped = (before_prev is not None and not _ends(before_prev)
                   and abs(len(ns(prev)) - len(ns(before_prev))) <= 3)
        return short and not wrapped
    before = block[:at]
    if before[-1] in _END:
        return True
    if before[-1] in _CLOSE and len(before) > 1 and before.rstrip(_CLOSE)[-1:] in tuple(_END):
        return True
    return bool(_LABEL.match(before))


def ends_sentence(block: str, end: int, point: str) -> bool:
    tail = point.rstrip(_CLOSE)
    if not tail or tail[-1] not in _END:
        return False
    return end >= len(block) or block[end] not in _CLOSE + _END


# one bullet or number before a list item (ns()'d): ・ ● 1. (1) ① ア.
_ITEM_LABEL = re.compile(r"[・\-*•●○◦■□◆◇▪〇]|[0-9]{1,2}[.)、]?|[(][0-9一二三四五六七八九十a-zA-Zア-ン]{1,3}[)]"
                         r"|[①-⑳]|[ア-ン][.)、]")


def whole_item(doc: Document, point) -> str:
    """'' when ``point`` is one WHOLE list item of its one cited block (a deck with no prose,
    where the summary says its points are the deck's items): the block is a list item or a
    paragraph with a bullet/number label, and the point is all of it but the label;
    otherwise why not."""
    if len(point.citations) != 1 or not doc.has_block(point.citations[0].block_id):
        return "not one cited block"
    b = doc.block(point.citations[0].block_id)
    text, block = ns(point.text), ns(b.text)
    if b.kind not in BODY_KINDS:
        return f"kind {b.kind}"
    if not text or not block.endswith(text):
        return "part of an item"
    label = block[:-len(text)]
    if label and not _ITEM_LABEL.fullmatch(label):
        return "part of an item"
    if b.kind != "list_item" and not label:
        return "not a list item"
    if _URL.search(text) or _CAPTION.search(text):
        return "caption/source/note"
    return ""


def judge(doc: Document, point, items_stated: bool = False) -> Judged:
    """``items_stated``: the summary says its points are whole list items (a deck with no
    prose, notice summary.notice.slide_items), so a point is clean as one whole item."""
    if items_stated:
        j = _judge(doc, point)
        if j.clean:
            return j
        why = whole_item(doc, point)
        return replace(j, clean=not why, why=why)
    return _judge(doc, point)


def _judge(doc: Document, point) -> Judged:
    text = point.text.strip()
    items = tuple(getattr(point, "items", ()) or ())
    cites = list(point.citations)
    cited_ok = bool(cites)
    blocks = []
    for c in cites:
        if not doc.has_block(c.block_id):
            cited_ok = False
            continue
        b = doc.block(c.block_id)
        if c.page != b.page:
            cited_ok = False
        blocks.append(b)
    # citation: each sentence of the point (and each item) is in one of the cited blocks
    parts = [s for s in sentences_of(text.rstrip("…"))] + [i.rstrip("…") for i in items]
    pairs = _consecutive(doc, blocks)
    for part in parts:
        p = ns(part)
        if p and not any(find_in(p, ns(b.text)) for b in blocks) and not any(_across(p, a, b) for a, b in pairs):
            cited_ok = False
    # clean: one or two whole body sentences
    why = ""
    whole = ns(text)
    hit = next(((b, find_in(whole.rstrip("…"), ns(b.text))) for b in blocks
                if find_in(whole.rstrip("…"), ns(b.text))), None)
    if hit is None:       # a sentence the reader cut over two consecutive cited blocks, judged as one text
        for a, b in pairs:
            span = _across(whole.rstrip("…"), a, b)
            if span and b.kind in BODY_KINDS:
                hit = (replace(a, text=a.text + b.text), span)
                break
    n_sent = sum(1 for s in sentences_of(text) if s.strip())
    if text.endswith("…"):
        why = "cut"
    elif hit is None:
        why = "not in cited block"
    else:
        b, (s, e) = hit
        bt = ns(b.text)
        original = b.text
        if b.kind not in BODY_KINDS or "\t" in original:
            why = f"kind {b.kind}" if b.kind not in BODY_KINDS else "table"
        elif not starts_sentence(bt, s, _previous_text(doc, b)):
            why = "starts mid-sentence"
        elif not ends_sentence(bt, e, whole):
            why = "ends mid-sentence"
        elif n_sent > 2:
            why = f"{n_sent} sentences"
        elif _URL.search(text):
            why = "URL"
        elif _CAPTION.search(text) or _CAPTION.search(original.strip()):
            why = "caption/source/note"
        elif _REFERENCE.search(text):
            why = "reference"
        elif _GLUED.match(text) or _glued_in_block(original, text):
            why = "heading glued"
    for item in items:
        if why:
            break
        it = ns(item.rstrip("…"))
        if not any(find_in(it, ns(b.text)) for b in blocks):
            why = "item not cited"
        elif not item.endswith("…") and not any(
                ns(b.text).endswith(it) and _LABEL.match(ns(b.text)[:-len(it)] or "・") for b in blocks):
            why = "item not whole"
    return Judged(text, not why, why, cited_ok)


def _consecutive(doc: Document, blocks: list) -> list[tuple]:
    """Runs of cited blocks that follow each other in the document, as (first block, the
    rest of the run joined into one block): a sentence a PDF reader cut over a page break
    (two blocks) or over the printed lines of a narrow column (several) is one text."""
    ids = {b.id for b in blocks}
    out = []
    for a in blocks:
        i = doc.blocks.index(a)
        j = i + 1
        while j < len(doc.blocks) and doc.blocks[j].id in ids:
            j += 1
        if j - i >= 2:
            rest = doc.blocks[i + 1:j]
            out.append((a, replace(rest[-1], text="".join(b.text for b in rest))))
    return out


def _across(point: str, a, b) -> tuple[int, int] | None:
    """Where ``point`` (ns()'d) stands in the text of ``a`` then ``b`` when it begins in ``a``
    and ends in ``b``; None otherwise. Only a sentence over the break, never a fragment of one."""
    first = ns(a.text)
    span = find_in(point, first + ns(b.text))
    if span and span[0] < len(first) < span[1]:
        return span
    return None


def _previous_text(doc: Document, block) -> tuple[str, str | None] | None:
    """Texts of the two blocks before ``block`` when the one before could carry the start of
    the same sentence (a paragraph or list item); None after a heading, a table or at the start."""
    i = next(k for k, x in enumerate(doc.blocks) if x.id == block.id)
    if doc.format != "pdf" or i == 0 or doc.blocks[i - 1].kind not in BODY_KINDS:
        return None
    two = doc.blocks[i - 2] if i >= 2 and doc.blocks[i - 2].kind in BODY_KINDS else None
    return doc.blocks[i - 1].text, two.text if two is not None else None


def _glued_in_block(block: str, point: str) -> bool:
    """The block's line where the point begins is a numbered heading line, not wrapped prose."""
    head = point[:12]
    at = block.find(head)
    if at < 0:
        return False
    first = block[at:].split("\n", 1)
    return len(first) == 2 and bool(_HEADING_LINE.match(first[0].strip())) and len(point) > len(first[0]) + 2


def resolve(name: str) -> Path:
    """A document of the real corpus, or a law of ../shared/corpus/ja (development sets name both)."""
    path = CORPUS / name
    return path if path.exists() else CORPUS.parent / "ja" / name


def fact_score(terms: str, texts: list[str]) -> float:
    groups = [[ns(a) for a in g.split("|")] for g in terms.split(";") if g.strip()]
    best = 0.0
    for t in texts:
        have = sum(1 for g in groups if any(a in t for a in g))
        if have == len(groups):
            return 1.0
        if have * 2 >= len(groups) and have:
            best = 0.5
    return best


def run(name: str, rows: list[dict], style: str, length: str | None, verbose: bool) -> dict:
    doc = load_document(resolve(name))
    kwargs = {"style": style}
    if length and "length" in inspect.signature(summarize).parameters:
        kwargs["length"] = length
    t0 = time.perf_counter()
    try:
        result = run_to_result(summarize(doc, None, **kwargs))
    except DocumentError as exc:        # no body sentence at all: no points, no facts
        result = SimpleNamespace(points=[])
        if verbose:
            print(f"--- {name}\n   (no summary: {exc})")
    seconds = time.perf_counter() - t0
    texts = [ns(p.text + "".join(getattr(p, "items", ()) or ())) for p in result.points]
    info = getattr(result, "info", None)      # 文書情報 (round 6): its facts count, it is no point
    info_ok = None
    if info is not None:
        texts.append(ns(info.text))
        info_ok = info_cited(doc, info)
    facts = [fact_score(r["terms"], texts) for r in rows]
    stated = "summary.notice.slide_items" in (getattr(result, "notices", None) or ())
    judged = [judge(doc, p, stated) for p in result.points]
    if verbose:
        print(f"--- {name}")
        if info is not None:
            print(f"   [文書情報{'' if info_ok else ' CITE WRONG'}] {info.text[:110]}")
        for j, p in zip(judged, result.points):
            mark = "ok " if j.clean else f"[{j.why}] "
            cites = ",".join(f"{c.block_id}/p{c.page}" for c in p.citations)
            print(f"   {mark}{'' if j.cited_ok else '(CITE WRONG) '}{p.text[:110]}  <{cites}>")
            for it in getattr(p, "items", ()) or ():
                print(f"        - {it[:80]}")
    return {"doc": name, "facts": sum(facts), "n_facts": len(rows), "clean": sum(j.clean for j in judged),
            "points": len(judged), "cited": sum(j.cited_ok for j in judged), "seconds": seconds,
            "per_fact": facts, "why": [j.why for j in judged if j.why], "info": info_ok}


def info_cited(doc: Document, info) -> bool:
    """Every piece of the 文書情報 line (joined with 「　」) stands in one of its cited blocks."""
    by_id = {b.id: ns(b.text) for b in doc.blocks}
    cited = [by_id.get(c.block_id, "") for c in info.citations]
    # a piece may span the blocks it cites (a subject the reader split over two lines)
    return all(any(ns(piece) in t for t in cited) or ns(piece) in "".join(cited)
               for piece in info.text.split("　") if piece.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs", nargs="*")
    ap.add_argument("--style", default="bullets", choices=("bullets", "three_lines", "report"))
    ap.add_argument("--length", default=None, choices=("short", "standard", "long"))
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--facts", default=str(HERE / "facts.tsv"),
                    help="another fact list in the same format (eval/summary/dev_real_facts.tsv: development set)")
    ap.add_argument("--dev", action="store_true",
                    help="score clean points and citations on the real documents NOT in facts.tsv (development)")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    facts: dict[str, list[dict]] = defaultdict(list)
    with open(args.facts, encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            facts[row["doc"]].append(row)
    if args.dev:
        with open(HERE / "facts.tsv", encoding="utf-8") as f:
            frozen = {Path(r["doc"]).stem for r in csv.DictReader(f, delimiter="\t")}   # and other formats of them
        facts = defaultdict(list, {p.name: [] for p in sorted(CORPUS.iterdir())
                                   if p.suffix in (".pdf", ".docx", ".txt", ".md") and p.stem not in frozen
                                   and p.name != "README.md"})
    names = [n for n in facts if not args.docs or n in args.docs]
    rows = [run(n, facts[n], args.style, args.length, args.v) for n in names]
    if args.markdown:
        print("| document | facts (of 5) | per fact | clean points | citations correct | not clean |")
        print("|---|---|---|---|---|---|")
        for r in rows:
            per = " ".join(f"{x:g}" for x in r["per_fact"])
            print(f"| {r['doc']} | {r['facts']:g} | {per} | {r['clean']}/{r['points']} | {r['cited']}/{r['points']}"
                  f" | {', '.join(r['why'])} |")
    else:
        for r in rows:
            print(f"{r['doc']:45s} facts {r['facts']:>3g}/{r['n_facts']}  clean {r['clean']}/{r['points']}"
                  f"  cited {r['cited']}/{r['points']}  {r['seconds']:.2f} s  {'; '.join(r['why'])}")
    n = len(rows) or 1
    facts_avg = sum(r["facts"] for r in rows) / n
    points = sum(r["points"] for r in rows) or 1
    clean = sum(r["clean"] for r in rows)
    cited = sum(r["cited"] for r in rows)
    infos = [r["info"] for r in rows if r["info"] is not None]
    print(f"TOTAL docs {len(rows)}  facts/doc {facts_avg:.2f} of 5  points/doc {points / n:.2f}"
          f"  clean {clean}/{points} ({clean / points:.0%})"
          f"  citations {cited}/{points} ({cited / points:.0%})"
          f"{f'  文書情報 {len(infos)} cited {sum(infos)}/{len(infos)}' if infos else ''}  style {args.style}"
          f"{'  length ' + args.length if args.length else ''}")


if __name__ == "__main__":
    main()
