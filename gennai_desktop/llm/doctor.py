"""``gennai doctor``: what this machine can run, what the model actually runs on, and — whenever
the GPU is not used — why, in one sentence.

The complaint users file most against local-LLM apps is "it does not use my GPU" with no
reason given. This report answers it for officials and for ministry IT (exit status for scripts):

    0  the model runs, on the GPU if this machine has a usable one
    4  the model cannot run (see the message)
    8  the model runs, but on the CPU although a GPU is present (the reason is printed)

The same report feeds the app's 動作環境 page. Everything is read locally; nothing is sent.
"""
from __future__ import annotations

import platform
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..core import cpu_budget
from ..core.cpu_budget import DEFAULT_WAIT_POLICY, WaitPolicy
from ..core.errors import EXIT_MODEL, EXIT_OK, GennaiError
from ..core.i18n import get_language, tr
from ..core.tasks import TRANSLATE
from . import cpu_variants
from .base import GenerationParams, ModelSpec
from .runner import RunnerEngine

EXIT_GPU_UNUSED = 8
PROBE_PROMPT = "日本の行政機関は"
PROBE_TOKENS = 32


def nvidia_gpus() -> list[dict[str, Any]]:
    """NVIDIA GPUs with driver and memory, from nvidia-smi (absent → [])."""
    exe = shutil.which("nvidia-smi")
    if not exe:
        return []
    try:
        out = subprocess.run([exe, "--query-gpu=name,driver_version,memory.total,memory.free",
                              "--format=csv,noheader,nounits"], capture_output=True, text=True,
                             timeout=15, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    gpus = []
    for line in out.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) == 4:
            try:
                gpus.append({"vendor": "NVIDIA", "name": parts[0], "driver": parts[1],
                             "total_mib": int(float(parts[2])), "free_mib": int(float(parts[3]))})
            except ValueError:
                continue
    return gpus


def other_gpus() -> list[dict[str, Any]]:
    """Render nodes of other GPUs (Intel/AMD iGPUs, for the Vulkan backend); Linux only."""
    out = []
    for node in sorted(Path("/sys/class/drm").glob("renderD*")):
        vendor_file = node / "device" / "vendor"
        try:
            vendor = vendor_file.read_text().strip()
        except OSError:
            continue
        name = {"0x8086": "Intel", "0x1002": "AMD", "0x10de": "NVIDIA"}.get(vendor, vendor)
        if name != "NVIDIA":
            out.append({"vendor": name, "name": f"{name} GPU ({node.name})"})
    return out


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gpu_reason(gpus: list[dict[str, Any]], layout: cpu_variants.RuntimeLayout | None,
               backend: dict[str, Any] | None, n_gpu_layers_setting: int, notices: list[str],
               auto_layers: int | None) -> str | None:
    """One sentence on why the GPU is not used, or None when it is (or none exists)."""
    if backend and int(backend.get("n_gpu_layers") or 0) > 0:
        return None
    if not gpus:
        return None if layout is None or not layout.gpu_backends else tr("doctor.reason.no_gpu")
    names = ", ".join(g["name"] for g in gpus)
    have = set(layout.gpu_backends) if layout else set()
    if any(g["vendor"] == "NVIDIA" for g in gpus) and "cuda" not in have and "vulkan" not in have:
        return tr("doctor.reason.no_backend", gpu=names, backend="CUDA")
    if not any(g["vendor"] == "NVIDIA" for g in gpus) and "vulkan" not in have:
        return tr("doctor.reason.no_backend", gpu=names, backend="Vulkan")
    if n_gpu_layers_setting == 0:
        return tr("doctor.reason.setting_zero")
    if notices:
        return tr("doctor.reason.fell_back", notice=notices[-1])
    if auto_layers == 0:
        return tr("doctor.reason.vram", gpu=names)
    return tr("doctor.reason.unknown", gpu=names)


def cpu_budget_report() -> dict[str, Any]:
    """The CPUs this process may use and the thread default they give (core.cpu_budget)."""
    cpus = cpu_budget.allowed_cpus()
    return {"allowed_cpus": len(cpus), "physical_cores": cpu_budget.physical_cores(cpus),
            "cgroup_quota": cpu_budget.cgroup_cpu_limit(), "usable_cores": cpu_budget.usable_cores(),
            "default_threads": cpu_budget.default_threads()}


