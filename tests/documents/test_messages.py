"""Every message key the documents package can raise exists in Japanese and English."""
from __future__ import annotations

import json
import re

from gennai_desktop.core.paths import resources_dir
from tests.conftest import REPO


def test_all_keys_used_in_code_are_translated():
    catalog: dict[str, dict[str, str]] = {"ja": {}, "en": {}}
    # documents.json, plus hardening_io.json where the issue-9 reader messages live
    for name in ("documents.json", "hardening_io.json"):
        part = json.loads((resources_dir() / "i18n" / name).read_text(encoding="utf-8"))
        for lang in catalog:
            catalog[lang].update({k: v for k, v in part.get(lang, {}).items() if k.startswith("documents.")})
    used = set()
    for path in (REPO / "gennai_desktop" / "documents").glob("*.py"):
        used |= set(re.findall(r'"(documents\.(?:error|warning)\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert len(used) >= 15
    for key in used:
        assert key in catalog["ja"] and key in catalog["en"], key
    assert set(catalog["ja"]) == set(catalog["en"])
