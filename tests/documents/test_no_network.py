"""Documents with external references are read without any network connection attempt.

pytest-socket only sees Python sockets; lxml/libxml2 would use C sockets. So the load runs
in a child under strace and we check that no inet socket was even created."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("strace") is None or sys.platform != "linux",
                                reason="needs strace on Linux")

CODE = """
import sys
from gennai_desktop.documents import load_document
from gennai_desktop.core.errors import DocumentError
for p in sys.argv[1:]:
    try:
        load_document(p)
    except DocumentError:
        pass
    # also past the pre-scan: python-docx's own parser on the raw part must not fetch anything
    import zipfile
    from lxml import etree
    from docx.oxml.parser import oxml_parser
    with zipfile.ZipFile(p) as zf:
        try:
            etree.fromstring(zf.read("word/document.xml"), oxml_parser)
        except etree.XMLSyntaxError:
            pass
print("done")
"""


def test_no_inet_socket_when_reading_external_references(malformed_corpus, tmp_path):
    files = [malformed_corpus / n for n in ("gen-external-rel.docx", "gen-xxe.docx",
                                            "poi-ExternalEntityInText.docx", "gen-billion-laughs.docx")]
    trace = tmp_path / "trace.txt"
    proc = subprocess.run(["strace", "-f", "-e", "trace=socket,connect", "-o", str(trace),
                           sys.executable, "-c", CODE, *map(str, files)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 and "ptrace" in proc.stderr:
        pytest.skip("ptrace not permitted here")
    assert "done" in proc.stdout, proc.stderr
    log = trace.read_text()
    assert "AF_INET" not in log and "AF_INET6" not in log
