"""Findings per 1,000 characters on the laws of the shared corpus, and every finding listed.

Why: a 法令 profile must stop "correcting" 法令用語 (及び/並びに, 者/物/もの, 場合/とき/時, 係る,
当該 …) that are right in laws; the before/after figures and the list of what remains are
what a reviewer checks by hand (docs/koyobun.md). One file per law format (.txt preferred).

Run: python eval/koyobun/laws_density.py [FOLDER] [--out findings.tsv]
"""
from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from gennai_desktop.documents import load_document  # noqa: E402


def _check(doc, profile: str = "auto"):
    """The app's path: the whole document with its chosen (or the given) profile."""
    try:
        from gennai_desktop.proofread.document_check import check_document
    except ImportError:                       # before the document-level check existed
        from gennai_desktop.proofread.rules import check_text
        return "koyobun", check_text(doc.text)
    res = check_document(doc, profile)
    return res.profile, res.findings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=HERE.parents[2] / "shared" / "corpus" / "ja")
    ap.add_argument("--out", type=Path, help="write every finding as TSV")
    ap.add_argument("--profile", default="auto", help="auto (the app's choice), koyobun or horei")
    args = ap.parse_args(argv)
    files = {}
    for p in sorted(args.folder.iterdir()):
        if p.suffix in (".txt", ".docx", ".pdf"):
            stem = p.stem
            if stem not in files or p.suffix == ".txt":
                files[stem] = p
    total_chars = total = 0
    by_cat: collections.Counter = collections.Counter()
    rows = []
    for stem, p in sorted(files.items()):
        doc = load_document(p)
        profile, fs = _check(doc, args.profile)
        total_chars += len(doc.text)
        total += len(fs)
        by_cat.update(f.category for f in fs)
        print(f"{p.name}\t{profile}\t{len(doc.text)}\t{len(fs)}\t{1000 * len(fs) / max(1, len(doc.text)):.2f}/1000")
        for f in fs:
            s = max(0, f.start - 15)
            ctx = doc.text[s:min(f.end, f.start + 40) + 15].replace("\n", "⏎").replace("\t", " ")
            orig = f.original if len(f.original) <= 40 else f.original[:20] + "…" + f.original[-10:]
            sug = f.suggestion if f.is_replacement else ""
            rows.append((p.name, profile, str(f.start), orig.replace("\n", "⏎"), sug.replace("\n", "⏎"),
                         f.rule, f.category, ctx))
    print(f"TOTAL\t{len(files)} files\t{total_chars} chars\t{total} findings\t{1000 * total / max(1, total_chars):.2f}/1000")
    print("by category:", dict(by_cat.most_common()))
    if args.out:
        with args.out.open("w", encoding="utf-8") as fh:
            fh.write("file\tprofile\toffset\toriginal\tsuggestion\trule\tcategory\tcontext\n")
            for r in rows:
                fh.write("\t".join(r) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
