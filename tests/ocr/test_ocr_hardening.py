"""OCR findings of the hardening round: TIFF frames counted with a bound before anything is
decoded (Pillow's ``n_frames`` is quadratic: 200,000 chained frames burned ~280 s of CPU), and
a CPU allowance that starts small until the pages are counted (it used to be ~20 h)."""
from __future__ import annotations

from PIL import Image, TiffImagePlugin

from gennai_desktop.core import sandbox
from gennai_desktop.core.errors import DocumentError
from gennai_desktop.ocr import ocr_worker
from gennai_desktop.ocr.limits import OcrLimits
from gennai_desktop.ocr.runner import run_ocr

import pytest


@pytest.fixture
def many_frames(tmp_path):
    frames = [Image.new("1", (8, 8), 1) for _ in range(2000)]
    path = tmp_path / "chained.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


def test_frames_are_counted_one_by_one_and_only_up_to_the_cap(many_frames, monkeypatch):
    sought: list[int] = []
    real = TiffImagePlugin.TiffImageFile.seek

    def spy(self, frame):
        sought.append(frame)
        return real(self, frame)

    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "seek", spy)
    spec = {"path": str(many_frames), "max_pixels": 64_000_000, "max_frames": 500, "max_pages": 300}
    with pytest.raises(ocr_worker.Refused) as info:
        ocr_worker._image_pages(spec)
    assert info.value.kind == "too_large" and "500" in info.value.reason
    assert max(sought) <= 501                     # never walked to frame 2,000 (n_frames did)
    assert ocr_worker.count_frames(Image.open(many_frames), 5000) == 2000


def test_a_tiff_with_too_many_frames_is_refused_by_the_child(many_frames):
    with pytest.raises(DocumentError) as info:
        run_ocr(many_frames, "image", limits=OcrLimits(max_frames=500))
    assert info.value.key == "ocr.error.image_too_large"


def test_the_cpu_allowance_starts_at_one_page_until_the_pages_are_counted(monkeypatch, tmp_path):
    seen: list[sandbox.Limits] = []

    class Stop(Exception):
        pass

    def fake_child(name, request, limits, errors, **kw):
        seen.append(limits)
        raise Stop()

    monkeypatch.setattr(sandbox, "Child", fake_child)
    lim = OcrLimits()
    with pytest.raises(Stop):
        run_ocr(tmp_path / "fax.tif", "image", limits=lim)
    first = seen[0]
    assert first.cpu_seconds == lim.cpu_seconds_base + lim.cpu_seconds_per_page          # 5 min, not ~20 h
    assert first.cpu_ceiling == lim.cpu_seconds_base + lim.cpu_seconds_per_page * lim.max_pages
    with pytest.raises(Stop):
        run_ocr(tmp_path / "scan.pdf", "pdf", pages=[0, 1, 2], limits=lim)
    assert seen[1].cpu_seconds == lim.cpu_seconds_base + lim.cpu_seconds_per_page * 3    # pages known
