"""Child process that renders/decodes page images and OCRs them under hard resource limits.

Like documents/pdf_worker.py it runs as a sandboxed child ("ocr", ``core/sandbox.py``):
RLIMIT_AS / RLIMIT_CPU and no network are set before pdfium, Pillow or ONNX Runtime touch
the file (ONNX Runtime's telemetry is off by its variable and could not reach the network
anyway); the parent adds a wall-clock timeout and can kill us between pages (cancel). The
CPU allowance starts at the base plus one page and is raised (never past the parent's
ceiling) once the pages are counted — frames of a TIFF are counted one by one up to the
cap, never through Pillow's ``n_frames`` (quadratic on a chained file). It imports only the
standard library, numpy, Pillow, pypdfium2 and gennai_desktop.ocr.engine. Input: the request
(path, pages, limits) over the pipe. Output: JSON lines on stdout, one event each, flushed
at once:

  {"event": "start", "pages": N, "provider": "CPUExecutionProvider"}
  {"event": "page", "index": i, "dpi": d, "w": px, "h": px, "rotation": r, "skew": s,
   "lines": [[text, x0, y0, x1, y1, confidence, vertical, [char confidences]], ...]}
  {"event": "error", "error": "too_large|corrupt|limits|failed", "reason": "..."}
  {"event": "info", ...}   (request {"kind": "info"}: ``engine.provider_info()`` for gennai doctor)
  {"event": "done"}

Pixel boxes are in the coordinates of the page image after the rotation/skew correction.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from typing import Any

from ..core.sandbox import set_limits


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


class Refused(Exception):
    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


def _pdf_pages(spec: dict[str, Any]) -> tuple[int, Iterator[tuple[int, Any, float]]]:
    import pypdfium2 as pdfium
    try:
        pdf = pdfium.PdfDocument(spec["path"])
    except pdfium.PdfiumError as exc:
        raise Refused("corrupt", str(exc)) from exc
    indices = [i for i in spec.get("pages") or range(len(pdf)) if 0 <= i < len(pdf)]
    indices = indices[: spec["max_pages"]]

    def gen() -> Iterator[tuple[int, Any, float]]:
        for i in indices:
            page = pdf[i]
            w, h = page.get_size()
            dpi = float(spec["dpi"])
            if w * h * (dpi / 72) ** 2 > spec["max_pixels"]:   # a huge page: lower the dpi
                dpi = 72 * (spec["max_pixels"] / max(1.0, w * h)) ** 0.5
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            img = bitmap.to_pil()
            page.close()
            yield i, img, dpi
    return len(indices), gen()


def _image_pages(spec: dict[str, Any]) -> tuple[int, Iterator[tuple[int, Any, float]]]:
    from PIL import Image, ImageOps
    Image.MAX_IMAGE_PIXELS = spec["max_pixels"]     # Pillow raises DecompressionBombError above 2×
    try:
        im = Image.open(spec["path"])
    except Image.DecompressionBombError as exc:
        raise Refused("too_large", str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - UnidentifiedImageError, OSError, SyntaxError...
        raise Refused("corrupt", f"{type(exc).__name__}: {exc}") from exc
    frames = count_frames(im, spec["max_frames"])
    if frames > spec["max_frames"]:
        raise Refused("too_large", f"more than {spec['max_frames']} frames")
    n = min(frames, spec["max_pages"])
    w, h = im.size
    if w * h > spec["max_pixels"] or w <= 0 or h <= 0:   # before the models are even loaded
        raise Refused("too_large", f"{w}×{h} px")

    def gen() -> Iterator[tuple[int, Any, float]]:
        for i in range(n):
            im.seek(i)
            w, h = im.size    # from the header: checked before a single pixel is decoded
            if w * h > spec["max_pixels"] or w <= 0 or h <= 0:
                raise Refused("too_large", f"{w}×{h} px")
            xdpi, ydpi = _dpi(im.info.get("dpi"))
            try:
                frame = ImageOps.exif_transpose(im) if i == 0 else im
                frame = frame.convert("L")          # the pixels are decoded here
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise Refused("corrupt", f"{type(exc).__name__}: {exc}") from exc
            dpi = max(xdpi, ydpi)
            if abs(xdpi - ydpi) > 1:   # FAX: 204×196 ("fine") or 204×98 ("normal"): square pixels
                frame = frame.resize((max(1, round(frame.width * dpi / xdpi)),
                                      max(1, round(frame.height * dpi / ydpi))))
            yield i, frame, dpi
    return n, gen()


def count_frames(im: Any, cap: int) -> int:
    """Frames of ``im``, counted by seeking one at a time and stopping past ``cap`` (returns
    cap + 1 then). Pillow's ``n_frames`` walks every frame with a linear loop check each
    step: 200,000 chained TIFF frames cost ~280 s of CPU before any cap could apply."""
    if not getattr(im, "is_animated", False):
        return 1
    n = 1
    try:
        while n <= cap:
            im.seek(n)
            n += 1
    except EOFError:
        pass
    finally:
        im.seek(0)
    return n


def _dpi(info: Any) -> tuple[float, float]:
    """(x, y) resolution from Pillow's "dpi" info; 200 where missing or implausible."""
    def ok(v: Any) -> float:
        try:
            f = float(v)
        except (TypeError, ValueError):
            return 200.0
        return f if 50 <= f <= 1200 else 200.0
    if isinstance(info, (tuple, list)) and len(info) >= 2:
        return ok(info[0]), ok(info[1])
    return 200.0, 200.0


