"""Pair agreement: the same document as PDF and as .docx (or .txt) — are the PDF's sentences whole?

Run: ``python eval/structure/pairs.py [--before REF] [--no-before]``. For every document of
../shared/corpus/ja (law_*) and ../shared/corpus/real that exists both as .pdf and as .docx
(else .txt), both files are read with ``load_document`` — once by the code at ``--before``
(default: main when issue 20 started) and once by the working tree, in the same run — and
the figures below are printed per document, before and after. Nobody tuned on these pairs:
they are measured, not trained on.

Definitions (the same for both versions; nothing here calls the code under test except
``load_document``):

* **Sentence.** Each block is split on its own (a sentence never spans two blocks) at 。！？
  outside 「」『』（）() brackets, and at newlines; table blocks are split into cells (tab and
  newline) first, then each cell the same way. Furniture (``Document.furniture``) is not text.
* **Key.** A sentence is compared by its key: NFKC, all whitespace removed, footnote
  markers before the sentence end removed (superscript digits, ``[n]``, ``※n``, ``（注n）``),
  so that glyph variants, spacing and note marks do not count — only where the text is cut.
* **Text sentences** are the sentences of the text version's body blocks (kind ``paragraph``
  or ``list_item``) with at least 2 characters in their key.
* **Intact** (per text sentence): its key equals the key of ONE PDF sentence (of any
  block). *Agreement* = intact text sentences / text sentences (target ≥ 0.97).
* **PDF sentences** are the sentences of all PDF blocks except tables, with at least 2
  characters in their key.
* **Fragment** (per PDF sentence): its key is not the key of any text-version sentence
  (of any block), it occurs in the text version's sentence stream (all keys concatenated
  in reading order), and no occurrence both starts and ends at a sentence boundary of that
  stream — i.e. it is a piece cut out of a sentence (a line or page wrap, a block cut in the
  middle, the end of one sentence with the start of the next). *Fragment share* =
  fragments / PDF sentences (target < 0.02).
* **Glued** (per PDF sentence, shown for information): not a text sentence, but it occurs
  in the stream starting and ending at sentence boundaries — several whole sentences run
  together (a heading on the sentence after it).
* PDF sentences that do not occur in the text version at all (text only in one version:
  running headers in the old reader, figure text, OCR) are neither intact nor fragments;
  they are counted as "other".
"""
from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from versions import BASE_REF, REPO, extract  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
_END = set("。！？!?")
_OPEN = "「『（("
_CLOSE = "」』）)"
_MARKER_RE = re.compile(r"(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\[[0-9]+\]|※[0-9]*|\(注[0-9]*\))+(?=[。！？!?」』)]|$)")
_WS_RE = re.compile(r"\s+")


def key(text: str) -> str:
    k = _WS_RE.sub("", unicodedata.normalize("NFKC", text))
    return _MARKER_RE.sub("", k)


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    depth, start, i, n = 0, 0, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if ch == "\n":
            out.append(text[start:i])
            start, depth = i + 1, 0
        elif ch in _END and depth == 0:
            j = i + 1
            while j < n and (text[j] in _END or text[j] in _CLOSE):
                j += 1
            out.append(text[start:j])
            start = i = j
            continue
        i += 1
    out.append(text[start:])
    return [s.strip() for s in out if s.strip()]


def block_sentences(block: dict) -> list[str]:
    if block["kind"] == "table":
        return [s for c in re.split(r"[\t\n]", block["text"]) for s in split_sentences(c)]
    return split_sentences(block["text"])


@dataclass
class PairScore:
    text_sentences: int
    intact: int
    pdf_sentences: int
    fragments: int
    glued: int
    other: int
    examples: list[str]

    @property
    def agreement(self) -> float:
        return self.intact / self.text_sentences if self.text_sentences else 0.0

    @property
    def fragment_share(self) -> float:
        return self.fragments / self.pdf_sentences if self.pdf_sentences else 0.0


