"""OCR benchmark and correction measurement (PP-OCRv5 on ONNX Runtime).

    python bench/bench_ocr.py [--measure] [--speed] [--real] [--threads 0] [--pages 2]

--measure: character similarity (difflib ratio against the source text) of synthetic scans
  of corpus text and of a report-style sample with ①％～ and kana/kanji lookalikes, rendered
  with Noto CJK at 200 dpi in four variants: clean PNG, page image in a PDF (Pillow stores it
  as JPEG), noisy (0.8° skew, blur, noise, specks, JPEG q70), 1-bit FAX, and "hard"
  (150 dpi, Noto Serif, heavier noise, JPEG q50). Rows compare the
  engine options this code chose between: background cleaning (none / whiten / binarize /
  best-of none+whiten per line), the Japanese-only decoding mask, and the text corrections
  (corrections.py). The shipped configuration is "mask+best+corrections".
--speed: pages/s for a full 200-dpi A4 page of corpus text (40 lines), in-process and through
  the sandboxed child (load_document on an image-only PDF).
"""
from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import ocr_synth as synth  # noqa: E402
from gennai_desktop.ocr.corrections import correct_line  # noqa: E402
from gennai_desktop.ocr.engine import OcrEngine  # noqa: E402

CORPUS = Path("/work/shared/corpus/ja")
SAMPLES = [
    ("kojin", CORPUS / "law_kojin-joho-hogo_415AC0000000057.txt", 40),
    ("rodo", CORPUS / "law_rodo-kijun_322AC0000000049.txt", 60),
    ("minpo", CORPUS / "law_minpo_129AC0000000089.txt", 200),
]
REPORT = [
    "① 申請件数は前年度比１２％増の３，４５０件であった。",
    "② 受付期間：令和７年４月１日～同年６月３０日",
    "東京都へ提出するデータベースのヘルプデスク体制を整備する。",
    "別紙の対応表に基づき、各課へ周知すること。",
    "ベンチマーク結果はページ数と処理時間（秒）で示す。",
]


def sim(a: str, b: str) -> float:
    """difflib ratio after NFKC on both sides: full/half width (１２ vs 12) is not a misreading
    (the document pipeline normalises widths anyway)."""
    a, b = unicodedata.normalize("NFKC", a), unicodedata.normalize("NFKC", b)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def variants(lines: list[str]):
    img = synth.render_lines(lines)
    yield "clean", img
    with tempfile.TemporaryDirectory() as d:
        pdf = Path(d) / "p.pdf"
        img.save(pdf, resolution=200)
        import pypdfium2 as pdfium
        doc = pdfium.PdfDocument(str(pdf))
        yield "pdfjpeg", doc[0].render(scale=200 / 72, grayscale=True).to_pil()
        doc.close()
    yield "noisy", synth.degrade(img)
    yield "fax", synth.to_fax(img)
    serif = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
    if serif.is_file():   # 150 dpi, serif (明朝-like), heavy noise, JPEG q50
        yield "hard", synth.degrade(synth.render_lines(lines, dpi=150, font=serif), noise=25, jpeg=50)


