"""Hardening (issue 9): gennai-admin runs the app's template check and refuses to build or
sign a pack whose chat template would hang or blow up the app."""
from __future__ import annotations

import json

import pytest

from gennai_desktop.core.i18n import tr
from gennai_desktop.cli import admin as admin_cli
from gennai_desktop.packs.errors import PackError
from gennai_desktop.packs.manifest import template_sha256
from tests.llm.test_template_budget import NESTED
from tests.support.tiny_gguf import make_tiny_gguf


def test_gennai_admin_refuses_to_build_or_sign_a_bad_template(world, tmp_path, capsys):
    bad = tmp_path / "bad.jinja"
    bad.write_text(NESTED, encoding="utf-8")
    gguf = make_tiny_gguf(tmp_path / "m.gguf")
    rc = admin_cli.main(["--lang", "en", "build-pack", "--gguf", str(gguf), "--out", str(tmp_path / "p"),
                         "--id", "acme-tiny", "--version", "1.0", "--vendor", "acme", "--name-ja", "試験",
                         "--name-en", "t", "--licence", "MIT", "--domestic", "--instruction-tuned",
                         "--chat-template", str(bad)])
    assert rc != 0 and "template" in capsys.readouterr().err
    assert not (tmp_path / "p" / "manifest.json").exists()
    # a pack folder made by hand (not with build-pack) is refused by add-pack too
    good = world.build("acme-tiny", "1.0")
    m = json.loads((good / "manifest.json").read_text(encoding="utf-8"))
    m.update(chat_template=NESTED, chat_template_sha256=template_sha256(NESTED), prompt_style="chat")
    (good / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(PackError) as ei:
        world.repo.add_pack(good)
    assert ei.value.key == "hardening.admin.template_rejected"
    assert tr(ei.value.key, "ja") != ei.value.key
