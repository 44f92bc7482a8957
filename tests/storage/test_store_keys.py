"""The encrypted store and its key: wrong key refused, no keyring → passphrase or off (never
plaintext), keyring path stores a random 32-byte key, deletion is real."""
from __future__ import annotations

import sqlite3
import stat

import pytest

from gennai_desktop.storage import DB_NAME, StoreUnavailable, open_store, store_dir
from gennai_desktop.storage import keys as K

MARK = "機密マーカー・ＺＱ７４１"


class MemoryKeyring:
    """An in-memory keyring backend standing in for Credential Manager / Keychain."""

    priority = 10

    def __init__(self) -> None:
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, user):
        return self.secrets.get((service, user))

    def set_password(self, service, user, password):
        self.secrets[(service, user)] = password

    def delete_password(self, service, user):
        self.secrets.pop((service, user), None)


@pytest.fixture
def mem_keyring(monkeypatch):
    kr = MemoryKeyring()
    monkeypatch.delenv(K.ENV_PASSPHRASE, raising=False)
    monkeypatch.setattr(K, "_keyring", lambda: kr)
    return kr


@pytest.fixture
def no_keyring(monkeypatch):
    """Like headless Linux: keyring's chosen backend is keyring.backends.fail."""
    import keyring
    from keyring.backends import fail
    monkeypatch.delenv(K.ENV_PASSPHRASE, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_store_round_trip_and_file_is_encrypted_and_private():
    s = open_store()
    rid = s.add_result("summarize", f"本文 {MARK}", source_name="a.docx", source_sha256="ab" * 32, source_size=10)
    assert s.get_result(rid).text.endswith(MARK)
    assert [e.id for e in s.search_results("ＺＱ７４１")] == [rid]
    s.put_blob("ask-index", "doc1", MARK.encode("utf-8"))
    assert s.get_blob("ask-index", "doc1") == MARK.encode("utf-8")
    s.close()
    db = store_dir() / DB_NAME
    raw = db.read_bytes()
    assert MARK.encode("utf-8") not in raw and not raw.startswith(b"SQLite format 3")
    with pytest.raises(sqlite3.DatabaseError):                       # plain sqlite cannot read it
        sqlite3.connect(db).execute("SELECT * FROM results").fetchall()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(store_dir().stat().st_mode) == 0o700
    s = open_store()
    assert s.pragma("secure_delete") == 1 and s.pragma("temp_store") == 2     # 2 = MEMORY
    assert s.pragma("cipher_version").startswith("4.")


def test_wrong_passphrase_cannot_open(monkeypatch):
    open_store().add_result("draft", MARK)
    monkeypatch.setenv(K.ENV_PASSPHRASE, "a-different-passphrase")
    K._derived.clear()
    with pytest.raises(StoreUnavailable) as exc:
        open_store()
    assert exc.value.key == "storage.error.wrong_key"
    assert "パスフレーズまたは鍵が違います" in exc.value.message("ja")


def test_wrong_raw_key_is_not_a_database():
    import sqlcipher3
    open_store().add_result("draft", MARK)
    db = sqlcipher3.connect(str(store_dir() / DB_NAME))
    db.execute("PRAGMA key = \"x'" + "00" * 32 + "'\"")
    with pytest.raises(sqlcipher3.DatabaseError, match="file is not a database"):
        db.execute("SELECT count(*) FROM sqlite_master").fetchall()


def test_keyring_holds_a_random_32_byte_key(mem_keyring):
    s = open_store()
    s.add_result("translate", MARK)
    s.close()
    (hexkey,) = mem_keyring.secrets.values()
    assert len(bytes.fromhex(hexkey)) == 32
    meta = (store_dir() / "key.json").read_text(encoding="utf-8")
    assert hexkey not in meta and '"keyring"' in meta
    assert open_store().count_results() == 1                 # reopened with the same key
    mem_keyring.secrets.clear()                              # key deleted from the keyring
    with pytest.raises(StoreUnavailable) as exc:
        open_store()
    assert exc.value.key == "storage.error.key_lost"


def test_no_keyring_no_passphrase_means_off_never_plaintext(no_keyring):
    assert not K.keyring_available()
    with pytest.raises(StoreUnavailable) as exc:
        open_store()
    assert exc.value.key == "storage.error.no_keyring"
    assert "平文では保存しない" in exc.value.message("ja")
    assert not (store_dir() / DB_NAME).exists() and not (store_dir() / "key.json").exists()
    assert K.needs_passphrase(store_dir())


def test_no_keyring_passphrase_path(no_keyring):
    s = open_store(passphrase="correct horse battery")
    assert s.key_source == "passphrase"
    s.add_result("proofread", MARK)
    s.close()
    with pytest.raises(StoreUnavailable) as exc:             # later runs need the passphrase again
        open_store()
    assert exc.value.key == "storage.error.passphrase_needed"
    with pytest.raises(StoreUnavailable):
        open_store(passphrase="wrong horse battery")
    assert open_store(passphrase="correct horse battery").count_results() == 1
    with pytest.raises(StoreUnavailable):
        open_store(store_dir().parent / "other", passphrase="short")      # too short for a new store


def test_plaintext_keyring_backends_are_refused(monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    class PlaintextKeyring(KeyringBackend):
        priority = 1
        get_password = MemoryKeyring.get_password
        set_password = MemoryKeyring.set_password
        secrets: dict = {}

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        assert not K.keyring_available()
        monkeypatch.delenv(K.ENV_PASSPHRASE, raising=False)
        with pytest.raises(StoreUnavailable):
            open_store()
        assert PlaintextKeyring.secrets == {}
    finally:
        keyring.set_keyring(previous)


def test_delete_is_real_rows_gone_file_shrinks():
    s = open_store()
    big = (MARK + "。" + "公用文の本文。" * 400 + "\n") * 40
    ids = [s.add_result("summarize", big) for _ in range(5)]
    keep = s.add_result("draft", "残す結果")
    db = store_dir() / DB_NAME
    full = db.stat().st_size
    assert s.delete_result(ids[0])
    assert s.get_result(ids[0]) is None and db.stat().st_size < full
    for i in ids[1:]:
        s.delete_result(i)
    assert s.search_results(MARK) == []
    assert [e.id for e in s.list_results()] == [keep]
    assert db.stat().st_size < full / 4
    assert s.delete_all_results() == 1 and s.count_results() == 0
    assert s.pragma("secure_delete") == 1
    assert s.pragma("freelist_count") == 0                  # VACUUMed: no free pages left behind


def test_retention_purges_old_results():
    import time
    s = open_store()
    old = s.add_result("summarize", "古い", created=time.time() - 40 * 86400)
    new = s.add_result("summarize", "新しい")
    assert s.purge_results_older_than(30) == 1
    assert s.get_result(old) is None and s.get_result(new) is not None
    assert s.purge_results_older_than(0) == 1 and s.count_results() == 0     # 0 = history off


def test_sessions_expire():
    import time
    s = open_store()
    s.save_session(111, {"x": MARK}, keep_days=7)
    s.save_session(222, {"x": "期限切れ"}, keep_days=-1)      # already expired
    assert [pid for pid, _t, _d in s.sessions()] == [111]
    assert not s.has_session(222)
    s.delete_session(111)
    assert s.sessions() == [] and time.time()


def test_recent_paths_kept_in_order():
    s = open_store()
    for p in ("/a/1.docx", "/a/2.docx", "/a/3.docx", "/a/1.docx"):
        s.add_recent(p, keep=2)
    assert s.recent() == ["/a/1.docx", "/a/3.docx"]


def test_history_delete_all_resets_a_store_whose_key_was_lost(mem_keyring, capsys):
    from gennai_desktop.cli import main
    open_store().add_result("summarize", MARK)
    mem_keyring.secrets.clear()
    assert main(["history", "list"]) == 7
    assert "削除されています" in capsys.readouterr().err
    assert main(["history", "delete", "--all"]) == 0
    assert not (store_dir() / DB_NAME).exists() and not (store_dir() / "key.json").exists()
    assert main(["history", "list"]) == 0 and "履歴はありません" in capsys.readouterr().out
    assert len(mem_keyring.secrets) == 1                   # a fresh key for the fresh store
