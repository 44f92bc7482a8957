"""Image file recognition by magic bytes (no imports: the loader asks this for every file)."""
from __future__ import annotations

IMAGE_MAGICS = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def is_image(head: bytes, suffix: str) -> bool:
    if head.startswith(b"BM"):
        return suffix == ".bmp"           # "BM" is too short a magic to trust alone
    return head.startswith(IMAGE_MAGICS)
