"""The trust anchor and what the laptop already trusts, checked without any network.

The installer ships the ministry's ``root.json``; it is looked for first in
``home_dir()/trust/root.json`` (machine image / ministry IT), then in
``resources/trust/root.json`` (inside the installer). Everything else is verified from it.

``TrustedView`` re-verifies the locally cached metadata offline — root chain from the
shipped root, then targets and the vendor roles by signature — so the pack list can show
a signature status and the policy can be read at start-up without contacting anyone.
Expiry is not checked here on purpose (freshness is checked at update time; an offline
laptop must keep working with the packs it has).
"""
from __future__ import annotations

import json
from pathlib import Path

from tuf.api import exceptions as tufx
from tuf.api.metadata import Metadata, Root, TargetFile, Targets

from ..core.paths import home_dir, resources_dir
from .errors import PackError

MAX_ROOTS = 256


def trusted_root_candidates() -> list[Path]:
    return [home_dir() / "trust" / "root.json", resources_dir() / "trust" / "root.json"]


def trusted_root_path() -> Path:
    for p in trusted_root_candidates():
        if p.is_file():
            return p
    raise PackError("packs.error.no_trusted_root",
                    paths=", ".join(str(p) for p in trusted_root_candidates()))


def trusted_root_bytes() -> bytes:
    path = trusted_root_path()
    data = path.read_bytes()
    try:
        md = Metadata.from_bytes(data)
        if not isinstance(md.signed, Root):
            raise ValueError("not a root")
        md.signed.verify_delegate(Root.type, md.signed_bytes, md.signatures)
    except Exception as exc:  # noqa: BLE001 - any parse/verify failure means the anchor is unusable
        raise PackError("packs.error.bad_trusted_root", path=str(path), detail=str(exc)[:200]) from None
    return data


def metadata_dir() -> Path:
    d = home_dir() / "packs" / "tuf"
    d.mkdir(parents=True, exist_ok=True)
    return d


class TrustedView:
    """Offline view of the cached, signature-checked metadata (no expiry check)."""

    def __init__(self, root_bytes: bytes, md_dir: Path) -> None:
        self.md_dir = md_dir
        root = Metadata[Root].from_bytes(root_bytes)
        hist = md_dir / "root_history"
        for v in range(root.signed.version + 1, root.signed.version + MAX_ROOTS):
            p = hist / f"{v}.root.json"
            if not p.is_file():
                break
            new = Metadata[Root].from_bytes(p.read_bytes())
            root.signed.verify_delegate(Root.type, new.signed_bytes, new.signatures)   # signed by the old root's threshold
            new.signed.verify_delegate(Root.type, new.signed_bytes, new.signatures)    # and by its own
            if new.signed.version != v:
                raise tufx.BadVersionNumberError(f"root_history/{v}.root.json has version {new.signed.version}")
            root = new
        self.root = root.signed
        self.targets: Targets | None = None
        self._roles: dict[str, Targets] = {}
        tpath = md_dir / "targets.json"
        if tpath.is_file():
            md = Metadata[Targets].from_bytes(tpath.read_bytes())
            self.root.verify_delegate(Targets.type, md.signed_bytes, md.signatures)
            self.targets = md.signed

    def _role(self, name: str, parent: Targets) -> Targets | None:
        if name in self._roles:
            return self._roles[name]
        from urllib.parse import quote
        p = self.md_dir / f"{quote(name, '')}.json"
        if not p.is_file():
            return None
        md = Metadata[Targets].from_bytes(p.read_bytes())
        parent.verify_delegate(name, md.signed_bytes, md.signatures)
        self._roles[name] = md.signed
        return md.signed

    def lookup(self, target_path: str) -> tuple[TargetFile, str] | None:
        """(TargetFile, signing role) for ``target_path`` as the ngclient would resolve it."""
        if self.targets is None:
            return None
        stack: list[tuple[str, Targets]] = [("targets", self.targets)]
        seen: set[str] = set()
        while stack:
            name, role = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            tf = role.targets.get(target_path)
            if tf is not None:
                return tf, name
            if role.delegations is None:
                continue
            children: list[tuple[str, Targets]] = []
            for child, terminating in role.delegations.get_roles_for_target(target_path):
                sub = self._role(child, role)
                if sub is not None:
                    children.append((child, sub))
                if terminating:
                    stack = []
                    break
            stack.extend(reversed(children))
        return None


def trusted_view() -> TrustedView | None:
    """The offline view, or None if there is no anchor / nothing verifiable cached yet."""
    try:
        return TrustedView(trusted_root_bytes(), metadata_dir())
    except PackError:
        return None
    except (OSError, ValueError, tufx.RepositoryError, json.JSONDecodeError):
        return None
    except Exception:  # noqa: BLE001 - tampered cache files must not crash start-up
        return None
