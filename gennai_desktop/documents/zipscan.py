"""Inspect a .docx (zip) *before* python-docx opens it.

python-docx/lxml do not resolve entities (no XXE, no billion laughs) but nothing stops a
zip bomb: a 1 MB file whose document.xml inflates to 1 GB. Here we read only the central
directory and the first bytes of each XML part, and refuse:

* too many entries, too much uncompressed data in total or per entry, absurd ratios;
* entry names that could escape a folder (``..``, absolute, backslashes, drive letters);
* any DTD (``<!DOCTYPE`` / ``<!ENTITY``): OPC (ECMA-376 Part 2, M1.17) forbids DTDs in
  package XML, so a DTD can only be an attack (XXE, entity expansion). Every part that looks
  like XML is scanned whole, streamed in 1 MiB steps (a DTD placed after the first 64 KiB
  used to pass), in UTF-8, UTF-16 and UTF-32 of either byte order with or without BOM;
  an XML declaration naming another encoding (OPC allows only UTF-8/UTF-16, libxml2 would
  honour e.g. UTF-7 or EBCDIC and see a DTD no byte scan finds) and .xml parts in no
  recognisable encoding are refused too;
* an OLE compound file with a .docx name: that is how Word stores a password-protected
  document (EncryptedPackage), so we can say "encrypted" instead of "corrupt".

Python's zipfile never inflates past the declared size, so the declared sizes we check are
also what python-docx will get.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO

from ..core.errors import DocumentError
from .limits import DEFAULT_LIMITS, Limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_STEP = 1024 * 1024
_OVERLAP = 64                     # longer than "<!DOCTYPE" in UTF-32
_UNITS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def _ci_pattern(word: str, enc: str) -> bytes:
    """Regex for ``word`` in encoding ``enc``, ASCII letters in either case."""
    out = b""
    for ch in word:
        up, low = ch.upper().encode(enc), ch.lower().encode(enc)
        for x, y in zip(up, low):
            out += re.escape(bytes([x])) if x == y else b"[" + re.escape(bytes([x])) + re.escape(bytes([y])) + b"]"
    return out


_DTD_RE = re.compile(b"|".join(_ci_pattern(w, e) for w in ("<!DOCTYPE", "<!ENTITY") for e in _UNITS))
# "<!" in any of those encodings ("<" then 0-3 NULs then "!"): a cheap filter before _DTD_RE.
_BANG_RE = re.compile(b"<\x00{0,3}!")
_XML_STARTS = {  # first "<" (after optional BOM/whitespace) → the encoding unit
    b"<": "utf-8", b"<\x00": "utf-16-le", b"\x00<": "utf-16-be",
    b"<\x00\x00\x00": "utf-32-le", b"\x00\x00\x00<": "utf-32-be",
}
_DECL_RE = re.compile(r"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)")
_OPC_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be"}


def check_ole(path: Path, head: bytes, data_probe: bytes) -> None:
    """An OLE file named .docx: encrypted OOXML or a legacy .doc; raise the right error."""
    if "EncryptedPackage".encode("utf-16-le") in data_probe:
        raise DocumentError("documents.error.encrypted", path=str(path))
    raise DocumentError("documents.error.legacy_doc", path=str(path))


def prescan_zip(path: Path | IO[bytes], limits: Limits = DEFAULT_LIMITS, *, name: str | None = None) -> None:
    """Raise DocumentError unless the zip looks like a sane, bounded OOXML package.

    ``path`` may be an open binary file (an embedded .docx); ``name`` is then what messages
    call it."""
    source = path
    path = Path(name) if name is not None else path if isinstance(path, Path) else Path(str(path))
    try:
        with zipfile.ZipFile(source) as zf:
            infos = zf.infolist()
            _check_directory(path, infos, limits)
            names = {i.filename for i in infos}
            if "word/document.xml" not in names and "[Content_Types].xml" not in names:
                raise DocumentError("documents.error.unsupported", path=str(path), ext=".docx")
            for info in infos:
                if info.file_size:
                    with zf.open(info) as fh:
                        _scan_part(path, info.filename, fh)
    except DocumentError:
        raise
    except zipfile.BadZipFile as exc:
        raise DocumentError("documents.error.corrupt", path=str(path), reason=str(exc)) from exc
    except (zipfile.LargeZipFile, NotImplementedError) as exc:
        raise DocumentError("documents.error.unsupported", path=str(path), ext=".docx") from exc
    except (OSError, EOFError, ValueError, RuntimeError) as exc:
        # RuntimeError: zipfile's "encrypted entry" / bad password; OSError/EOF: truncation.
        raise DocumentError("documents.error.corrupt", path=str(path), reason=str(exc)) from exc


def xml_unit(head: bytes) -> str | None:
    """The encoding unit of an XML part from its first bytes (BOM or where "<" sits)."""
    for bom, enc in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                     (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return enc
    body = head.lstrip(b" \t\r\n")
    for start in (b"\x00\x00\x00<", b"<\x00\x00\x00", b"\x00<", b"<\x00", b"<"):
        if head.startswith(start) or (start == b"<" and body.startswith(b"<")):
            return _XML_STARTS[start]
    return None


def _scan_part(path: Path, name: str, fh: IO[bytes]) -> None:
    """Refuse a DTD anywhere in the part, or an XML part libxml2 would decode otherwise."""
    head = fh.read(_STEP)
    unit = xml_unit(head)
    if unit is None:
        if name.lower().endswith((".xml", ".rels")) or head.startswith(b"\x4c\x6f\xa7\x94"):
            raise DocumentError("documents.error.unsafe", path=str(path),
                                reason=f"{name}: XML in an unrecognised encoding")
        return   # an image or other binary part: python-docx never parses it as XML
    decl = head[:512].decode(unit, "ignore")
    m = _DECL_RE.search(decl)
    if m and m.group(1).lower() not in _OPC_ENCODINGS:
        raise DocumentError("documents.error.unsafe", path=str(path),
                            reason=f"{name}: XML encoding {m.group(1)}")
    chunk, tail = head, b""
    while chunk:
        window = tail + chunk
        for hit in _BANG_RE.finditer(window):
            if _DTD_RE.search(window, max(0, hit.start() - 3), hit.start() + 40):
                raise DocumentError("documents.error.unsafe", path=str(path), reason=f"DTD in {name}")
        tail = window[-_OVERLAP:]
        chunk = fh.read(_STEP)


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