def build_report(spec: ModelSpec | None, *, n_gpu_layers: int = -1, n_threads: int = 0,
                 wait_policy: WaitPolicy = DEFAULT_WAIT_POLICY,
                 n_ctx: int = 4096, probe: bool = True, engine: Any = None,
                 sections: Mapping[str, Callable[[], dict[str, Any]]] | None = None) -> dict[str, Any]:
    """The whole report. ``sections``: parts that layers above llm/ add (``app.diagnostics``
    adds "ocr", the ONNX Runtime provider), so this module never imports those layers."""
    layout = cpu_variants.runtime_layout()
    feats = cpu_variants.cpu_features(layout)
    report: dict[str, Any] = {
        "cpu": {"name": _cpu_name(), "machine": platform.machine(), "os": platform.platform(),
                "features_os_allows": feats.summary(), "amx_advertised": feats.amx_advertised,
                "amx_os_enabled": feats.amx_os_enabled, "budget": cpu_budget_report()},
        "runtime": None, "gpus": nvidia_gpus() + other_gpus(), "model": None, "gpu_reason": None,
        "error": None,
    }
    if layout is not None:
        report["runtime"] = {"lib_dir": str(layout.lib_dir), "cpu_variants": list(layout.cpu_variants),
                             "eligible_variants": cpu_variants.eligible_variants(layout, feats),
                             "gpu_backends": list(layout.gpu_backends), "portable": not layout.monolithic}
    backend = None
    notices: list[str] = []
    auto_layers = None
    if spec is not None:
        model: dict[str, Any] = {"id": spec.id, "label": spec.label(get_language()), "path": str(spec.path)}
        report["model"] = model
        if probe:
            own = engine is None
            eng = engine or RunnerEngine(spec, n_gpu_layers=n_gpu_layers, n_threads=n_threads, n_ctx=n_ctx,
                                         wait_policy=wait_policy)
            try:
                t0 = time.perf_counter()
                load = getattr(eng, "load", None)
                if callable(load):
                    load()
                model["load_seconds"] = round(time.perf_counter() - t0, 2)
                gen = eng.generate(PROBE_PROMPT, GenerationParams(max_tokens=PROBE_TOKENS, temperature=0.0,
                                                                  detect_degenerate=False))
                for _ in gen:
                    pass
                backend = asdict(eng.backend_info())
                model["backend"] = backend
                model["probe_tokens"] = gen.n_tokens
                tps = getattr(gen, "tokens_per_second", None)
                if tps is None:   # engines without the figure (test doubles)
                    tps = gen.n_tokens / gen.seconds if gen.seconds else 0.0
                model["tokens_per_second"] = round(tps, 1)
                config = getattr(eng, "config", None)
                model["runtime_config"] = config.label() if config is not None else None
                opts = getattr(eng, "options", None)
                if opts is not None:
                    model["runtime_options"] = asdict(opts)
                    if opts.gpu_backend and n_gpu_layers < 0:
                        auto_layers = opts.n_gpu_layers     # what free VRAM allowed
                notices = list(getattr(eng, "notices", []))
                model["notices"] = notices
                report["devices"] = eng.info().devices if hasattr(eng, "info") else []
            except GennaiError as exc:
                report["error"] = exc.message()
            finally:
                if own:
                    eng.close()
    report["gpu_reason"] = gpu_reason(report["gpus"], layout, backend, n_gpu_layers, notices, auto_layers)
    for name, fn in (sections or {}).items():
        try:
            report[name] = fn()
        except Exception as exc:  # noqa: BLE001 - one broken section must not hide the rest
            report[name] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
    return report


def exit_status(report: dict[str, Any]) -> int:
    if report.get("error"):
        return EXIT_MODEL
    if report.get("gpu_reason") and report.get("gpus"):
        return EXIT_GPU_UNUSED
    return EXIT_OK


# What the measured speed means for an official's work, for a 10-page document (~10,000
# Japanese characters): 要約 generates about 4 chunks × 300 tokens, 翻訳 about 6,000 English
# tokens. Rough, generation only (reading the prompt is extra): an order of magnitude.
WORK_TOKENS = {"summary": 1200, TRANSLATE: 6000}    # keyed by the tab (ui.tab.<name>)
SLOW_MINUTES = 10          # longer than this for a 10-page document: say it is too slow


def speed_lines(tps: float | None) -> list[str]:
    """「目安: 10ページの要約に約N分、翻訳に約M分」 and, when one of them is over
    SLOW_MINUTES, which task is too slow at this speed and what helps."""
    if not tps or tps <= 0:
        return []
    minutes = {task: max(1, round(n / tps / 60)) for task, n in WORK_TOKENS.items()}
    out = [tr("doctor.speed_estimate", summary=minutes["summary"], translate=minutes[TRANSLATE])]
    slow = [tr(f"ui.tab.{task}") for task, m in minutes.items() if m > SLOW_MINUTES]
    if slow:
        out.append(tr("doctor.speed_too_slow", tasks=("・" if get_language() == "ja" else " and ").join(slow),
                      minutes=SLOW_MINUTES))
    return out


