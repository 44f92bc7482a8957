"""Clear store errors (hardening round 3): a tampered key.json, a flipped page, a damaged
header and a 0-byte database each give their own message — never "internal error", never
"wrong passphrase" for a damaged file, never a silently empty history."""
from __future__ import annotations

import json

import pytest

from gennai_desktop.cli import main as gennai
from gennai_desktop.storage import StoreUnavailable, open_store, store_dir
from gennai_desktop.storage.keys import META_NAME
from gennai_desktop.storage.store import DB_NAME


@pytest.fixture
def store_with_history():
    st = open_store()
    for i in range(40):
        st.add_result("summarize", f"要約その{i}。" * 200, title=f"doc{i}.pdf")
    st.close()
    return store_dir()


def _opened_key() -> str:
    with pytest.raises(StoreUnavailable) as info:
        st = open_store()
        try:
            st.list_results()
            st.search_results("要約")
        finally:
            st.close()
    return info.value.key


@pytest.mark.parametrize("edit", [
    lambda m: m.pop("kdf"),
    lambda m: m["kdf"].update(salt="zz-not-hex"),
    lambda m: m["kdf"].update(n="lots"),
    lambda m: m["kdf"].update(n=2 ** 40),
], ids=["no-kdf", "bad-salt", "bad-cost", "huge-cost"])
def test_a_tampered_key_json_is_reported_as_such(store_with_history, edit, capsys):
    meta_path = store_with_history / META_NAME
    meta = json.loads(meta_path.read_text())
    edit(meta)
    meta_path.write_text(json.dumps(meta))
    assert _opened_key() == "storage.error.meta_broken"
    assert gennai(["history", "list"]) == 7
    assert "key.json" in capsys.readouterr().err


def test_a_flipped_page_is_a_damaged_store_not_an_internal_error(store_with_history, capsys):
    db = store_with_history / DB_NAME
    data = bytearray(db.read_bytes())
    data[len(data) // 2] ^= 0xFF                      # one bit in a page in the middle
    db.write_bytes(bytes(data))
    assert _opened_key() == "storage.error.corrupt"
    assert gennai(["history", "search", "要約"]) == 7
    err = capsys.readouterr().err
    assert "壊れている" in err and "内部エラー" not in err


def test_a_damaged_header_is_not_called_a_wrong_passphrase(store_with_history, monkeypatch):
    db = store_with_history / DB_NAME
    data = bytearray(db.read_bytes())
    data[0:16] = bytes(16)                             # the salt/header page start
    db.write_bytes(bytes(data))
    assert _opened_key() == "storage.error.corrupt"
    monkeypatch.setenv("GENNAI_STORE_PASSPHRASE", "a-different-passphrase")
    assert _opened_key() == "storage.error.wrong_key"  # a wrong passphrase is still told as such


def test_a_zero_byte_database_is_not_a_silently_empty_history(store_with_history, capsys):
    (store_with_history / DB_NAME).write_bytes(b"")
    assert _opened_key() == "storage.error.corrupt"
    assert gennai(["history", "list"]) == 7
    assert gennai(["history", "delete", "--all"]) == 0          # the way out the message names
    st = open_store()
    assert st.count_results() == 0
    st.close()


def test_an_older_store_gets_its_check_value_on_first_open(store_with_history):
    meta_path = store_with_history / META_NAME
    meta = json.loads(meta_path.read_text())
    check = meta.pop("check")
    meta_path.write_text(json.dumps(meta))
    open_store().close()
    assert json.loads(meta_path.read_text())["check"] == check
