"""The signed pack route for speech models (kind "asr"), proven with a test-signed tiny
Whisper: built by the admin step, signed by its vendor through the same TUF chain, installed
from a USB-style folder, picked by app.speech and run by the real ASR child — and refused
whenever the archive, a file in it or the installed copy differs from what was signed."""
from __future__ import annotations

import io
import json
import tarfile

import numpy as np
import pytest

from gennai_desktop.app.speech import active_asr_model
from gennai_desktop.core.errors import SecurityError
from gennai_desktop.core.events import drain
from gennai_desktop.packs import store
from gennai_desktop.packs.asr import build_asr_pack, installed_asr_models, parse_asr_manifest
from gennai_desktop.packs.errors import PackError
from gennai_desktop.tasks.transcribe import transcribe
from tests.asr.conftest import write_wav
from tests.support.tiny_whisper import make_tiny_whisper

from .helpers import update

FIELDS = {"id": "acme-whisper", "version": "1.0", "vendor": "acme", "name_ja": "テスト用 Whisper",
          "name_en": "Test Whisper", "licence": "MIT", "domestic": True, "languages": ["ja"]}


@pytest.fixture
def tiny_pack(tmp_path, asr_model):
    model = make_tiny_whisper(tmp_path / "tiny", asr_model.path)
    out = tmp_path / "pack"
    build_asr_pack(model, out, FIELDS)
    return out


def test_a_signed_tiny_whisper_installs_and_transcribes(world, tiny_pack, tmp_path):
    manifest = world.repo.add_pack(tiny_pack)
    assert manifest.kind == "asr"
    index = world.repo.index()
    assert {"kind": "asr", "id": "acme-whisper"}.items() <= next(p for p in index["packs"]).items()
    report = update(world.bundle("usb"), pack_ids=["acme-whisper"])
    assert report.installed == [("acme-whisper", "1.0")]
    assert store.installed_ids() == [] and store.installed_ids("asr") == ["acme-whisper"]   # never an LLM
    [model] = installed_asr_models()
    assert model.id == "acme-whisper" and model.vendor == "acme"
    assert active_asr_model().id == "acme-whisper"            # the only pack, so it is the one used
    model.check()
    wav = write_wav(tmp_path / "a.wav", (0.2 * np.sin(np.arange(16_000 * 3) / 5)).astype(np.float32))
    t = drain(transcribe(wav, model))
    assert t.model_id == "acme-whisper" and t.duration == pytest.approx(3.0, abs=0.1)


def test_an_installed_file_changed_later_is_refused_before_use(world, tiny_pack):
    world.repo.add_pack(tiny_pack)
    update(world.bundle("usb"), pack_ids=["acme-whisper"])
    [model] = installed_asr_models()
    with open(model.path / "model.bin", "r+b") as fh:
        fh.seek(100)
        b = fh.read(1)
        fh.seek(100)
        fh.write(bytes([b[0] ^ 1]))
    with pytest.raises(SecurityError) as err:
        model.check()
    assert err.value.key == "asr.model.changed"


def test_the_manifest_must_pin_the_tokenizer(tiny_pack):
    data = json.loads((tiny_pack / "manifest.json").read_text(encoding="utf-8"))
    del data["files"]["tokenizer.json"]     # without it faster-whisper would go online
    with pytest.raises(SecurityError) as err:
        parse_asr_manifest(json.dumps(data).encode())
    assert "tokenizer.json" in err.value.params["reason"]


def _retar(pack, members):
    """Rewrite model.tar with ``members`` and re-pin only the archive (as a rogue vendor would)."""
    import hashlib
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    raw = buf.getvalue()
    (pack / "model.tar").write_bytes(raw)
    m = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    m["archive"] = {"filename": "model.tar", "size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    (pack / "manifest.json").write_text(json.dumps(m), encoding="utf-8")


def _members(pack):
    with tarfile.open(pack / "model.tar") as tar:
        return [(m, tar.extractfile(m).read()) for m in tar.getmembers()]


def test_an_archive_with_a_link_or_an_extra_file_is_never_signed(world, tiny_pack):
    members = _members(tiny_pack)
    link = tarfile.TarInfo("config.json")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    _retar(tiny_pack, [m for m in members if m[0].name != "config.json"] + [(link, None)])
    with pytest.raises(PackError) as err:
        world.repo.add_pack(tiny_pack)
    assert err.value.key == "packs.error.asr_archive" and "not a regular file" in err.value.params["reason"]
    extra = tarfile.TarInfo("../evil.py")
    extra.size = 4
    _retar(tiny_pack, _members_clean(members) + [(extra, b"boom")])
    with pytest.raises(PackError) as err:
        world.repo.add_pack(tiny_pack)
    assert "not in the manifest" in err.value.params["reason"]


def _members_clean(members):
    return [m for m in members if m[0].isreg()]


def test_a_file_changed_inside_a_repinned_archive_is_refused(world, tiny_pack):
    members = _members(tiny_pack)
    changed = [(i, (d[:-1] + bytes([d[-1] ^ 1])) if i.name == "config.json" else d) for i, d in members]
    _retar(tiny_pack, changed)
    with pytest.raises(PackError) as err:
        world.repo.add_pack(tiny_pack)
    assert "sha256 differs" in err.value.params["reason"]
    for lang in ("ja", "en"):
        assert not err.value.message(lang).startswith("packs.")


def test_the_asr_draft_builds_with_the_admin_command(tmp_path, asr_model, capsys):  # noqa: F811
    from pathlib import Path

    from gennai_desktop.cli.admin import main as admin
    draft = Path(__file__).resolve().parents[2] / "models" / "kotoba-whisper-v2-0.asr-draft.json"
    model = make_tiny_whisper(tmp_path / "tiny", asr_model.path)
    rc = admin(["build-asr-pack", "--model-dir", str(model), "--out", str(tmp_path / "p"), "--fields", str(draft)])
    assert rc == 0, capsys.readouterr().err
    m = parse_asr_manifest((tmp_path / "p" / "manifest.json").read_bytes())
    assert (m.id, m.vendor, m.domestic, m.engine) == ("kotoba-whisper-v2-0", "kotoba-tech", True, "ctranslate2-whisper")
    assert set(m.files) >= {"model.bin", "config.json", "tokenizer.json"}
