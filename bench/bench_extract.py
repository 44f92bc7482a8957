"""Extraction speed and quality: our loader before/after a change, and vs raw pypdfium2 / pypdf / python-docx.

Run: ``python bench/bench_extract.py [--repeat N] [--corpus DIR] [--before REF] [--cores N] [--busy N]``.

First, in one run, the reader of commit ``--before`` (default: main when the structure work
of issue 20 started) and the working tree's reader each time ``load_document`` on every PDF
of the corpus in a child process of their own, pinned to ``--cores`` CPUs (default 2, the
target machine), best of ``--repeat``: pages/s per file and in total, the after/before ratio,
and the largest resident memory of the sandboxed PDF workers (the bound the worker's
RLIMIT_AS keeps; measured from a small launcher, see ``_WORKER_PEAK``). The target is ≥ 200
pages/s for text PDFs on 2 cores. ``--busy N`` runs N CPU-bound competitors on the same cores
meanwhile (a machine shared with other work).

Then (``--engines``) ours vs raw pdfium/pypdf: pages/s (ours includes the sandbox child
process), blocks/s (docx), ratios, and for PDFs the text similarity to the corpus .txt,
ASCII spaces between Japanese characters, and (if LibreOffice is installed) whether a
vertical-writing PDF keeps its lines in order. A script, not a test: numbers depend on the
machine; compare only numbers printed by one run.
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
    print(f"PDF (pages/s; best of {repeat})")
    print(f"{'file':38s} {'pages':>5s} {'ours':>7s} {'pdfium':>7s} {'pypdf':>7s} {'ours/pdfium':>11s} "
          f"{'ours/pypdf':>10s} | sim ours/pdfium/pypdf | CJK-space ours/pdfium/pypdf")
    totals = {"ours": 0.0, "pdfium": 0.0, "pypdf": 0.0, "pages": 0}
    for path in sorted(corpus.glob("*.pdf")):
        ref_path = path.with_suffix(".txt")
        ref = ref_path.read_text(encoding="utf-8") if ref_path.exists() else None
        doc = load_document(path)
        n, raw_pdfium = pdfium_text(path)
        _, raw_pypdf = pypdf_text(path)
        t_ours = best(lambda path=path: load_document(path), repeat)
        t_pdfium = best(lambda path=path: pdfium_text(path), repeat)
        t_pypdf = best(lambda path=path: pypdf_text(path), max(1, repeat // 2))
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

    print(f"\nDOCX (blocks/s; best of {repeat})")
    print(f"{'file':38s} {'blocks':>6s} {'ours':>8s} {'raw':>8s} {'ours/raw':>8s}   (raw = python-docx "
          f"Document() + paragraphs[].text + tables cell text)")
    for path in sorted(corpus.glob("*.docx")):
        doc = load_document(path)
        n = len(doc.blocks)

        def raw(path: Path = path) -> None:
            d = docx.Document(str(path))
            for p in d.paragraphs:
                _ = p.text
            for t in d.tables:
                for row in t.rows:
                    for c in row.cells:
                        _ = c.text

        t_ours = best(lambda path=path: load_document(path), repeat)
        t_raw = best(raw, repeat)
        print(f"{path.name[:38]:38s} {n:6d} {n / t_ours:8.0f} {n / t_raw:8.0f} {t_raw / t_ours:8.2f}")


_VERSION_CHILD = r"""
import json, os, resource, sys, time
root, repeat, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if cores and hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:cores])   # children inherit it
sys.path.insert(0, root)
import gennai_desktop
assert gennai_desktop.__file__.startswith(root), gennai_desktop.__file__
from gennai_desktop.documents.loader import load_document
from gennai_desktop.ocr.runner import ocr_context
try:
    from gennai_desktop.core import sandbox
except ImportError:      # before the sandbox module the worker was a script of this same tree
    sandbox = None
