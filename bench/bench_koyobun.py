"""Speed of the 公用文 rule engine and of the whole .docx → tracked-changes .docx path.

Why: the issues ask for ≥100,000 characters/s for rule checking on a 2-core machine (the
engine runs on one core; SudachiPy alone does ~220k–480k chars/s depending on load), so
rule matching — now including block scopes, document majorities and PDF line joins —
must stay a small fraction of tokenisation. Prints numbers, not assertions (the machine is
shared): wall-clock and CPU time, best of N runs, the ratio to bare SudachiPy and the
ratio to the 100,000 chars/s target.

Run: python bench/bench_koyobun.py [--chars 150000] [--runs 3] [--text FILE]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DEFAULT_TEXT = REPO.parent / "shared" / "corpus" / "ja" / "law_minpo_129AC0000000089.txt"


def _time(fn, runs: int) -> tuple[float, float, object]:
    """(best wall seconds, best CPU seconds, last result)."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus), result


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>10,.0f} chars/s" if seconds > 0 else "inf"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=150_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    args = ap.parse_args(argv)

    from gennai_desktop.nlp.morph import tokenize_fast
    from gennai_desktop.proofread.rules import RuleEngine

    full = args.text.read_text(encoding="utf-8")
    text = full[: args.chars]
    n = len(text)
    engine = RuleEngine()
    engine.check("準備のための短い文です。")          # load rules + dictionary outside timing

    print(f"text: {args.text.name}[:{n:,}]  runs: {args.runs} (best of)")
    w, c, _ = _time(lambda: tokenize_fast(text), args.runs)
    print(f"SudachiPy tokenize only       wall {w:6.3f}s {_rate(n, w)}   cpu {c:6.3f}s {_rate(n, c)}")
    base_c = c
    w, c, fs = _time(lambda: engine.check(text), args.runs)
    print(f"rule engine check_text        wall {w:6.3f}s {_rate(n, w)}   cpu {c:6.3f}s {_rate(n, c)}")
    print(f"  findings: {len(fs):,}   rule overhead over tokenising: {c / base_c:.2f}x CPU")
    print(f"  ratio to the 100,000 chars/s target (CPU time, one core): {n / c / 100_000:.2f}x "
          f"({'met' if n / c >= 100_000 else 'NOT met'})")

    # the app's path: a loaded document, block scopes, majorities, the chosen profile
    from gennai_desktop.documents import load_document
    from gennai_desktop.proofread.document_check import check_document
    real = REPO.parent / "shared" / "corpus" / "real"
    for name in ("shian_moj_chukan_shian_hosoku.pdf", "jimurenraku_mhlw_teisei_r020416.pdf", "report_cio_zerotrust.docx"):
        path = real / name
        if not path.exists():
            continue
        doc = load_document(path)
        check_document(doc)                       # warm the profile's engine
        w, c, res = _time(lambda doc=doc: check_document(doc), args.runs)
        m = len(doc.text)
        print(f"check_document {name[:34]:34} {m:7,} chars  wall {w:6.3f}s {_rate(m, w)}   cpu {c:6.3f}s "
              f"{_rate(m, c)}  ratio to target {m / c / 100_000:.2f}x  ({len(res.findings)} findings, {res.profile})")

    # whole path: .docx → load → check → tracked-changes .docx
    import docx

    from gennai_desktop.proofread.tracked_changes import track_changes

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "bench.docx"
        d = docx.Document()
        for line in text.split("\n"):
            if line.strip():
                d.add_paragraph(line)
        d.save(str(src))

        def whole() -> object:
            doc = load_document(src)
            findings = engine.check(doc.text)
            return track_changes(src, doc, findings, Path(tmp) / "out.docx"), len(doc.text), len(findings)

        w, c, (stats, m, nf) = _time(whole, max(1, args.runs - 1))
        print(f"docx → tracked .docx (whole)  wall {w:6.3f}s {_rate(m, w)}   cpu {c:6.3f}s {_rate(m, c)}")
        print(f"  {nf:,} findings: {stats.revisions:,} revisions, {stats.comments:,} comments, "
              f"{len(stats.skipped):,} left out")
        for name in ("law_kojin-joho-hogo_415AC0000000057.docx",):
            real = args.text.parent / name
            if real.exists():
                def whole_real(real=real) -> object:
                    doc = load_document(real)
                    findings = engine.check(doc.text)
                    return track_changes(real, doc, findings, Path(tmp) / "real.docx"), len(doc.text), len(findings)
                w, c, (stats, m, nf) = _time(whole_real, max(1, args.runs - 1))
                print(f"{name}: {m:,} chars  wall {w:6.3f}s {_rate(m, w)}   cpu {c:6.3f}s {_rate(m, c)}  "
                      f"({nf:,} findings, {stats.revisions:,} revisions, {len(stats.skipped)} left out)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