def _run(spec: dict[str, Any]) -> None:
    if spec.get("kind") == "info":       # gennai doctor: what ONNX Runtime offers, asked in here
        from gennai_desktop.ocr.engine import provider_info  # lazy: onnxruntime loads only after the limits are set
        _emit({"event": "info", **provider_info()})
        _emit({"event": "done"})
        return
    count, pages = (_pdf_pages if spec["kind"] == "pdf" else _image_pages)(spec)
    if spec.get("cpu_per_page"):   # now that the page count is known: the CPU cap for that many
        cpu = int(spec["cpu_base"]) + int(spec["cpu_per_page"]) * max(1, count)
        set_limits(0, cpu, cpu)
    import numpy as np

    from gennai_desktop.ocr.engine import OcrEngine  # lazy: onnxruntime loads only after the limits are set
    engine = OcrEngine(threads=spec.get("threads") or None, japanese_only=spec.get("japanese_only", True))
    _emit({"event": "start", "pages": count, "provider": engine.provider})
    for index, img, dpi in pages:
        g = np.asarray(img.convert("L"))
        if g.size == 0 or float((g < 128).mean()) < 0.0005:   # blank page: nothing to read
            if spec.get("save_pages"):
                img.convert("L").save(os.path.join(spec["save_pages"], f"page-{index:05d}.jpg"),
                                      "JPEG", quality=80)
            _emit({"event": "page", "index": index, "dpi": dpi, "w": img.width, "h": img.height,
                   "rotation": 0, "skew": 0.0, "lines": []})
            continue
        res = engine.read(img)
        if spec.get("save_pages"):   # for a searchable PDF: the page as it was read
            from PIL import Image
            Image.fromarray(res["image"]).convert("L").save(
                os.path.join(spec["save_pages"], f"page-{index:05d}.jpg"), "JPEG", quality=80)
        lines = [[ln.text, *(round(v, 1) for v in ln.box), round(ln.confidence, 4), int(ln.vertical),
                  [round(c, 3) for c in ln.char_conf]] for ln in res["lines"]]
        _emit({"event": "page", "index": index, "dpi": dpi, "w": res["width"], "h": res["height"],
               "rotation": res["rotation"], "skew": res["skew"], "lines": lines})
    _emit({"event": "done"})


def main(spec: dict[str, Any]) -> int:
    """The child's work, inside the sandbox (``entry._ocr``): OCR ``spec["path"]``."""
    try:
        _run(spec)
    except Refused as exc:
        _emit({"event": "error", "error": exc.kind, "reason": exc.reason[:300]})
    except MemoryError:
        _emit({"event": "error", "error": "limits", "reason": "memory limit"})
    except Exception as exc:  # noqa: BLE001 - everything becomes a structured answer
        name = type(exc).__name__
        text = str(exc)
        if name == "DecompressionBombError":
            kind = "too_large"
        elif "bad_alloc" in text or "Failed to allocate" in text or "Cannot allocate memory" in text:
            kind = "limits"     # ONNX Runtime hitting RLIMIT_AS reports it as a RuntimeException
        else:
            kind = "failed"
        _emit({"event": "error", "error": kind, "reason": f"{name}: {exc}"[:300]})
    sys.stdout.buffer.flush()
    os._exit(0)
