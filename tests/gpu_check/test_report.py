"""bench/gpu_check/bound.py and report.py: bytes per token, the bandwidth bound, the problems a
run shows, and the report format (JSON + text) — without a GPU."""
from __future__ import annotations

import copy
import json

import pytest

from gpu_check import bound as B
from gpu_check import gguf_synth as G
from gpu_check import report as R


@pytest.mark.parametrize("name,gbs", [
    ("NVIDIA H100 80GB HBM3", 3350.0), ("NVIDIA H100 PCIe", 2000.0), ("NVIDIA H100 NVL", 3900.0),
    ("NVIDIA H200", 4800.0), ("NVIDIA GeForce RTX 4090", 1008.0), ("NVIDIA RTX A4000", 448.0),
    ("Tesla T4", None), (None, None),
])
def test_datasheet_bandwidth_by_gpu_name(name, gbs):
    assert B.datasheet_gbs(name) == gbs


def test_the_bound_of_performance_md_is_reproduced():
    # PERFORMANCE.md: H100 SXM, 8B Q4_K_M (4.9 GB) → 684 t/s; 342 t/s is half of it
    b = B.bound(342.0, 3350.0, int(4.9e9))
    assert b == {"bandwidth_gbs": 3350.0, "bound_tps": 683.7, "fraction": 0.5}
    assert B.bound(100.0, None, 10**9) is None and B.bound(100.0, 3350.0, 0) is None
    assert B.bound(None, 3350.0, 10**9)["fraction"] is None


def test_bytes_per_token_counts_weights_once_and_the_kv_cache(tiny_models):
    import gguf
    for name, path in tiny_models.items():
        shape = G.SHAPES[name]
        sizes = {t.name: int(t.n_bytes) for t in gguf.GGUFReader(path).tensors}
        per = B.bytes_per_token(path, mean_context=100.0)
        gathered = 0 if shape.tied else sizes["token_embd.weight"]       # one row per token, not the table
        assert per["weight_bytes"] == sum(sizes.values()) - gathered
        assert per["tied_embeddings"] is shape.tied
        kv = 2 * shape.n_layer * shape.n_head_kv * shape.head_dim * 2
        assert per["kv_bytes_per_position"] == kv and per["kv_bytes"] == 100 * kv
        assert per["total"] == per["weight_bytes"] + per["kv_bytes"]


def gpu_state(per_token: int = 4_700_000_000) -> dict:
    """What a good run on an H100 records (the shape of run_check's state)."""
    def measure(tg: float, raw_tg: float, layers: int = 32) -> dict:
        return {
            "phases": {p: {"status": "ok", "seconds": 1.0} for p in ("doctor", "single", "batched", "raw")},
            "doctor": {"report": {"model": {"backend": {"backend": "CUDA", "n_gpu_layers": layers, "n_layers": 32,
                                                        "n_threads": 8, "cpu_variant": "haswell"}},
                                  "gpu_reason": None},
                       "text": "■ 現在のモデル\n  実行方式: CUDA", "exit_status": 0, "vram": {"runner_mib": 5300}},
            "single": {"pp_tps": 9000.0, "tg_tps": tg, "runs": [{"stop_reason": "length"}] * 3},
            "batched": [{"n": n, "batch_size": n, "aggregate_tps": tg * n * 0.8,
                         "runs": [{"stop_reasons": ["length"]}] * 2} for n in (1, 4, 8, 16)],
            "raw": {"pp_tps": 9500.0, "tg_tps": raw_tg, "n_gpu_layers_offloaded": 33,
                    "flash_attn": {"pp_tps": 9900.0, "tg_tps": raw_tg * 1.02},
                    "batched": [{"n": n, "aggregate_tps": raw_tg * n * 0.85} for n in (1, 4, 8, 16)]},
            "ratios": {"pp_tps": round(9000 / 9500, 3), "tg_tps": round(tg / raw_tg, 3)},
            "notices": [],
        }
    return {
        "started": "2026-12-07T00:00:00+00:00", "updated": "x", "finished": "y", "elapsed_s": 400.0, "options": {},
        "machine": {"gpus": [{"vendor": "NVIDIA", "name": "NVIDIA H100 80GB HBM3", "driver": "580.159.04",
                              "total_mib": 81559, "free_mib": 81000}], "cpu": "x", "cores": 16},
        "steps": [{"name": "build", "status": "ok", "seconds": 250.0, "detail": "built"}],
        "sdist": None, "build": {"status": "built"}, "bandwidth": {"copy_gbs": 3000.0},
        "models": {"8B": {"gen": {"quant": "Q4_K_M", "n_params": 8_030_261_248, "file_bytes": 4_920_000_000},
                          "per_token": {"total": per_token, "n_parameters": 8_030_261_248, "file_bytes": 4_920_000_000,
                                        "quantisation": "Q4_K_M"},
                          "measure": measure(170.0, 175.0)}},
    }


