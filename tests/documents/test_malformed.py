"""Every malformed corpus file ends as a Document or a DocumentError — never another
exception, never a hang — and the known-hostile ones end the expected way."""
from __future__ import annotations

import csv


from gennai_desktop.core.document import Document
from gennai_desktop.core.errors import DocumentError
from gennai_desktop.documents import load_document
from gennai_desktop.documents.limits import Limits

# Tighter than the defaults, so a misbehaving file fails the test quickly instead of waiting.
TEST_LIMITS = Limits(pdf_wall_seconds=20, pdf_cpu_seconds=15, pdf_memory_bytes=1024 ** 3)

EXPECTED_KEYS = {
    "gen-empty.docx": "documents.error.empty",
    "gen-empty.pdf": "documents.error.empty",
    "gen-encrypted-aes256.pdf": "documents.error.encrypted",
    "gen-zipbomb-1GB.docx": "documents.error.zip_bomb",
    "gen-xxe.docx": "documents.error.unsafe",
    "gen-billion-laughs.docx": "documents.error.unsafe",
    "poi-ExternalEntityInText.docx": "documents.error.unsafe",
    "gen-truncated.docx": "documents.error.corrupt",
    "gen-truncated.pdf": "documents.error.corrupt",
    "gen-not-a-zip.docx": "documents.error.corrupt",
}
EXPECTED_TEXT = {
    "gen-encrypted-ownerpw-rc4.pdf": "試験用文書",
    "gen-xref-prev-loop.pdf": "circular Prev xref",
    "gen-external-rel.docx": "外部リレーションシップ",
    "pdfjs-helloworld-bad.pdf": "Hello, world!",
}


def _files(malformed_corpus):
    with open(malformed_corpus / "MANIFEST.tsv", encoding="utf-8") as fh:
        return [row["filename"] for row in csv.DictReader(fh, delimiter="\t")]


def test_manifest_lists_existing_files(malformed_corpus):
    names = _files(malformed_corpus)
    assert len(names) > 50
    assert all((malformed_corpus / n).exists() for n in names)


def test_every_malformed_file_gives_document_or_document_error(malformed_corpus):
    outcomes = {}
    for name in _files(malformed_corpus):
        try:
            doc = load_document(malformed_corpus / name, limits=TEST_LIMITS)
        except DocumentError as exc:
            outcomes[name] = exc.key
            assert str(exc)  # a message, not a crash while formatting it
        else:
            assert isinstance(doc, Document)
            assert doc.text.strip()
            outcomes[name] = doc
    for name, key in EXPECTED_KEYS.items():
        assert outcomes[name] == key, name
    for name, snippet in EXPECTED_TEXT.items():
        assert isinstance(outcomes[name], Document), (name, outcomes[name])
        assert snippet in outcomes[name].text
