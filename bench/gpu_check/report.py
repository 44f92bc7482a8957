"""The GPU check's report: one JSON document and the same facts as text.

``build(state)`` turns what the steps recorded (``run_check``'s state) into the report:
per model the doctor's findings (backend, layers offloaded, VRAM), single-stream pp/tg,
batched aggregate tokens/s per N, runner ÷ raw ratios, bytes per token and the fraction of
the bandwidth bound (``bound``), and a list of problems the run shows — the things issue 26
item 4 asks to fix. ``render(report)`` is the text version. Both are pure functions of the
state, so they are tested without a GPU and rewritten after every step of a run.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import bound as bound_mod

SCHEMA = "gennai-gpu-check/1"
SLOW_RUNNER = 0.9           # runner ÷ raw below this is reported as a problem
FLASH_GAIN = 1.1            # flash attention this much faster (raw) is reported too


def _gpu_name(state: dict[str, Any]) -> str | None:
    gpus = (state.get("machine") or {}).get("gpus") or []
    return gpus[0].get("name") if gpus else None


def model_summary(label: str, entry: dict[str, Any], bw: dict[str, float | None]) -> dict[str, Any]:
    """One row of the results table, with the bounds; missing phases give None."""
    m = entry.get("measure") or {}
    gen = entry.get("gen") or {}
    per = entry.get("per_token") or {}
    doctor = m.get("doctor") or {}
    backend = ((doctor.get("report") or {}).get("model") or {}).get("backend") or {}
    single, raw = m.get("single") or {}, m.get("raw") or {}
    row: dict[str, Any] = {
        "model": label, "quant": per.get("quantisation") or gen.get("quant"),
        "params": _count(per.get("n_parameters") or gen.get("n_params") or 0),
        "file_gb": round((per.get("file_bytes") or gen.get("file_bytes") or 0) / 1e9, 2),
        "backend": backend.get("backend"), "layers": backend.get("n_gpu_layers"),
        "n_layers": backend.get("n_layers"), "cpu_variant": backend.get("cpu_variant"),
        # the runner process's GPU memory; where nvidia-smi lists no processes (some VMs), all used
        "runner_vram_mib": (doctor.get("vram") or {}).get("runner_mib") or (doctor.get("vram") or {}).get("gpu_used_mib"),
        "pp_tps": single.get("pp_tps"), "tg_tps": single.get("tg_tps"),
        "raw_pp_tps": raw.get("pp_tps"), "raw_tg_tps": raw.get("tg_tps"),
        "raw_fa_pp_tps": (raw.get("flash_attn") or {}).get("pp_tps"),
        "raw_fa_tg_tps": (raw.get("flash_attn") or {}).get("tg_tps"),
        "ratios": m.get("ratios") or {},
        # keys are strings: the same in the JSON file as in memory
        "batched": {str(b["n"]): b.get("aggregate_tps") for b in m.get("batched") or []},
        "raw_batched": {str(b["n"]): b.get("aggregate_tps") for b in raw.get("batched") or []},
        "bytes_per_token": per.get("total"),
    }
    for key, gbs in bw.items():
        for side in ("tg_tps", "raw_tg_tps"):
            b = bound_mod.bound(row[side], gbs, per.get("total") or 0)
            row[f"bound_{key}_{side}"] = b
    return row


def problems(state: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """What the run shows to be wrong, one sentence each (empty when nothing is)."""
    out: list[str] = []
    for step in state.get("steps") or []:
        if step.get("status") not in ("ok", "skipped"):
            out.append(f"step {step['name']}: {step.get('status')} — {str(step.get('detail') or '')[:300]}")
    has_gpu = bool((state.get("machine") or {}).get("gpus"))
    installed = (state.get("build") or {}).get("installed") or {}
    if installed.get("cuda_loads_as_shipped") is False:
        out.append("libggml-cuda.so does not load with the machine's own library path (it did with run.sh's "
                   "CUDA toolkit + nvidia wheel folders): an installed app would not find cudart/cuBLAS")
    models = state.get("models") or {}
    for row in rows:
        label = row["model"]
        m = (models.get(label) or {}).get("measure") or {}
        for phase, v in (m.get("phases") or {}).items():
            if v.get("status") != "ok":
                out.append(f"{label}: phase {phase} failed — {v.get('error')}")
        doctor = m.get("doctor") or {}
        if has_gpu and doctor:
            if row["backend"] in (None, "CPU") or not row["layers"]:
                reason = (doctor.get("report") or {}).get("gpu_reason")
                out.append(f"{label}: runs on the CPU although a GPU is present ({reason})")
            elif row["n_layers"] and row["layers"] < row["n_layers"]:
                out.append(f"{label}: only {row['layers']}/{row['n_layers']} layers offloaded")
            if doctor.get("exit_status") not in (0, None):
                out.append(f"{label}: gennai doctor exit status {doctor.get('exit_status')}")
        for notice in m.get("notices") or []:
            out.append(f"{label}: runner notice — {notice}")
        raw_layers = (m.get("raw") or {}).get("n_gpu_layers_offloaded")
        if has_gpu and raw_layers is not None and row["layers"] is not None and raw_layers > (row["layers"] or 0) + 1:
            out.append(f"{label}: raw llama.cpp offloads {raw_layers} layers, the runner {row['layers']}")
        for b in m.get("batched") or []:
            if b.get("batch_size") != b["n"]:
                out.append(f"{label}: generate_batch with N={b['n']} decoded {b.get('batch_size')} at once")
            reasons = {r for run in b.get("runs") or [] for r in run.get("stop_reasons") or []}
            if reasons - {"length"}:
                out.append(f"{label}: N={b['n']} sequences stopped early ({', '.join(sorted(reasons))})")
        for run in (m.get("single") or {}).get("runs") or []:
            if run.get("stop_reason") != "length":
                out.append(f"{label}: a single-stream run stopped early ({run.get('stop_reason')})")
                break
        for key, ratio in sorted((row.get("ratios") or {}).items()):
            if ratio < SLOW_RUNNER:
                out.append(f"{label}: runner ÷ raw {key} = {ratio:.2f} (below {SLOW_RUNNER})")
        gains = {k: row[f"raw_fa_{k}"] / row[f"raw_{k}"] for k in ("pp_tps", "tg_tps")
                 if row.get(f"raw_fa_{k}") and row.get(f"raw_{k}")}
        if any(g >= FLASH_GAIN for g in gains.values()):
            out.append(f"{label}: flash attention, off in the app's engine, gives raw "
                       + ", ".join(f"{k} ×{g:.2f}" for k, g in gains.items()))
    return out


def build(state: dict[str, Any]) -> dict[str, Any]:
    gpu = _gpu_name(state)
    copy = (state.get("bandwidth") or {}).get("copy_gbs")
    bw = {"datasheet": bound_mod.datasheet_gbs(gpu), "measured_copy": copy}
    rows = [model_summary(label, entry, bw) for label, entry in (state.get("models") or {}).items()]
    return {"schema": SCHEMA, **{k: state.get(k) for k in ("started", "updated", "finished", "elapsed_s", "options",
                                                           "machine", "steps", "sdist", "build", "bandwidth")},
            "bandwidth_gbs": bw, "bandwidth_source": "shared/design/PERFORMANCE.md datasheet figure; copy = "
                                                     "device-to-device copy measured here (read + write)",
            "results": rows, "problems": problems(state, rows), "models": state.get("models")}


def _count(n: int) -> str:
    return f"{n / 1e9:.2f}B" if n >= 1e8 else f"{n / 1e6:.1f}M"


def _f(x: Any, nd: int = 1) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{nd}f}"
    return str(x)


def _pct(b: dict[str, Any] | None) -> str:
    if not b or b.get("fraction") is None:
        return "-"
    return f"{100 * b['fraction']:.0f}% of {b['bound_tps']:.0f}"


def _pct1(b: dict[str, Any] | None) -> str:
    return "-" if not b or b.get("fraction") is None else f"{100 * b['fraction']:.0f}%"


def render(rep: dict[str, Any]) -> str:
    lines = ["GENNAI Desktop — GPU check (issue 26)", "=" * 38]
    mach = rep.get("machine") or {}
    for g in mach.get("gpus") or []:
        lines.append(f"GPU: {g.get('name')}  driver {g.get('driver')}  VRAM {g.get('free_mib')}/{g.get('total_mib')} MiB free")
    if not mach.get("gpus"):
        lines.append("GPU: none (CPU dry run)")
    for k in ("cpu", "cores", "python", "nvcc", "cmake"):
        if mach.get(k):
            lines.append(f"{k}: {mach[k]}")
    lines.append(f"started {rep.get('started')}  updated {rep.get('updated')}  finished {rep.get('finished') or '-'}  "
                 f"elapsed {_f(rep.get('elapsed_s'))} s")
    lines.append("")
    lines.append("Steps")
    for s in rep.get("steps") or []:
        detail = str(s.get("detail") or "")
        lines.append(f"  {s['name']:<22} {s.get('status'):<8} {_f(s.get('seconds'))} s  {detail[:110]}")
    b = rep.get("build") or {}
    if b:
        lines.append(f"Build: {b.get('status')} {b.get('wheel') or ''} ({_f(b.get('seconds'))} s, "
                     f"backend {b.get('backend')}, trimmed sdist sha256 {str(b.get('trimmed_sha256'))[:16]}…)")
    bw = rep.get("bandwidth_gbs") or {}
    lines.append(f"Bandwidth: datasheet {_f(bw.get('datasheet'), 0)} GB/s, measured copy {_f(bw.get('measured_copy'), 0)} GB/s")
    lines.append("")
    rows = rep.get("results") or []
    if rows:
        lines.append("Single stream (pp = prompt tokens/s, tg = generated tokens/s; runner = the app's runner process)")
        head = (f"{'model':<10}{'quant':<8}{'GB':>6}{'backend':>9}{'layers':>8}{'VRAM MiB':>10}{'pp':>9}{'tg':>8}"
                f"{'raw pp':>9}{'raw tg':>8}{'tg r/raw':>9}  tg vs bound (datasheet / copy)")
        lines += [head, "-" * len(head)]
        for r in rows:
            layers = f"{_f(r['layers'])}/{_f(r['n_layers'])}"
            lines.append(f"{r['model']:<10}{_f(r['quant']):<8}{_f(r['file_gb'], 2):>6}{_f(r['backend']):>9}{layers:>8}"
                         f"{_f(r['runner_vram_mib']):>10}{_f(r['pp_tps'], 0):>9}{_f(r['tg_tps']):>8}"
                         f"{_f(r['raw_pp_tps'], 0):>9}{_f(r['raw_tg_tps']):>8}{_f((r['ratios'] or {}).get('tg_tps'), 2):>9}"
                         f"  {_pct(r.get('bound_datasheet_tg_tps'))} / {_pct(r.get('bound_measured_copy_tg_tps'))}")
        lines.append("")
        widths = sorted({n for r in rows for n in r["batched"]}, key=int)
        if widths:
            lines.append("Batched (generate_batch), aggregate decode tokens/s — runner [raw]")
            lines.append(f"{'model':<10}" + "".join(f"{'N=' + str(n):>18}" for n in widths))
            for r in rows:
                cells = [f"{_f(r['batched'].get(n))} [{_f(r['raw_batched'].get(n))}]" for n in widths]
                lines.append(f"{r['model']:<10}" + "".join(f"{c:>18}" for c in cells))
            lines.append("")
        if any(r.get("raw_fa_tg_tps") for r in rows):
            lines.append("Flash attention (raw llama.cpp; off in the app's engine): pp / tg tokens/s off → on")
            for r in rows:
                lines.append(f"  {r['model']:<10} pp {_f(r['raw_pp_tps'], 0)} → {_f(r['raw_fa_pp_tps'], 0)}   "
                             f"tg {_f(r['raw_tg_tps'])} → {_f(r['raw_fa_tg_tps'])}")
            lines.append("")
        lines.append("Bandwidth bound: tg ≤ bandwidth ÷ bytes read per token (weights used per token + KV cache "
                     "at the mean context); runner and raw tg as a fraction of it")
        for r in rows:
            per = r["bytes_per_token"]
            lines.append(f"  {r['model']:<10} {per / 1e9 if per else 0:.3f} GB/token ({r['params']} parameters)")
            for key, name in (("datasheet", "datasheet"), ("measured_copy", "measured copy")):
                b, raw = r.get(f"bound_{key}_tg_tps"), r.get(f"bound_{key}_raw_tg_tps")
                if b:
                    lines.append(f"  {'':<10} {name} {b['bandwidth_gbs']:.0f} GB/s → bound {b['bound_tps']:.0f} t/s: "
                                 f"runner {_pct1(b)}, raw {_pct1(raw)}")
        lines.append("")
    for label, entry in (rep.get("models") or {}).items():
        text = (((entry.get("measure") or {}).get("doctor")) or {}).get("text")
        if text:
            lines.append(f"gennai doctor — {label}")
            lines += ["  " + ln for ln in text.splitlines()]
            lines.append("")
    probs = rep.get("problems") or []
    lines.append("Problems" if probs else "Problems: none found")
    lines += [f"  - {p}" for p in probs]
    return "\n".join(lines) + "\n"


def write(state: dict[str, Any], out_dir: Path, stem: str = "gpu-check") -> dict[str, Any]:
    """Write ``<stem>.json`` and ``<stem>.txt`` into ``out_dir`` (atomically); return the report."""
    rep = build(state)
    out_dir.mkdir(parents=True, exist_ok=True)
    for suffix, text in ((".json", json.dumps(rep, ensure_ascii=False, indent=1, default=str) + "\n"),
                         (".txt", render(rep))):
        tmp = out_dir / f".{stem}{suffix}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out_dir / f"{stem}{suffix}")
    return rep