def test_a_clean_gpu_run_gives_rows_fractions_and_no_problems():
    rep = R.build(gpu_state())
    assert rep["problems"] == []
    row = rep["results"][0]
    assert (row["backend"], row["layers"], row["n_layers"], row["runner_vram_mib"]) == ("CUDA", 32, 32, 5300)
    # tg ÷ (bandwidth ÷ bytes per token): 170 ÷ (3350e9 / 4.7e9) and 170 ÷ (3000e9 / 4.7e9)
    assert row["bound_datasheet_tg_tps"]["fraction"] == round(170 / (3350e9 / 4.7e9), 3)
    assert row["bound_measured_copy_tg_tps"]["fraction"] == round(170 / (3000e9 / 4.7e9), 3)
    assert row["bound_datasheet_raw_tg_tps"]["fraction"] == round(175 / (3350e9 / 4.7e9), 3)
    assert row["batched"] == {"1": 136.0, "4": 544.0, "8": 1088.0, "16": 2176.0}
    json.dumps(rep)                                               # the JSON half serialises


def test_each_kind_of_trouble_is_named_in_problems():
    state = gpu_state()
    m = state["models"]["8B"]["measure"]
    m["doctor"]["report"]["model"]["backend"].update(n_gpu_layers=20)
    m["doctor"]["exit_status"] = 8
    m["batched"][3]["batch_size"] = 8
    m["batched"][2]["runs"][0]["stop_reasons"] = ["eos", "length"]
    m["ratios"]["tg_tps"] = 0.62
    m["notices"] = ["GPU で異常終了したため CPU に切り替えました"]
    m["phases"]["raw"] = {"status": "failed", "error": "RuntimeError: boom"}
    m["raw"]["flash_attn"]["pp_tps"] = 9500.0 * 1.4
    state["steps"].append({"name": "bandwidth", "status": "timeout", "detail": "after 90 s"})
    state["build"]["installed"] = {"cuda_loads_as_shipped": False, "cuda_loads_with_run_sh_path": True}
    probs = "\n".join(R.build(state)["problems"])
    for needle in ("only 20/32 layers", "exit status 8", "N=16 decoded 8", "N=8 sequences stopped early",
                   "tg_tps = 0.62", "異常終了", "phase raw failed", "step bandwidth: timeout",
                   "raw llama.cpp offloads 33 layers, the runner 20",
                   "flash attention, off in the app's engine, gives raw pp_tps ×1.40",
                   "does not load with the machine's own library path"):
        assert needle in probs


def test_cpu_backend_with_a_gpu_present_is_a_problem_and_without_one_it_is_not():
    state = gpu_state()
    doc = state["models"]["8B"]["measure"]["doctor"]
    doc["report"]["model"]["backend"].update(backend="CPU", n_gpu_layers=0)
    doc["report"]["gpu_reason"] = "この GPU に合う実行部がありません"
    assert any("runs on the CPU although a GPU is present (この GPU" in p for p in R.build(state)["problems"])
    dry = copy.deepcopy(state)
    dry["machine"]["gpus"] = []
    assert not any("CPU although" in p for p in R.build(dry)["problems"])


def test_text_report_shows_the_table_the_batched_widths_the_doctor_and_the_problems(tmp_path):
    state = gpu_state()
    state["models"]["8B"]["measure"]["ratios"]["tg_tps"] = 0.5
    rep = R.write(state, tmp_path)
    text = (tmp_path / "gpu-check.txt").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "gpu-check.json").read_text(encoding="utf-8"))["schema"] == R.SCHEMA
    assert "NVIDIA H100 80GB HBM3" in text and "32/32" in text and "5300" in text
    assert f"{100 * rep['results'][0]['bound_datasheet_tg_tps']['fraction']:.0f}% of" in text
    for n in (1, 4, 8, 16):
        assert f"N={n}" in text
    assert "gennai doctor — 8B" in text and "実行方式: CUDA" in text
    assert "tg_tps = 0.50" in text
    assert "pp 9500 → 9900" in text                              # flash attention off → on (raw)
    # 3350 GB/s ÷ 4.7 GB per token = 713 t/s; 170 t/s is 24 % of it, raw 175 t/s 25 %
    assert "datasheet 3350 GB/s → bound 713 t/s: runner 24%, raw 25%" in text
    assert "measured copy 3000 GB/s → bound 638 t/s: runner 27%, raw 27%" in text


def test_a_run_cut_short_still_renders():
    state = gpu_state()
    state["models"] = {"0.3B": {"gen": {"quant": "Q4_K_M"}}}   # generated, never measured
    state["finished"] = None
    text = R.render(R.build(state))
    assert "0.3B" in text and "finished -" in text
