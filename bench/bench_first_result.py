"""First result from the CLI start (issue 23 item 3): the 校正 rule findings of a 50-page PDF,
an extractive summary of it, and a 質問 answer — each a fresh ``gennai`` process, timed from
the moment it is started until it has printed its result and exited. The CPU seconds of the
process (and the PDF worker it starts) are printed too: this machine is shared, and on an idle
machine a single-threaded job's wall time comes close to its CPU time.

With the default settings on the bundled base model the model is not even opened
(tasks.model_passes; the 質問 path never loads a base model). The targets are < 2 s, < 3 s and
< 1 s. The first 50 pages of a real report (shian_moj_chukan_shian_hosoku.pdf) are written to a temporary folder; the
machine's load average is printed before and after, since this machine is shared.

    python bench/bench_first_result.py [--runs 5] [--pages 50]

The UI's figures (from the click) come from ``bench/bench_ui.py --first-results``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("GENNAI_CORPUS", REPO.parent / "shared" / "corpus")) / "real"
# a 79-page 公用文 report (法務省 中間試案の補足説明): laws are checked by the 法令 standard,
# under which a law has few rule findings, while a report is what officials check most
SOURCE = CORPUS / "shian_moj_chukan_shian_hosoku.pdf"
QUESTION = "電子化された船荷証券の法律上の名称は何とすることが考えられるか"


def first_pages(pdf: Path, pages: int, out: Path) -> Path:
    from pypdf import PdfReader, PdfWriter
    reader, writer = PdfReader(str(pdf)), PdfWriter()
    for page in reader.pages[:pages]:
        writer.add_page(page)
    with open(out, "wb") as fh:
        writer.write(fh)
    return out


def children_cpu() -> float:
    """CPU seconds of every finished child process so far (with their own waited-for children:
    the PDF worker the CLI starts counts too)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds, parsed --json output) of one fresh process."""
    c0 = children_cpu()
    t0 = time.perf_counter()
    res = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(argv[3:5])} failed ({res.returncode}): {res.stderr[-800:]}")
    return wall, children_cpu() - c0, json.loads(res.stdout) if "--json" in argv else {}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pages", type=int, default=50)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gennai_first_"))
    pdf = first_pages(SOURCE, args.pages, tmp / f"report_{args.pages}p.pdf")
    env = {**os.environ, "GENNAI_HOME": str(tmp / "home"), "PYTHONPATH": str(REPO)}
    gennai = [sys.executable, "-m", "gennai_desktop.cli"]
    jobs = {
        "校正 (rule findings)": ([*gennai, "proofread", "--json", str(pdf)], 2.0),
        "要約 (extractive)": ([*gennai, "summarize", "--json", str(pdf)], 3.0),
        "質問 (answer)": ([*gennai, "ask", "--json", str(pdf), QUESTION], 1.0),
        "start only (gennai --help)": ([*gennai, "--help"], None),
    }
    load = os.getloadavg()
    print(f"{pdf.name}: {args.pages} pages; {os.cpu_count()} CPUs; load average at start "
          f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}; {args.runs} runs each (first run included)", flush=True)
    for label, (argv, target) in jobs.items():
        walls, cpus, last = [], [], {}
        for _ in range(args.runs):
            wall, cpu, last = timed(argv, env)
            walls.append(wall)
            cpus.append(cpu)
        what = ""
        if "findings" in last:
            what = f"{len(last['findings'])} findings"
        elif "points" in last:
            what = f"{len(last['points'])} points, method {last.get('method')}"
        elif "answer" in last:
            what = f"method {last.get('method')}, {len(last.get('citations') or [])} citations"
        notices = [n["id"] if isinstance(n, dict) else n for n in last.get("notices", [])]
        goal = f" (target < {target:.0f} s)" if target else ""
        print(f"{label}: wall median {statistics.median(walls):.2f} s, best {min(walls):.2f} s, "
              f"first {walls[0]:.2f} s{goal}; CPU median {statistics.median(cpus):.2f} s; {what}; "
              f"notices {notices}", flush=True)
    load = os.getloadavg()
    print(f"load average at end {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