def format_report(r: dict[str, Any]) -> str:
    t = tr
    lines = [t("doctor.h.cpu"), f"  {r['cpu']['name']} ({r['cpu']['machine']}, {r['cpu']['os']})",
             "  " + t("doctor.features", features=" ".join(r["cpu"]["features_os_allows"]) or "-")]
    budget = r["cpu"].get("budget")
    if budget:
        quota = budget["cgroup_quota"]
        lines.append("  " + t("doctor.cpu_budget", cpus=budget["allowed_cpus"], cores=budget["physical_cores"],
                               quota=f"{quota:g}" if quota is not None else t("doctor.none"),
                               usable=budget["usable_cores"], default=budget["default_threads"]))
    amx = r["cpu"]
    if amx["amx_advertised"] and not amx["amx_os_enabled"]:
        lines.append("  " + t("doctor.amx_not_enabled"))
    elif amx["amx_os_enabled"]:
        lines.append("  " + t("doctor.amx_enabled"))
    rt = r.get("runtime")
    lines.append(t("doctor.h.runtime"))
    if rt is None:
        lines.append("  " + t("doctor.no_runtime"))
    else:
        lines.append("  " + t("doctor.variants", variants=" ".join(rt["cpu_variants"]) or "builtin",
                               eligible=" ".join(rt["eligible_variants"]) or "-"))
        lines.append("  " + t("doctor.gpu_backends", backends=" ".join(rt["gpu_backends"]) or t("doctor.none")))
    lines.append(t("doctor.h.gpus"))
    if not r["gpus"]:
        lines.append("  " + t("doctor.none"))
    for g in r["gpus"]:
        mem = f", {g['free_mib']}/{g['total_mib']} MiB" if "total_mib" in g else ""
        drv = f", driver {g['driver']}" if g.get("driver") else ""
        lines.append(f"  {g['name']}{drv}{mem}")
    m = r.get("model")
    lines.append(t("doctor.h.model"))
    if m is None:
        lines.append("  " + t("doctor.none"))
    else:
        lines.append(f"  {m['label']}")
        b = m.get("backend")
        if b:
            lines.append("  " + t("doctor.backend", backend=b["backend"], layers=b["n_gpu_layers"],
                                   n_layers=b["n_layers"], variant=b.get("cpu_variant") or "-",
                                   threads=b["n_threads"]))
            lines.append("  " + t("doctor.threads", threads=b["n_threads"],
                                   policy=t("doctor.wait." + (b.get("wait_policy") or "system"))))
            lines.append("  " + t("doctor.probe", tps=m["tokens_per_second"], n=m["probe_tokens"],
                                   load=m["load_seconds"]))
            lines += ["  " + line for line in speed_lines(m.get("tokens_per_second"))]
        for n in m.get("notices") or []:
            lines.append("  " + n)
    ocr = r.get("ocr")
    if ocr:
        lines.append(t("doctor.h.ocr"))
        if ocr.get("available"):
            lines.append("  " + t("doctor.ocr", version=ocr.get("onnxruntime"), provider=ocr.get("provider"),
                                   providers=" ".join(ocr.get("providers") or [])))
        else:
            lines.append("  " + t("doctor.ocr_unavailable"))
    box = r.get("sandbox")
    if box and "seccomp" in box:
        lines.append(t("doctor.h.sandbox"))
        yes, no = t("doctor.sandbox.on"), t("doctor.sandbox.off")
        detail = f"（{box['detail']}）" if box.get("detail") else ""
        lines.append("  " + t("doctor.sandbox", seccomp=yes if box["seccomp"] else no,
                               netns=yes if box["netns"] else no) + detail)
    asr = r.get("asr")
    if asr:
        lines.append(t("doctor.h.asr"))
        if asr.get("available"):
            lines.append("  " + t("doctor.asr", label=asr.get("label"), id=asr.get("id"), licence=asr.get("licence"),
                                   ct2=asr.get("ctranslate2"), fw=asr.get("faster_whisper"), av=asr.get("av")))
            sp = asr.get("speed")
            if sp:
                lines.append("  " + t("doctor.asr_speed", load=sp["load_seconds"], audio=sp["audio_seconds"],
                                       seconds=sp["seconds"], rtf=sp["real_time_factor"]))
        if asr.get("error"):
            lines.append("  " + t("doctor.asr_unavailable", error=asr["error"]))
    if r.get("error"):
        lines.append(t("doctor.error", error=r["error"]))
    if r.get("gpu_reason"):
        lines.append(t("doctor.gpu_not_used", reason=r["gpu_reason"]))
    return "\n".join(lines)
