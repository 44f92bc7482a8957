"""Every rule finding on a set of whole real documents, one line each, for blind judging.

Why: a checker officials trust must be right on whole reports, not only on sentences picked
for a test set. This writes ALL findings (hints included) that the app would show for each
document, with the sentence around each one, so an evaluator who never saw the engine can
mark each line right / debatable / wrong; ``score_judged.py`` then needs only that file.

The file starts with one ``#doc`` line per document (name, kind, format, characters of
checked text, profile used), then a header and one line per finding:

  id  document  page  location  sentence  original  suggestion  rule  category  severity  message  judgement  note

``sentence`` is the sentence (or the table cell / heading line) with the finding's span in
【】; ``judgement`` is left empty for the evaluator (right / debatable / wrong).

Run: python eval/koyobun/documents/export_findings.py [--out findings.tsv] [FILE ...]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))

from gennai_desktop.documents import load_document  # noqa: E402
from gennai_desktop.nlp.sentences import sentence_spans  # noqa: E402
from gennai_desktop.proofread.document_check import check_document  # noqa: E402

REAL = REPO.parent / "shared" / "corpus" / "real"
# different kinds: a 通知 written in full-width digits, a である-style report with footnotes,
# a です・ます report (Word), a 白書 chapter, a 議事録 (full-width, CP932 text), a guideline,
# a 事務連絡 (the MHLW one-digit-full-width house style), a 規約, a 規程 (法令 profile)
DEFAULT = [
    ("tsuchi_mhlw_hoihatsu_r010819_10.pdf", "通知"),
    ("report_cio_zerotrust_account.pdf", "報告書（である体・脚注）"),
    ("report_cio_zerotrust.docx", "報告書（です・ます体・Word）"),
    ("hakusho_mext_st_r6_ch1.pdf", "白書"),
    ("gijiroku_moj_hoseishingikai198.txt", "議事録"),
    ("guideline_soumu_meti_ai_jigyosha_draft.pdf", "ガイドライン"),
    ("jimurenraku_mhlw_teisei_r020416.pdf", "事務連絡"),
    ("kiyaku_yaizu_opendata.pdf", "規約"),
    ("kitei_moj_hoseishingikai_giji_kisoku.pdf", "規程"),
]
COLUMNS = ["id", "document", "page", "location", "sentence", "original", "suggestion", "rule", "category",
           "severity", "message", "judgement", "note"]


def _clean(s: str) -> str:
    return s.replace("\t", " ").replace("\r", "").replace("\n", "⏎")


def _sentence(doc, start: int, end: int) -> str:
    """The sentence of the block holding [start, end), the span marked 【】."""
    b = doc.block_at(start)
    text = b.text
    s0, e0 = start - b.start, min(end, b.end) - b.start
    if b.rows:                                          # a table: the cell, read as a sentence
        a = max(text.rfind("\t", 0, s0), text.rfind("\n", 0, s0)) + 1
        ends = [j for j in (text.find("\t", e0), text.find("\n", e0)) if j >= 0]
        z = min(ends) if ends else len(text)
        if z - a <= 400:
            return _clean(text[a:s0] + "【" + text[s0:e0] + "】" + text[e0:z])
    view = text.replace("\n", " ") if doc.format == "pdf" else text
    for s, e in sentence_spans(view):
        if s <= s0 < e:
            lo, hi = s, max(e, e0)
            break
    else:
        lo, hi = max(0, s0 - 40), min(len(text), e0 + 40)
    if hi - lo > 400:                                   # a whole-sentence hint: keep it readable
        if e0 - s0 < 60:                                # a word in a long text: the span stays marked
            lo, hi = max(lo, s0 - 150), min(hi, e0 + 150)
            return _clean(text[lo:s0] + "【" + text[s0:e0] + "】" + text[e0:hi])
        return _clean(text[lo:lo + 200]) + "…" + _clean(text[hi - 80:hi])
    return _clean(text[lo:s0] + "【" + text[s0:e0] + "】" + text[e0:hi])


def rows_for(path: Path, kind: str):
    doc = load_document(path)
    res = check_document(doc)
    head = (path.name, kind, doc.format, len(doc.text), res.profile)
    rows = []
    for f in res.findings:
        b = doc.block_at(f.start)
        loc = doc.locate(f.start).label("ja")
        orig = f.original if len(f.original) <= 60 else f.original[:30] + "…" + f.original[-15:]
        rows.append([path.name, "" if b.page is None else str(b.page), _clean(loc), _sentence(doc, f.start, f.end),
                     _clean(orig), _clean(f.suggestion) if f.is_replacement else "", f.rule, f.category,
                     f.severity, _clean(f.message), "", ""])
    return head, rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=HERE / "findings.tsv")
    args = ap.parse_args(argv)
    targets = [(p, "") for p in args.files] or [(REAL / n, k) for n, k in DEFAULT]
    heads, rows = [], []
    for path, kind in targets:
        head, rs = rows_for(path, kind)
        heads.append(head)
        rows += rs
    with args.out.open("w", encoding="utf-8") as fh:
        fh.write("# Findings of the 公用文 rule engine on whole documents, for blind judging: fill 'judgement' with\n")
        fh.write("# right / debatable / wrong (and 'note' if useful). Score: python eval/koyobun/documents/score_judged.py FILE\n")
        for name, kind, fmt, chars, profile in heads:
            fh.write(f"#doc\t{name}\t{kind}\t{fmt}\t{chars}\t{profile}\n")
        fh.write("\t".join(COLUMNS) + "\n")
        for i, r in enumerate(rows, 1):
            fh.write("\t".join([f"F{i:04d}"] + r) + "\n")
    by_doc: dict[str, int] = {}
    for r in rows:
        by_doc[r[0]] = by_doc.get(r[0], 0) + 1
    for name, kind, fmt, chars, profile in heads:
        n = by_doc.get(name, 0)
        print(f"{name}\t{kind}\t{profile}\t{chars} chars\t{n} findings\t{1000 * n / max(1, chars):.2f}/1000")
    print(f"total {len(rows)} findings in {len(heads)} documents -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
