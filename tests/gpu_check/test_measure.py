"""bench/gpu_check/measure.py: a failing phase is recorded and the next one still runs; the
runner ÷ raw ratios pair the right figures; prompts have the token counts the check relies on."""
from __future__ import annotations

import json

from gpu_check import measure as M
from gpu_check.prompts import batch_prompts, letters


def test_a_failed_phase_is_written_down_and_the_next_phase_still_runs(tmp_path):
    out = tmp_path / "m.json"
    rec = M.Recorder(out, {"model": "x"})
    assert json.loads(out.read_text())["model"] == "x"           # written before any phase runs

    def boom():
        raise RuntimeError("CUDA error: out of memory")

    assert rec.phase("doctor", boom) is None
    assert rec.phase("single", lambda: {"tg_tps": 12.5}) == {"tg_tps": 12.5}
    doc = json.loads(out.read_text())
    assert doc["phases"]["doctor"]["status"] == "failed" and "out of memory" in doc["phases"]["doctor"]["error"]
    assert doc["phases"]["single"]["status"] == "ok" and doc["single"] == {"tg_tps": 12.5}
    assert "doctor" not in doc


def test_ratios_divide_runner_figures_by_the_raw_ones_of_the_same_width():
    doc = {"single": {"pp_tps": 900.0, "tg_tps": 150.0},
           "raw": {"pp_tps": 1000.0, "tg_tps": 200.0,
                   "batched": [{"n": 4, "aggregate_tps": 800.0}, {"n": 1, "aggregate_tps": 190.0}]},
           "batched": [{"n": 1, "aggregate_tps": 95.0}, {"n": 4, "aggregate_tps": 600.0}, {"n": 8, "aggregate_tps": 1.0}]}
    assert M.ratios(doc) == {"pp_tps": 0.9, "tg_tps": 0.75, "batched_1": 0.5, "batched_4": 0.75}
    assert M.ratios({"single": {"tg_tps": 1.0}}) == {}


def test_prompts_are_deterministic_and_never_share_a_first_letter_in_one_batch():
    assert letters(7, 511) == letters(7, 511) and len(letters(7, 511)) == 511
    assert letters(7, 511) != letters(8, 511)
    assert letters(0, 64)[0] != letters(1, 64)[0]               # consecutive runs: no cached prefix
    prompts = batch_prompts(16, 31, salt=160)
    assert len({p[0] for p in prompts}) == 16 and all(len(p) == 31 and p.isascii() for p in prompts)
