"""What the CLI and the desktop UI call: list, update (mirror / folder), install, rollback,
verify. Long operations are generators of ``core.events`` (Progress … Done) so the UI can
show progress and cancel; errors are ``PackError`` with a message key.

The TUF client (``update``: python-tuf ngclient → urllib3) is imported only when an update
runs: importing urllib3 probes IPv6 by opening a socket, and listing, verifying or rolling
back must not touch the network stack at all."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..core.cancel import NEVER, CancelToken
from ..core.events import Done, Progress, TaskEvent
from ..llm.base import ModelSpec
from . import store
from .errors import PackError
from .manifest import load_manifest, version_key
from .models import dev_default_spec
from .names import check_id
from .policy import DEV_PACK_ID, READ_TRUST, Policy, ViewArg, current_policy
from .trust import trust_status, trusted_view
from .verify import Verdict, quick_status, verify_full

LoadTest = Callable[[ModelSpec], None]


@dataclass(frozen=True)
class PackStatus:
    """One row of the pack manager."""

    id: str
    version: str
    previous: str | None
    vendor: str
    domestic: bool
    name_ja: str
    name_en: str
    status: str               # verified / withdrawn / modified / untrusted / bundled
    signed_by: str
    allowed: bool
    active: bool              # the model the app uses now
    path: Path

    def name(self, lang: str = "ja") -> str:
        return self.name_ja if lang == "ja" else self.name_en


def list_packs(*, active_id: str = "", policy: Policy | None = None,
               view: ViewArg = READ_TRUST) -> list[PackStatus]:
    """One row per pack: the bundled default, then each installed pack with its verdict.
    ``active_id`` marks the model in use (``app.models.ModelService.pack_rows`` passes it,
    with the policy and trusted view it already read)."""
    view = trusted_view() if view is READ_TRUST else view
    policy = policy or current_policy(view)
    rows: list[PackStatus] = []
    dev = dev_default_spec()
    rows.append(PackStatus(dev.id, dev.version, None, dev.vendor, dev.domestic, dev.name_ja, dev.name_en,
                           "bundled", "", policy.allowed(dev.id), active_id == dev.id, dev.path))
    for pid in store.installed_ids():
        act = store.read_active(pid)
        inst = store.active_installed(pid)
        if inst is None:
            continue
        verdict = quick_status(inst, view)
        m = inst.manifest
        rows.append(PackStatus(m.id, m.version, act["previous"], m.vendor, m.domestic, m.name_ja, m.name_en,
                               verdict.status, verdict.signed_by, policy.allowed(m.id), active_id == m.id,
                               inst.gguf_path))
    return rows


def trust_notices() -> list[tuple[str, dict]]:
    """What the pack manager (UI and CLI) must say about trust: developer mode, an ignored
    user-folder root, a policy that fell back to the last verified / strict rules, the age
    of the signed metadata. (i18n key, params) pairs; never raises."""
    out: list[tuple[str, dict]] = []
    try:
        st = trust_status()
        if st.developer_mode:
            out.append(("trust.developer_mode", {"path": str(st.root_path or "-")}))
        elif st.developer_mode_requested and st.developer_mode_forbidden:
            out.append(("trust.developer_mode_forbidden", {}))
        if st.ignored_user_root is not None:
            out.append(("trust.user_root_ignored", {"path": str(st.ignored_user_root)}))
        pol = current_policy()
        if pol.problem:
            out.append((pol.problem, {}))
        view = trusted_view()
        if view is not None and view.targets is not None and view.age is not None:
            out.append(("trust.metadata_age", {"days": f"{view.age.total_seconds() / 86400:.1f}"}))
    except Exception:  # noqa: BLE001 - notices must never break the listing
        pass
    return out


def update_from_mirror(url: str | None = None, *, cancel: CancelToken = NEVER, pack_ids: list[str] | None = None,
                       load_test: LoadTest | None = None) -> Iterator[TaskEvent]:
    from .update import Source, run_update  # lazy: imports urllib3, whose import opens a socket
    url = url or current_policy().mirror_url
    if not url:
        raise PackError("packs.error.no_mirror")
    yield from run_update(Source.mirror(url), pack_ids=pack_ids, cancel=cancel, load_test=load_test)


def update_from_folder(folder: Path | str, *, cancel: CancelToken = NEVER, pack_ids: list[str] | None = None,
                       load_test: LoadTest | None = None) -> Iterator[TaskEvent]:
    from .update import Source, run_update  # lazy: imports urllib3, whose import opens a socket
    yield from run_update(Source.folder(folder), pack_ids=pack_ids, cancel=cancel, load_test=load_test)


def rollback(pack_id: str, *, load_test: LoadTest | None = None) -> Iterator[TaskEvent]:
    """Make the previous installed version active again (it must still verify)."""
    check_id(pack_id)
    act = store.read_active(pack_id)
    prev = act["previous"]
    if not act["version"] or not prev:
        raise PackError("packs.error.no_previous", pack=pack_id)
    yield Progress(0, 1, "packs.stage.verify", f"{pack_id} {prev}")
    inst = store.load_installed(pack_id, prev)
    verdict = verify_full(inst)
    if not verdict.ok:
        raise PackError("packs.error.verify_failed", pack=f"{pack_id} {prev}",
                        reason=f"{verdict.status} {verdict.reason}")
    if load_test is not None:
        try:
            load_test(inst.manifest.to_model_spec(inst.gguf_path))
        except Exception as exc:  # noqa: BLE001 - any failure of the load test refuses the rollback target
            raise PackError("packs.error.load_failed", pack=pack_id, version=prev, reason=str(exc)[:300]) from None
    store.write_active(pack_id, prev, act["version"])
    yield Progress(1, 1, "packs.stage.rolled_back", f"{pack_id} {prev}")
    yield Done((pack_id, prev))


def verify(pack_ids: list[str] | None = None) -> Iterator[TaskEvent]:
    """Full re-verification (hash of every GGUF); Done carries {pack_id: Verdict}."""
    ids = pack_ids or store.installed_ids()
    view = trusted_view()
    out: dict[str, Verdict] = {}
    for i, pid in enumerate(ids):
        yield Progress(i, len(ids), "packs.stage.verify", pid)
        inst = store.active_installed(check_id(pid))
        out[pid] = verify_full(inst, view) if inst else Verdict("modified", reason="not installed")
    yield Progress(len(ids), len(ids), "packs.stage.verify", "")
    yield Done(out)


def installed_versions(pack_id: str) -> list[str]:
    return sorted(store.versions(pack_id), key=version_key)


__all__ = ["PackStatus", "list_packs", "update_from_mirror", "update_from_folder", "rollback", "verify",
           "installed_versions", "trust_notices", "DEV_PACK_ID", "load_manifest"]
