"""ASR quality and cost on the synthetic set (bench/asr_synth.py makes it; not a test).

    .venv/bin/python bench/bench_asr.py [--set eval/asr/blind.json] [--dir bench/out/asr]

For every audio file of the set: character error rate (CER) raw and normalised, wall and
CPU seconds of the ASR child per audio second, and the child's peak resident memory. Each
file runs in a fresh process (``--one``) so RUSAGE_CHILDREN measures that file's child only.

CER = Levenshtein distance / reference length, over characters.
  raw:        the transcript as the app shows it vs the reference as written; only
              whitespace and line breaks removed.
  normalised: both sides NFKC; numerals unified (asr.numerals.arabic_numerals, then digit
              group commas removed); every punctuation and symbol character removed.
Turns: recall = share of the real speaker changes (turn starts of the script) that have a
pause-split turn start within 1 s; precision = share of the turn starts found that are real
changes (the rest split one speaker at a pause).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


TURN_TOLERANCE = 1.0     # a turn start found within 1 s of a real change of speaker counts


def levenshtein(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def raw_form(text: str) -> str:
    return re.sub(r"\s+", "", text)


def normal_form(text: str) -> str:
    from gennai_desktop.asr.numerals import arabic_numerals
    text = unicodedata.normalize("NFKC", text)
    text = arabic_numerals(text)
    text = re.sub(r"(?<=[0-9]),(?=[0-9]{3})", "", text)
    return "".join(c for c in text if not unicodedata.category(c)[0] in "PSZC")


def cer(hyp: str, ref: str) -> float:
    return levenshtein(hyp, ref) / max(1, len(ref))


def one(path: str) -> dict:
    """Transcribe one file in this process; the ASR child's usage comes from RUSAGE_CHILDREN."""
    from gennai_desktop.asr.model import ensure_base_model
    from gennai_desktop.core.events import drain
    from gennai_desktop.tasks.transcribe import transcribe
    model = ensure_base_model()
    t0 = time.monotonic()
    t = drain(transcribe(path, model))
    wall = time.monotonic() - t0
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"text": "".join(u.text for u in t.utterances), "duration": t.duration, "wall": wall,
            "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024,
            "turns": len({u.turn for u in t.utterances}), "utterances": len(t.utterances),
            "turn_starts": [t.utterances[idx[0]].start for idx in t.turns()]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default=str(ROOT / "eval/asr/blind.json"))
    ap.add_argument("--dir", default=str(ROOT / "bench/out/asr"))
    ap.add_argument("--one")
    ap.add_argument("--show", action="store_true", help="print each hypothesis")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one), ensure_ascii=False))
        return 0
    folder = Path(args.dir)
    rows = []
    for clip in json.loads(Path(args.set).read_text(encoding="utf-8"))["clips"]:
        ref = json.loads((folder / f"{clip['id']}.ref.json").read_text(encoding="utf-8"))
        for f in sorted(folder.glob(f"{clip['id']}.*")):
            if f.suffix not in (".wav", ".mp3", ".m4a"):
                continue
            out = subprocess.run([sys.executable, __file__, "--one", str(f)], capture_output=True, text=True,
                                 env={**os.environ, "PYTHONWARNINGS": "ignore"})
            if out.returncode != 0:
                print(f"{f.name}: failed\n{out.stderr[-2000:]}", file=sys.stderr)
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            hyp_starts = r.get("turn_starts", [])
            ref_starts = [x["start"] for x in ref["turns"]]
            found = sum(any(abs(h - s) <= TURN_TOLERANCE for h in hyp_starts) for s in ref_starts)
            right = sum(any(abs(h - s) <= TURN_TOLERANCE for s in ref_starts) for h in hyp_starts)
            r.update(turn_recall=found / max(1, len(ref_starts)), turn_precision=right / max(1, len(hyp_starts)))
            r.update(name=f.name, ref_turns=len(ref["turns"]),
                     cer_raw=cer(raw_form(r["text"]), raw_form(ref["text"])),
                     cer_norm=cer(normal_form(r["text"]), normal_form(ref["text"])))
            rows.append(r)
            if args.show:
                print(f"--- {f.name}\nREF {ref['text']}\nHYP {r['text']}\n", file=sys.stderr)
    print(f"{'file':28} {'audio s':>7} {'CER raw':>8} {'CER norm':>8} {'wall/aud':>8} {'CPU/aud':>8} {'peak MB':>8} {'turns':>9} {'turn R':>6} {'turn P':>6}")
    for r in rows:
        print(f"{r['name']:28} {r['duration']:7.1f} {r['cer_raw']:8.3f} {r['cer_norm']:8.3f} "
              f"{r['wall'] / r['duration']:8.3f} {r['cpu'] / r['duration']:8.3f} {r['peak_mb']:8.0f} "
              f"{r['turns']:>4}/{r['ref_turns']:<4} {r['turn_recall']:6.2f} {r['turn_precision']:6.2f}")
    if rows:
        tot = sum(r["duration"] for r in rows)
        print(f"{'all (audio-weighted)':28} {tot:7.1f} "
              f"{sum(r['cer_raw'] * r['duration'] for r in rows) / tot:8.3f} "
              f"{sum(r['cer_norm'] * r['duration'] for r in rows) / tot:8.3f} "
              f"{sum(r['wall'] for r in rows) / tot:8.3f} {sum(r['cpu'] for r in rows) / tot:8.3f} "
              f"{max(r['peak_mb'] for r in rows):8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
