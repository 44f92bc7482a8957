"""The offline bundle carries the speech model like the GGUF: every file signed in the
bundle manifest, installed under models/, and the installed app pointed at it."""
from __future__ import annotations

import os

import pytest

from gennai_desktop.core import frozen
from gennai_desktop.packs import offline_bundle as ob

from .test_offline_bundle import _fake_app, _root_sha, _targets_signers


@pytest.fixture
def asr_bundle(world, tmp_path):
    asr = tmp_path / "whisper-base-ct2"
    asr.mkdir()
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        (asr / name).write_bytes(os.urandom(2000))
    out = tmp_path / "bundle"
    ob.assemble_bundle(out, app=_fake_app(tmp_path), model=None, asr_model=asr, repo_dir=world.repo.folder,
                       signers=_targets_signers(world), version=7, app_version="0.1.0")
    return out, asr


def test_the_speech_model_is_installed_and_used_by_the_installed_app(asr_bundle, tmp_path, monkeypatch):
    bundle, src = asr_bundle
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    rec = ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    dest = prefix / "models" / "whisper-base-ct2"
    assert rec["asr_model"] == str(dest)
    for f in src.iterdir():
        assert (dest / f.name).read_bytes() == f.read_bytes()
    for var in ("GENNAI_ASR_MODEL", "GENNAI_BUNDLED_MODEL"):   # restored (absent) after the test
        monkeypatch.setenv(var, "")
        monkeypatch.delenv(var)
    frozen.apply_install_record(prefix)
    assert os.environ["GENNAI_ASR_MODEL"] == str(dest)


def test_a_changed_speech_model_file_refuses_the_bundle(asr_bundle, tmp_path):
    bundle, _ = asr_bundle
    p = bundle / "models" / "whisper-base-ct2" / "tokenizer.json"
    p.write_bytes(b"x" + p.read_bytes()[1:])
    with pytest.raises(ob.OfflineBundleError):
        ob.install_bundle(bundle, prefix=tmp_path / "opt", machine=tmp_path / "etc", root_sha256=_root_sha(bundle))
    assert not (tmp_path / "opt" / "models").exists()