def measure(threads: int) -> None:
    texts = [(name, synth.corpus_lines(p, 5, start=s)) for name, p, s in SAMPLES] + [("report", REPORT)]
    configs = {
        "raw (no mask, no cleaning)": dict(japanese_only=False, clean_background="none"),
        "mask": dict(japanese_only=True, clean_background="none"),
        "mask+whiten": dict(japanese_only=True, clean_background="whiten"),
        "mask+binarize": dict(japanese_only=True, clean_background="binarize"),
        "mask+best": dict(japanese_only=True, clean_background="best"),
    }
    engines = {k: OcrEngine(threads=threads or None, **v) for k, v in configs.items()}
    rows: dict[tuple[str, str], list[float]] = {}
    for name, lines in texts:
        ref = "\n".join(lines)
        for vname, img in variants(lines):
            for cname, eng in engines.items():
                got = [ln.text for ln in eng.read(img)["lines"]]
                rows.setdefault((vname, cname), []).append(sim(ref, "\n".join(got)))
                if cname in ("raw (no mask, no cleaning)", "mask+best"):
                    corr = "\n".join(correct_line(t)[0] for t in got)
                    rows.setdefault((vname, cname + "+corrections"), []).append(sim(ref, corr))
                if cname == "mask+best":
                    for rule in ("simplified", "lookalike", "kana"):
                        c1 = "\n".join(correct_line(t, rules=(rule,))[0] for t in got)
                        rows.setdefault((vname, f"mask+best+{rule}"), []).append(sim(ref, c1))
            print(f"  {name}/{vname} done", file=sys.stderr, flush=True)
    print(f"{'variant':8} {'config':30} " + " ".join(f"{n:>7}" for n, _ in texts) + "    mean")
    for (vname, cname), vals in rows.items():
        print(f"{vname:8} {cname:30} " + " ".join(f"{v:7.4f}" for v in vals) + f" {statistics.mean(vals):7.4f}")


def speed(threads: int, pages: int) -> None:
    lines = synth.corpus_lines(CORPUS / "law_minpo_129AC0000000089.txt", 40, start=300)
    img = synth.render_lines(lines, margin_mm=20)
    eng = OcrEngine(threads=threads or None)
    eng.read(img)  # warm-up
    t = time.perf_counter()
    for _ in range(pages):
        eng.read(img)
    dt = time.perf_counter() - t
    print(f"in-process: {img.size[0]}x{img.size[1]} px page, 40 lines, provider {eng.provider}: "
          f"{pages / dt:.3f} pages/s ({dt / pages:.1f} s/page)")
    from gennai_desktop.documents.loader import load_document
    with tempfile.TemporaryDirectory() as d:
        pdf = Path(d) / "scan.pdf"
        img.save(pdf, resolution=200, save_all=True, append_images=[img] * (pages - 1))
        t = time.perf_counter()
        doc = load_document(pdf)
        dt = time.perf_counter() - t
    print(f"load_document (sandboxed child, {pages} image-only pages): {pages / dt:.3f} pages/s, "
          f"{len(doc.text)} chars")


def real_pages(threads: int, pages: list[tuple[str, int]]) -> None:
    """Whole corpus PDF pages rendered at 200 dpi (as a scanner would see them), OCR'd, and
    compared with the page's own text layer (spaces and line breaks removed on both sides)."""
    import pypdfium2 as pdfium
    raw_eng = OcrEngine(threads=threads or None, japanese_only=False, clean_background="none")
    eng = OcrEngine(threads=threads or None)
    for name, index in pages:
        pdf = pdfium.PdfDocument(str(CORPUS / name))
        page = pdf[index]
        tp = page.get_textpage()
        ref = "".join(tp.get_text_range().split())
        img = page.render(scale=200 / 72, grayscale=True).to_pil()
        out = []
        for label, e, corr in (("raw", raw_eng, False), ("shipped", eng, True)):
            t = time.perf_counter()
            lines = [ln.text for ln in e.read(img)["lines"]]
            dt = time.perf_counter() - t
            if corr:
                lines = [correct_line(x)[0] for x in lines]
            out.append(f"{label} {sim(ref, ''.join(''.join(lines).split())):.4f} ({dt:.1f} s)")
        print(f"{name} p.{index + 1} ({len(ref)} chars): " + ", ".join(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--pages", type=int, default=2)
    ap.add_argument("--real", action="store_true", help="whole corpus PDF pages vs their text layer")
    a = ap.parse_args()
    if a.real:
        real_pages(a.threads, [("law_gyosei-tetsuzuki_405AC0000000088.pdf", 1),
                               ("law_kojin-joho-hogo_415AC0000000057.pdf", 10)])
        return
    if a.measure or not a.speed:
        measure(a.threads)
    if a.speed or not a.measure:
        speed(a.threads, a.pages)


if __name__ == "__main__":
    main()
