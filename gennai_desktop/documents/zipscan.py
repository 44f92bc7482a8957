"""Inspect a .docx (zip) *before* python-docx opens it.

python-docx/lxml do not resolve entities (no XXE, no billion laughs) but nothing stops a
zip bomb: a 1 MB file whose document.xml inflates to 1 GB. Here we read only the central
directory and the first bytes of each XML part, and refuse:

* too many entries, too much uncompressed data in total or per entry, absurd ratios;
* entry names that could escape a folder (``..``, absolute, backslashes, drive letters);
* any DTD (``<!DOCTYPE``): OPC (ECMA-376 Part 2, M1.17) forbids DTDs in package XML, so a
  DTD can only be an attack (XXE, entity expansion);
* an OLE compound file with a .docx name: that is how Word stores a password-protected
  document (EncryptedPackage), so we can say "encrypted" instead of "corrupt".

Python's zipfile never inflates past the declared size, so the declared sizes we check are
also what python-docx will get.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..core.errors import DocumentError
from .limits import DEFAULT_LIMITS, Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DTD_PROBE_BYTES = 64 * 1024


def check_ole(path: Path, head: bytes, data_probe: bytes) -> None:
    """An OLE file named .docx: encrypted OOXML or a legacy .doc; raise the right error."""
    if "EncryptedPackage".encode("utf-16-le") in data_probe:
        raise DocumentError("documents.error.encrypted", path=str(path))
    raise DocumentError("documents.error.legacy_doc", path=str(path))


def prescan_zip(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise DocumentError unless the zip looks like a sane, bounded OOXML package."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_directory(path, infos, limits)
            names = {i.filename for i in infos}
            if "word/document.xml" not in names and "[Content_Types].xml" not in names:
                raise DocumentError("documents.error.unsupported", path=str(path), ext=".docx")
            for info in infos:
                lower = info.filename.lower()
                if lower.endswith((".xml", ".rels")) and info.file_size:
                    with zf.open(info) as fh:
                        head = fh.read(_DTD_PROBE_BYTES)
                    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                        raise DocumentError("documents.error.unsafe", path=str(path),
                                            reason=f"DTD in {info.filename}")
                    if head[:2] in (b"\xff\xfe", b"\xfe\xff") and _utf16_has_dtd(head):
                        raise DocumentError("documents.error.unsafe", path=str(path),
                                            reason=f"DTD in {info.filename}")
    except DocumentError:
        raise
    except zipfile.BadZipFile as exc:
        raise DocumentError("documents.error.corrupt", path=str(path), reason=str(exc)) from exc
    except (zipfile.LargeZipFile, NotImplementedError) as exc:
        raise DocumentError("documents.error.unsupported", path=str(path), ext=".docx") from exc
    except (OSError, EOFError, ValueError, RuntimeError) as exc:
        # RuntimeError: zipfile's "encrypted entry" / bad password; OSError/EOF: truncation.
        raise DocumentError("documents.error.corrupt", path=str(path), reason=str(exc)) from exc


def _utf16_has_dtd(head: bytes) -> bool:
    try:
        text = head.decode("utf-16", "ignore").upper()
    except (UnicodeDecodeError, ValueError):
        return False
    return "<!DOCTYPE" in text or "<!ENTITY" in text


def _check_directory(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_zip_entries:
        raise DocumentError("documents.error.zip_bomb", path=str(path),
                            reason=f"{len(infos)} entries")
    total = 0
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if _unsafe_name(name):
            raise DocumentError("documents.error.unsafe", path=str(path), reason=f"entry name {name!r}")
        if name.lower() in seen:
            raise DocumentError("documents.error.unsafe", path=str(path),
                                reason=f"duplicate entry {name!r}")
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise DocumentError("documents.error.encrypted", path=str(path))
        size = info.file_size
        total += size
        if size > limits.max_zip_entry_uncompressed or total > limits.max_zip_total_uncompressed:
            raise DocumentError("documents.error.zip_bomb", path=str(path),
                                reason=f"{name}: {size:,} bytes uncompressed")
        if size >= limits.zip_ratio_min_bytes:
            ratio = size / max(info.compress_size, 1)
            if ratio > limits.max_zip_ratio:
                raise DocumentError("documents.error.zip_bomb", path=str(path),
                                    reason=f"{name}: compression ratio {ratio:.0f}:1")


def _unsafe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name:
        return True
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return any(part == ".." for part in name.split("/"))
