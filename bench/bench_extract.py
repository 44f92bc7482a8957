"""Extraction speed and quality: our loader vs raw pypdfium2 / pypdf / python-docx.

Run: ``python bench/bench_extract.py [--repeat N] [--corpus DIR]``. Prints pages/s (PDF, ours
includes the sandbox child process), blocks/s (docx), ratios, and for PDFs the text
similarity to the corpus .txt, ASCII spaces between Japanese characters, and (if
LibreOffice is installed) whether a vertical-writing PDF keeps its lines in order.
A script, not a test: numbers depend on the machine.
"""
from __future__ import annotations

import argparse
import difflib
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gennai_desktop.documents import load_document  # noqa: E402

CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
SPACE_IN_CJK = re.compile(f"[{CJK}] +[{CJK}]")


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def pdfium_text(path: Path) -> tuple[int, str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    out = []
    for i in range(len(pdf)):
        page = pdf[i]
        tp = page.get_textpage()
        out.append(tp.get_text_range())
        tp.close()
        page.close()
    n = len(pdf)
    pdf.close()
    return n, "\n".join(out)


def pypdf_text(path: Path) -> tuple[int, str]:
    import pypdf

    reader = pypdf.PdfReader(str(path))
    return len(reader.pages), "\n".join(p.extract_text() or "" for p in reader.pages)


def similarity(a: str, b: str) -> float:
    a, b = re.sub(r"\s", "", a), re.sub(r"\s", "", b)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def bench_pdf(corpus: Path, repeat: int) -> None:
    print("PDF (pages/s; best of %d)" % repeat)
    print(f"{'file':38s} {'pages':>5s} {'ours':>7s} {'pdfium':>7s} {'pypdf':>7s} {'ours/pdfium':>11s} "
          f"{'ours/pypdf':>10s} | sim ours/pdfium/pypdf | CJK-space ours/pdfium/pypdf")
    totals = {"ours": 0.0, "pdfium": 0.0, "pypdf": 0.0, "pages": 0}
    for path in sorted(corpus.glob("*.pdf")):
        ref_path = path.with_suffix(".txt")
        ref = ref_path.read_text(encoding="utf-8") if ref_path.exists() else None
        doc = load_document(path)
        n, raw_pdfium = pdfium_text(path)
        _, raw_pypdf = pypdf_text(path)
        t_ours = best(lambda: load_document(path), repeat)
        t_pdfium = best(lambda: pdfium_text(path), repeat)
        t_pypdf = best(lambda: pypdf_text(path), max(1, repeat // 2))
        totals["ours"] += t_ours
        totals["pdfium"] += t_pdfium
        totals["pypdf"] += t_pypdf
        totals["pages"] += n
        sims = "n/a"
        if ref is not None and len(ref) < 120_000:
            sims = "/".join(f"{similarity(t, ref):.3f}" for t in (doc.text, raw_pdfium, raw_pypdf))
        spaces = "/".join(str(len(SPACE_IN_CJK.findall(t))) for t in (doc.text, raw_pdfium, raw_pypdf))
        print(f"{path.name[:38]:38s} {n:5d} {n / t_ours:7.0f} {n / t_pdfium:7.0f} {n / t_pypdf:7.0f} "
              f"{t_pdfium / t_ours:11.2f} {t_pypdf / t_ours:10.2f} | {sims:21s} | {spaces}")
    p = totals["pages"]
    if p:
        print(f"{'TOTAL':38s} {p:5d} {p / totals['ours']:7.0f} {p / totals['pdfium']:7.0f} "
              f"{p / totals['pypdf']:7.0f} {totals['pdfium'] / totals['ours']:11.2f} "
              f"{totals['pypdf'] / totals['ours']:10.2f}")
    # start cost of the sandbox child alone
    from gennai_desktop.documents.pdf_reader import run_worker
    tiny = min(corpus.glob("*.pdf"), key=lambda q: q.stat().st_size, default=None)
    if tiny:
        t = best(lambda: run_worker(tiny), repeat)
        print(f"child process round trip on {tiny.name}: {t * 1000:.0f} ms")


def bench_vertical(repeat: int) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("vertical writing: skipped (LibreOffice not installed)")
        return
    import docx
    from docx.oxml import parse_xml

    lines = ["第一条　この法律は、縦書きの文書を正しく読めるかを確かめるためのものである。",
             "第二条　行政機関は、文書を適正に管理しなければならない。",
             "第三条　この法律は、公布の日から施行する。"]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "tate.docx"
        d = docx.Document()
        for line in lines:
            d.add_paragraph(line)
        sect = d.sections[0]._sectPr
        sect.append(parse_xml('<w:textDirection xmlns:w="http://schemas.openxmlformats.org/'
                              'wordprocessingml/2006/main" w:val="tbRl"/>'))
        d.save(str(src))
        proc = subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", tmp, str(src)],
                              capture_output=True, timeout=120)
        pdf = Path(tmp) / "tate.pdf"
        if proc.returncode != 0 or not pdf.exists():
            print("vertical writing: LibreOffice conversion failed")
            return
        expected = "".join(lines)
        ours = load_document(pdf).text
        _, raw_pdfium = pdfium_text(pdf)
        _, raw_pypdf = pypdf_text(pdf)
        try:
            import pypdf
            layout = "\n".join(p.extract_text(extraction_mode="layout") or ""
                               for p in pypdf.PdfReader(str(pdf)).pages)
        except Exception as exc:  # noqa: BLE001 - that failure is the finding
            layout = f"<layout mode failed: {type(exc).__name__}>"
        print("vertical writing (tbRl via LibreOffice), similarity to source text / paragraphs:")
        ours_doc = load_document(pdf)
        print(f"  ours   {similarity(ours, expected):.3f}  blocks={len(ours_doc.blocks)} "
              f"first={ours_doc.blocks[0].text[:30]!r}")
        print(f"  pdfium {similarity(raw_pdfium, expected):.3f}")
        print(f"  pypdf  {similarity(raw_pypdf, expected):.3f}  (plain)")
        print(f"  pypdf  {similarity(layout, expected):.3f}  (layout mode) {layout[:40]!r}")


def bench_docx(corpus: Path, repeat: int) -> None:
    import docx

    print("\nDOCX (blocks/s; best of %d)" % repeat)
    print(f"{'file':38s} {'blocks':>6s} {'ours':>8s} {'raw':>8s} {'ours/raw':>8s}   (raw = python-docx "
          f"Document() + paragraphs[].text + tables cell text)")
    for path in sorted(corpus.glob("*.docx")):
        doc = load_document(path)
        n = len(doc.blocks)

        def raw() -> None:
            d = docx.Document(str(path))
            for p in d.paragraphs:
                _ = p.text
            for t in d.tables:
                for row in t.rows:
                    for c in row.cells:
                        _ = c.text

        t_ours = best(lambda: load_document(path), repeat)
        t_raw = best(raw, repeat)
        print(f"{path.name[:38]:38s} {n:6d} {n / t_ours:8.0f} {n / t_raw:8.0f} {t_raw / t_ours:8.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "ja")
    ap.add_argument("--no-vertical", action="store_true")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    bench_pdf(args.corpus, args.repeat)
    if not args.no_vertical:
        bench_vertical(args.repeat)
    bench_docx(args.corpus, args.repeat)


if __name__ == "__main__":
    main()
