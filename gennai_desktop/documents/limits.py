"""Resource limits for reading untrusted documents, in one place so they can be reviewed.

The numbers are generous for real government documents (a 1,000-page PDF, a 300-page
.docx with images) and small enough that a hostile file cannot exhaust a 8 GB laptop.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 300 * 1024 ** 2        # any input file on disk
    max_txt_bytes: int = 64 * 1024 ** 2          # plain text is decoded in memory
    # .docx (zip) pre-scan, before python-docx sees the file
    max_zip_entries: int = 5_000
    max_zip_total_uncompressed: int = 200 * 1024 ** 2
    max_zip_entry_uncompressed: int = 100 * 1024 ** 2
    max_zip_ratio: int = 100                     # per entry, only checked above ratio_min_bytes
    zip_ratio_min_bytes: int = 4 * 1024 ** 2
    max_docx_blocks: int = 200_000
    # .txt and .docx text: what the tasks tokenise and rank (issue 9: a 60 MB .txt reached
    # 8.8 GB). 10 million characters is about 40 times 民法 (233,000); 200,000 lines/blocks
    # is far above any real document and keeps the per-block objects bounded.
    max_text_chars: int = 10_000_000
    max_txt_lines: int = 200_000
    # .pdf child process
    pdf_memory_bytes: int = 2 * 1024 ** 3        # RLIMIT_AS of the child
    pdf_cpu_seconds: int = 60                    # RLIMIT_CPU of the child
    pdf_wall_seconds: float = 90.0               # parent-side timeout
    max_pdf_pages: int = 5_000
    max_chars: int = 20_000_000


DEFAULT_LIMITS = Limits()