if sandbox is not None and hasattr(sandbox, "child_argv"):
    # "-m gennai_desktop" would import the installed (editable) package, i.e. the working
    # tree's worker, whatever version this is: start this version's own child instead
    def child_argv(name, _root=root):
        code = ("import sys; sys.path.insert(0, %r); from gennai_desktop.entry import main; "
                "raise SystemExit(main(['gennai', '--gennai-child', %r]))" % (_root, name))
        return [sys.executable, "-I", "-c", code]
    sandbox.child_argv = child_argv
out = {}
def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime
with ocr_context(enabled=False):
    for path in sys.argv[4:]:
        best = best_cpu = None
        pages = 0
        for _ in range(repeat):
            t, c = time.perf_counter(), cpu()
            doc = load_document(path)
            dt, dc = time.perf_counter() - t, cpu() - c
            pages = doc.page_count or 0
            best = dt if best is None else min(best, dt)
            best_cpu = dc if best_cpu is None else min(best_cpu, dc)
        out[path] = {"pages": pages, "seconds": best, "cpu": best_cpu}
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
self_usage = resource.getrusage(resource.RUSAGE_SELF)
out["_memory"] = {"worker_max_rss_mb": usage.ru_maxrss / 1024, "parent_max_rss_mb": self_usage.ru_maxrss / 1024}
sys.stdout.write(json.dumps(out))
"""


# The worker's own peak memory. Not RUSAGE_CHILDREN of the reader: Linux carries the forking
# process's high-water mark over exec, so that figure is the reader's size when it started the
# worker (it grows with the reader, 40+ MB), not the worker's. A small launcher process starts
# the worker of a code version instead, the way that version's reader does, and reports the
# largest resident size of its children (the launcher itself stays near 10 MB).
_WORKER_PEAK = r"""
import json, os, resource, subprocess, sys
root, path = sys.argv[1], sys.argv[2]
py = sys.executable
if os.path.exists(os.path.join(root, "gennai_desktop", "entry.py")):
    # the sandboxed child "pdf", its request as the first stdin line
    code = ("import sys; sys.path.insert(0, %r); from gennai_desktop.entry import main; "
            "raise SystemExit(main(['gennai', '--gennai-child', 'pdf']))" % root)
    proc = subprocess.Popen([py, "-I", "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    request = {"limits": {}, "request": {"path": path, "max_pages": 5000, "max_chars": 20000000}}
    proc.stdin.write((json.dumps(request) + "\n").encode())
    proc.stdin.flush()
    out = proc.stdout.read()
    proc.wait()
    proc.stdin.close()
else:   # before the sandbox module: the worker script with its arguments
    worker = os.path.join(root, "gennai_desktop", "documents", "pdf_worker.py")
    out = subprocess.run([py, "-I", worker, path, str(2 << 30), "120", "5000", "20000000"],
                         stdin=subprocess.DEVNULL, capture_output=True).stdout
assert out.startswith(b'{"ok":true'), out[:200]
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def worker_peak_mb(root: Path, pdfs: list[Path]) -> float:
    """Largest resident memory of the PDF worker of the code at ``root`` over ``pdfs`` (MB)."""
    peak = 0.0
    for path in pdfs:
        proc = subprocess.run([sys.executable, "-c", _WORKER_PEAK, str(root), str(path)],
                              capture_output=True, cwd=str(root))
        if proc.returncode != 0:
            raise SystemExit(proc.stderr.decode("utf-8", "replace")[-2000:])
        peak = max(peak, float(proc.stdout))
    return peak


def bench_versions(corpus: Path, repeat: int, before: str, cores: int) -> None:
    """Pages/s of the reader at ``before`` and of the working tree, in one run, same cores."""
    import json
    import os

    sys.path.insert(0, str(REPO / "eval" / "structure"))
    from versions import checkout  # noqa: E402 - the eval helper that exports a commit's code

    pdfs = sorted(corpus.glob("*.pdf"))
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"before": checkout(before, Path(tmp)), "after": REPO}
        for name in ("before", "after", "before", "after"):   # interleaved: load drifts during a run
            proc = subprocess.run([sys.executable, "-c", _VERSION_CHILD, str(roots[name]), str(repeat),
                                   str(cores), *map(str, pdfs)], capture_output=True, cwd=str(roots[name]),
                                  env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
            if proc.returncode != 0:
                raise SystemExit(proc.stderr.decode("utf-8", "replace")[-2000:])
            got = json.loads(proc.stdout)
            prev = results.get(name)
            if prev is None:
                results[name] = got
            else:
                for key, value in got.items():
                    if key != "_memory":
                        prev[key]["seconds"] = min(prev[key]["seconds"], value["seconds"])
                        prev[key]["cpu"] = min(prev[key]["cpu"], value["cpu"])
        peaks = {name: worker_peak_mb(root, pdfs) for name, root in roots.items()}
    cpus = f"{cores} cores" if cores else "all cores"
    print(f"PDF reader, before ({before}) vs after (working tree), {cpus}, best of {2 * repeat}")
    print("pages/s = wall clock; pages/CPU-s = pages per second of CPU spent by the reader and its")
    print("sandboxed worker together (one document is read on one core at a time; less sensitive to load)")
    print(f"{'file':40s} {'pages':>5s} {'before p/s':>10s} {'after p/s':>10s} {'ratio':>6s} | "
          f"{'before p/CPU-s':>14s} {'after p/CPU-s':>13s} {'ratio':>6s}")
    tb = ta = cb = ca = 0.0
    n = 0
    for path in pdfs:
        b, a = results["before"][str(path)], results["after"][str(path)]
        tb += b["seconds"]
        ta += a["seconds"]
        cb += b["cpu"]
        ca += a["cpu"]
        n += a["pages"]
        print(f"{path.name[:40]:40s} {a['pages']:5d} {b['pages'] / b['seconds']:10.0f} "
              f"{a['pages'] / a['seconds']:10.0f} {b['seconds'] / a['seconds']:6.2f} | "
              f"{b['pages'] / max(b['cpu'], 1e-9):14.0f} "
              f"{a['pages'] / max(a['cpu'], 1e-9):13.0f} {b['cpu'] / max(a['cpu'], 1e-9):6.2f}")
    if n:
        print(f"{'TOTAL':40s} {n:5d} {n / tb:10.0f} {n / ta:10.0f} {tb / ta:6.2f} | {n / max(cb, 1e-9):14.0f} "
              f"{n / max(ca, 1e-9):13.0f} {cb / max(ca, 1e-9):6.2f}   (ratio = after speed / before speed; "
              f"target ≥ 200 pages/s after)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name in ("before", "after"):
        mem = results[name]["_memory"]
        print(f"memory {name}: PDF worker max RSS {peaks[name]:.0f} MB (its own, started from a small "
              f"launcher), reader max RSS {mem['parent_max_rss_mb']:.0f} MB")


def busy_process(cores: int) -> subprocess.Popen:
    """A competitor that keeps one CPU busy, pinned to the cores the readers get."""
    code = ("import os, sys\n"
            "n = int(sys.argv[1])\n"
            "if n and hasattr(os, 'sched_setaffinity'):\n"
            "    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:n])\n"
            "while True:\n"
            "    pass\n")
    return subprocess.Popen([sys.executable, "-c", code, str(cores)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus" / "ja")
    ap.add_argument("--before", default="76a44d5", help="git ref of the 'before' reader (default: %(default)s)")
    ap.add_argument("--cores", type=int, default=2, help="CPUs to pin each reader to (0: all)")
    ap.add_argument("--busy", type=int, default=0,
                    help="run N CPU-bound competitors on the same cores during the before/after runs")
    ap.add_argument("--engines", action="store_true", help="also compare with raw pdfium/pypdf and python-docx")
    ap.add_argument("--no-vertical", action="store_true")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")
    competitors = [busy_process(args.cores) for _ in range(args.busy)]
    try:
        if competitors:
            print(f"with {len(competitors)} busy competitor(s) on the same cores")
        bench_versions(args.corpus, args.repeat, args.before, args.cores)
    finally:
        for proc in competitors:
            proc.kill()
            proc.wait()
    if not args.engines:
        return
    bench_pdf(args.corpus, args.repeat)
    if not args.no_vertical:
        bench_vertical(args.repeat)
    bench_docx(args.corpus, args.repeat)


if __name__ == "__main__":
    main()
