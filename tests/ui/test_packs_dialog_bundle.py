"""Pack manager on a real signed USB bundle: the ministry's required pack is installed and
listed as verified; a bundle with one changed GGUF byte is refused with a Japanese message
and the table stays as it was. Repository, tiny GGUFs and trust root come from tests/packs."""
from __future__ import annotations

import re

import pytest

from gennai_desktop.core.i18n import tr
from gennai_desktop.packs.errors import PackError
from gennai_desktop.ui.qt import QMessageBox
from tests.packs.conftest import make_world
from tests.packs.helpers import flip_byte


def _table(dlg) -> list[list[str]]:
    t = dlg.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def _run(qtbot, dlg, folder) -> None:
    assert dlg.update_from_folder(str(folder))
    qtbot.waitUntil(lambda: dlg.worker is None, timeout=60000)


@pytest.fixture
def dialog(qtbot, window):
    from gennai_desktop.ui.packs_dialog import PacksDialog
    dlg = PacksDialog(window.settings, window)
    qtbot.addWidget(dlg)
    return dlg


def test_update_from_signed_bundle_installs_and_tampered_bundle_is_refused(qtbot, dialog, tmp_path):
    world = make_world(tmp_path)                    # signing repo + client trust root installed
    world.publish("acme-tiny", "1.0")
    world.repo.set_policy({"allowed_packs": ["acme-tiny"], "required_packs": ["acme-tiny"]})
    world.repo.publish()
    before = _table(dialog)
    assert not any(r.id == "acme-tiny" for r in dialog.rows)

    _run(qtbot, dialog, world.bundle("usb1"))
    assert dialog.last_error is None, repr(dialog.last_error)
    row = next(i for i, r in enumerate(dialog.rows) if r.id == "acme-tiny")
    p = dialog.rows[row]
    assert (p.status, p.version, p.vendor, p.signed_by) == ("verified", "1.0", "acme", "vendor-acme")
    cells = _table(dialog)[row]
    assert cells[1] == "1.0" and cells[5] == tr("ui.packs.status.verified", lang="ja")
    assert len(_table(dialog)) == len(before) + 1
    installed = _table(dialog)

    world.publish("acme-tiny", "1.1")
    usb2 = world.bundle("usb2")
    flip_byte(usb2 / "targets/vendors/acme/acme-tiny/1.1/model.gguf")
    _run(qtbot, dialog, usb2)
    err = dialog.last_error
    assert isinstance(err, PackError) and err.key == "packs.error.hash_mismatch", repr(err)
    assert dialog.status.text() == str(err)
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", str(err)) and "packs." not in str(err)
    boxes = [w for w in dialog.findChildren(QMessageBox) if w.isVisible()]
    assert boxes and any(str(err) in (b.text() + b.informativeText()) for b in boxes)
    assert _table(dialog) == installed               # still 1.0 and verified
    for b in boxes:
        b.close()


def test_verify_all_says_how_many_were_checked_and_which_failed(qtbot, dialog, tmp_path):
    """すべて検証 (issue 25 item 10) answered only 「完了しました。」 whatever it found."""
    from gennai_desktop.packs import store
    world = make_world(tmp_path)
    world.publish("acme-tiny", "1.0")
    world.repo.set_policy({"allowed_packs": ["acme-tiny"], "required_packs": ["acme-tiny"]})
    world.repo.publish()
    _run(qtbot, dialog, world.bundle("usb1"))
    assert dialog.last_error is None, repr(dialog.last_error)

    assert dialog.verify_all()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=60000)
    assert dialog.status.text() == "すべて検証しました: 1 件中 1 件が正常、0 件に問題があります。"

    flip_byte(store.active_installed("acme-tiny").gguf_path)
    assert dialog.verify_all()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=60000)
    text = dialog.status.text()
    assert text.startswith("すべて検証しました: 1 件中 0 件が正常、1 件に問題があります。"), text
    assert "acme-tiny" in text and tr("ui.packs.status.modified", lang="ja") in text
