"""Turn python-tuf and file-system failures into messages an official can act on.

python-tuf raises precise exception types (rollback, freeze, bad signature …). The user
needs one sentence saying what happened and that the current model is still in use;
``from_tuf`` maps each type to an i18n key in resources/i18n/packs.json.
"""
from __future__ import annotations

from tuf.api import exceptions as tufx

from ..core.errors import SecurityError


class PackError(SecurityError):
    """A pack could not be updated, installed, verified or activated (exit code 7)."""


# Order matters: subclasses before their bases.
_TUF_KEYS: tuple[tuple[type[BaseException], str], ...] = (
    (tufx.LengthOrHashMismatchError, "packs.error.hash_mismatch"),
    (tufx.BadVersionNumberError, "packs.error.rollback"),
    (tufx.ExpiredMetadataError, "packs.error.expired"),
    (tufx.UnsignedMetadataError, "packs.error.unsigned"),
    (tufx.DownloadLengthMismatchError, "packs.error.too_large"),
    (tufx.SlowRetrievalError, "packs.error.slow"),
    (tufx.DownloadHTTPError, "packs.error.download_http"),
    (tufx.DownloadError, "packs.error.download"),
    (tufx.RepositoryError, "packs.error.repository"),
)


def from_tuf(exc: BaseException, *, what: str = "") -> PackError:
    """The PackError for a python-tuf (or OS) exception; ``what`` names the file involved."""
    if isinstance(exc, PackError):
        return exc
    if isinstance(exc, tufx.DownloadError) and _unreachable(exc):
        return PackError("packs.error.unreachable", what=what, detail=str(exc)[:300])
    for typ, key in _TUF_KEYS:
        if isinstance(exc, typ):
            status = getattr(exc, "status_code", "")
            return PackError(key, what=what, detail=str(exc)[:300], status=status)
    if isinstance(exc, OSError):
        return PackError("packs.error.io", what=what, detail=exc.strerror or str(exc))
    return PackError("packs.error.repository", what=what, detail=f"{type(exc).__name__}: {exc}"[:300])


def _unreachable(exc: BaseException) -> bool:
    """Connection refused / no such host (urllib3 reports these as connect *timeouts*)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ConnectionRefusedError) or type(cur).__name__ in ("NewConnectionError",
                                                                             "NameResolutionError"):
            return True
        reason = getattr(cur, "reason", None)
        if isinstance(reason, BaseException) and id(reason) not in seen:
            cur = reason
            continue
        cur = cur.__cause__ or cur.__context__
    return False


class OtherOriginRedirect(tufx.DownloadHTTPError):
    """The mirror redirected to another scheme/host/port: not followed."""


class TransferDeadline(tufx.SlowRetrievalError):
    """The overall deadline of a download or of the whole update passed."""


class TooSlow(tufx.SlowRetrievalError):
    """A download stayed below the minimum throughput after the grace period."""


_TUF_KEYS = ((OtherOriginRedirect, "hardening.mirror.redirect"),
             (TransferDeadline, "hardening.mirror.deadline"),
             (TooSlow, "hardening.mirror.too_slow")) + _TUF_KEYS