def score_pair(text_doc: dict, pdf_doc: dict) -> PairScore:
    text_keys_all: list[str] = []
    body_keys: list[str] = []
    for b in text_doc["blocks"]:
        if b["furniture"]:
            continue
        for s in block_sentences(b):
            k = key(s)
            if not k:
                continue
            text_keys_all.append(k)
            if b["kind"] in ("paragraph", "list_item") and len(k) >= 2:
                body_keys.append(k)
    pdf_keys = [key(s) for b in pdf_doc["blocks"] if not b["furniture"] and b["kind"] != "table"
                for s in block_sentences(b)]
    pdf_keys = [k for k in pdf_keys if len(k) >= 2]
    pdf_all = {key(s) for b in pdf_doc["blocks"] if not b["furniture"] for s in block_sentences(b)}
    intact = sum(1 for k in body_keys if k in pdf_all)
    known = set(text_keys_all)
    stream = "".join(text_keys_all)
    bounds = set()
    pos = 0
    for k in text_keys_all:
        bounds.add(pos)
        pos += len(k)
    bounds.add(pos)
    fragments = glued = other = 0
    examples: list[str] = []
    for k in pdf_keys:
        if k in known:
            continue
        at = stream.find(k)
        if at < 0:
            other += 1
            continue
        aligned = False
        while at >= 0:
            if at in bounds and at + len(k) in bounds:
                aligned = True
                break
            at = stream.find(k, at + 1)
        if aligned:
            glued += 1
        else:
            fragments += 1
            if len(examples) < 3:
                examples.append(k[:40])
    return PairScore(len(body_keys), intact, len(pdf_keys), fragments, glued, other, examples)


def pairs() -> list[tuple[str, Path, Path]]:
    out = []
    for folder, pattern in ((CORPUS / "ja", "law_*.pdf"), (CORPUS / "real", "*.pdf")):
        for pdf in sorted(folder.glob(pattern)):
            text = next((pdf.with_suffix(s) for s in (".docx", ".txt") if pdf.with_suffix(s).exists()), None)
            if text is not None:
                out.append((pdf.stem, pdf, text))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", default=BASE_REF, help="git ref of the 'before' code (default: %(default)s)")
    ap.add_argument("--no-before", action="store_true", help="only the working tree")
    ap.add_argument("--examples", action="store_true", help="print a few fragments per document")
    args = ap.parse_args()
    items = pairs()
    files = [p for _, pdf, text in items for p in (pdf, text)]
    versions = ([("before", args.before)] if not args.no_before else []) + [("after", None)]
    results = {name: {d["path"]: d for d in extract(files, ref)} for name, ref in versions}
    print(f"{'document':44s} {'ver':6s} {'text':>5s} {'intact':>6s} {'agree':>6s} | {'pdf':>5s} "
          f"{'frag':>5s} {'share':>6s} {'glued':>5s} {'other':>5s}")
    totals = {name: [0, 0, 0, 0] for name, _ in versions}
    for stem, pdf, text in items:
        for name, _ in versions:
            t, p = results[name][str(text)], results[name][str(pdf)]
            if "error" in t or "error" in p:
                print(f"{stem[:44]:44s} {name:6s} error: {t.get('error') or p.get('error')}")
                continue
            s = score_pair(t, p)
            tot = totals[name]
            tot[0] += s.text_sentences
            tot[1] += s.intact
            tot[2] += s.pdf_sentences
            tot[3] += s.fragments
            print(f"{stem[:44] + ' (' + text.suffix[1:] + ')':44s} {name:6s} {s.text_sentences:5d} "
                  f"{s.intact:6d} {s.agreement:6.3f} | {s.pdf_sentences:5d} {s.fragments:5d} "
                  f"{s.fragment_share:6.3f} {s.glued:5d} {s.other:5d}")
            if args.examples and s.examples:
                print("      fragments e.g.:", " | ".join(s.examples))
    for name, _ in versions:
        a, b, c, d = totals[name]
        if a and c:
            print(f"{'ALL':44s} {name:6s} {a:5d} {b:6d} {b / a:6.3f} | {c:5d} {d:5d} {d / c:6.3f}")


if __name__ == "__main__":
    main()
