"""Benchmark: model-free 要約 of 民法 (233,000 characters) — wall time and spread.

The issue's bar: under 10 s on 2 cores, points from across the whole text, each cited.
Prints, per style and length, the wall time of ``summarize(doc, None)`` (document already
loaded; the load is timed apart), how far the points spread (first and last cited offset
as a share of the text) and whether every point is a whole sentence found in its cited
block. Run it on an otherwise idle machine; the load average is printed for that reason.

    python bench/bench_summary_long.py [--file PATH] [--repeat 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CORPUS = Path(os.environ.get("GENNAI_CORPUS", REPO.parent / "shared" / "corpus")) / "ja"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", default=str(CORPUS / "law_minpo_129AC0000000089.txt"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from gennai_desktop.core.events import drain
    from gennai_desktop.documents import load_document
    from gennai_desktop.tasks.summarize import summarize

    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          f"(affinity {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'})")
    t0 = time.perf_counter()
    doc = load_document(Path(args.file))
    print(f"{Path(args.file).name}: {len(doc.text):,} characters, {len(doc.blocks):,} blocks, "
          f"load {time.perf_counter() - t0:.2f} s")
    for style, length in (("bullets", "standard"), ("bullets", "long"), ("three_lines", "standard"),
                          ("report", "standard")):
        times = []
        result = None
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            result = drain(summarize(doc, None, style=style, length=length))
            times.append(time.perf_counter() - t0)
        assert result is not None
        starts = [doc.block(p.citations[0].block_id).start for p in result.points]
        whole = sum(p.text.endswith("。") and p.text in doc.block(p.citations[0].block_id).text
                    for p in result.points)
        print(f"{style:11s} {length:8s} median {statistics.median(times):5.2f} s (max {max(times):5.2f})"
              f"  points {len(result.points)}  whole+cited {whole}/{len(result.points)}"
              f"  spread {min(starts) / len(doc.text):.0%}–{max(starts) / len(doc.text):.0%}"
              f"  under 10 s: {'yes' if max(times) < 10 else 'NO'}")


if __name__ == "__main__":
    main()
