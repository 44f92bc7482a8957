"""Scaling of load + extractive summary with document size (issue 9, point 4).

Not a test: for .docx (or .txt) files of 5k/10k/20k/40k paragraphs generated here it prints
the wall time of ``load_document`` + ``summarize(doc, None)`` and the peak memory, and the
growth exponent b fitted by least squares on log(time) = a + b·log(n). Target: b ≤ 1.2 (it
was ~1.7: all-pairs redundancy checks, whole-document morpheme lists, quadratic slicing).

Each size runs (``--repeat`` times, fastest kept) in its own child process, so "peak MB" is that process's peak RSS
(ru_maxrss) and "over base" is the peak minus the RSS after a warm-up on a 200-paragraph
file (imports, Sudachi dictionary). Time is measured without tracemalloc, which would
slow allocations several-fold and distort the exponent.

Two kinds of documents: ``distinct`` paragraphs (random official-sounding sentences) and
``repeated`` ones (one sentence with a running number, so every candidate is a
near-duplicate: the hostile case for the redundancy check).

    python bench/bench_scaling.py [--sizes 5000,10000,20000,40000] [--format docx|txt]
                                  [--mode distinct|repeated|both]
"""
from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_WORDS = ("行政 手続 申請 審査 許可 届出 報告 調査 計画 予算 事業 地方 公共 団体 国民 住民 情報 "
          "公開 保護 個人 安全 管理 基準 措置 指定 認定 登録 施設 設備 環境 保全 災害 対策 支援 "
          "補助 交付 契約 監督 指導 助言 勧告 命令 処分 評価 改善 推進 協力 連携 整備").split()


def paragraphs(n: int, seed: int = 9, repeated: bool = False) -> list[str]:
    """``n`` paragraphs with a chapter heading every 50."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        if i % 50 == 0:
            out.append(f"第{i // 50 + 1}章　{rnd.choice(_WORDS)}{rnd.choice(_WORDS)}")
        elif repeated:
            out.append(f"（{i}）行政手続に関する申請は、審査の基準を踏まえ、必要な措置を行うものとする。")
        else:
            a, b, c, d = (rnd.choice(_WORDS) for _ in range(4))
            out.append(f"{a}{b}に関する{c}は、{d}の{rnd.choice(_WORDS)}を踏まえ、"
                       f"{rnd.choice(_WORDS)}{rnd.choice(_WORDS)}について必要な{rnd.choice(_WORDS)}を行うものとする。")
    return out


def make_file(n: int, fmt: str, folder: Path, repeated: bool = False) -> Path:
    paras = paragraphs(n, repeated=repeated)
    p = folder / f"p{n}{'r' if repeated else 'd'}.{fmt}"
    if fmt == "txt":
        p.write_text("\n".join(paras), encoding="utf-8")
        return p
    import docx
    d = docx.Document()
    for t in paras:
        d.add_paragraph(t, style="Heading 1" if t.startswith("第") else None)
    d.save(str(p))
    return p


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(path: Path, warm: Path) -> dict:
    from gennai_desktop.core.events import Done
    from gennai_desktop.documents import load_document
    from gennai_desktop.tasks.summarize import summarize

    def once(p: Path) -> tuple[float, int]:
        t0 = time.perf_counter()
        doc = load_document(p)
        result = next(ev.result for ev in summarize(doc, None) if isinstance(ev, Done))
        assert result.points
        return time.perf_counter() - t0, len(doc.blocks)

    once(warm)
    base = _rss_mb()
    seconds, blocks = once(path)
    return {"seconds": seconds, "blocks": blocks, "peak_mb": _rss_mb(), "base_mb": base}


def fit_exponent(ns: list[int], ts: list[float]) -> float:
    xs = [math.log(n) for n in ns]
    ys = [math.log(t) for t in ts]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="5000,10000,20000,40000")
    ap.add_argument("--format", choices=("docx", "txt"), default="docx")
    ap.add_argument("--mode", choices=("distinct", "repeated", "both"), default="both")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size; the fastest counts "
                    "(the machine is shared: the minimum is the least disturbed run)")
    ap.add_argument("--child", nargs=2, metavar=("FILE", "WARMUP"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child[0]), Path(args.child[1]))))
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    modes = ("distinct", "repeated") if args.mode == "both" else (args.mode,)
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        warm = make_file(200, args.format, Path(tmp))
        for mode in modes:
            times = []
            print(f"\n{args.format}, {mode} paragraphs")
            print(f"{'paragraphs':>10} {'blocks':>7} {'seconds':>8} {'peak MB':>8} {'over base':>9}")
            for n in sizes:
                path = make_file(n, args.format, Path(tmp), repeated=mode == "repeated")
                runs = []
                for _ in range(max(1, args.repeat)):
                    out = subprocess.run([sys.executable, __file__, "--child", str(path), str(warm)],
                                         capture_output=True, text=True, check=True, cwd=ROOT)
                    runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                r = min(runs, key=lambda x: x["seconds"])
                times.append(r["seconds"])
                print(f"{n:>10} {r['blocks']:>7} {r['seconds']:>8.2f} {r['peak_mb']:>8.0f} "
                      f"{r['peak_mb'] - r['base_mb']:>9.0f}", flush=True)
            b = fit_exponent(sizes, times)
            worst = max(worst, b)
            print(f"fitted growth exponent (time ~ n^b): b = {b:.2f}  (target ≤ 1.2)")
    return 0 if worst <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
