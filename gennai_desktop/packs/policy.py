"""Ministry policy: which packs may be used, the default pack, the mirror, locked settings.

The policy is a signed TUF target (``policy/policy.json``, signed by the ministry's
targets key). ``update`` stores the verified copy in ``home_dir()/packs/policy.json``;
``current_policy()`` re-checks that copy offline against the cached, signature-verified
targets metadata, so editing the file by hand does not loosen anything.

Fail closed: every policy that verifies is also recorded (policy bytes + the signed targets
metadata that lists them, ``policy-record.json`` beside the highest-versions record). The
offline installer writes that record into the machine folder at install time
(``machine_dir()/state``, admin-only), so the user cannot delete it. On a managed machine,
or a machine that has had a policy, a missing, unreadable, unsigned or tampered policy — or
a missing / rolled-back / tampered targets metadata — gives the last verified policy again
(``source="last_verified"``), or, if no record verifies, the strictest built-in rules
(``source="tampered"``: no pack, not the bundled dev model, audit required). Never looser.
``Policy.problem`` names the message to show.
"""
from __future__ import annotations

import enum
import hashlib
import json
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..core.atomicio import atomic_write_text
from ..core.errors import GennaiError
from ..core.paths import home_dir, machine_dir
from ..core.settings import Settings
from .errors import PackError
from .manifest import NAME_RE
from .names import POLICY_TARGET
from .trust import TrustedView, load_state, managed_install, save_state, state_path, trusted_root_bytes, trusted_view

DEV_PACK_ID = "gemma3-270m-dev"


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_version: Literal[1] = 1
    allowed_packs: tuple[str, ...] | None = None      # None: any correctly signed pack
    required_packs: tuple[str, ...] = ()               # installed by every update
    default_pack: str = ""                             # used when the user chose nothing
    allow_dev_default: bool = True                     # may the bundled non-domestic model be used?
    mirror_url: str = ""                               # HTTP(S) mirror for `gennai packs update`
    locked_values: dict[str, Any] = Field(default_factory=dict, alias="locked_settings")
    lock_advanced_settings: bool = False               # the 設定 dialog's 詳細設定 page (how the model runs) read-only
    audit_enabled: bool = True                         # the tamper-evident audit log (storage/audit.py)
    audit_required: bool = False                       # refuse a task whose audit line cannot be written
    audit_dir: str = ""                                # where it goes; "" = GENNAI_HOME/audit
    source: Literal["none", "signed", "last_verified", "tampered"] = Field("none", exclude=True)
    problem: str = Field("", exclude=True)             # i18n key explaining a fallback

    @field_validator("allowed_packs", "required_packs")
    @classmethod
    def _ids(cls, v):
        import re
        for pid in v or ():
            if not re.match(NAME_RE, pid):
                raise ValueError(f"bad pack id {pid!r}")
        return v

    @field_validator("mirror_url")
    @classmethod
    def _http_only(cls, v: str) -> str:
        if v and not v.startswith(("http://", "https://")):
            raise ValueError("mirror_url must be http(s)://")
        return v

    @field_validator("locked_values")
    @classmethod
    def _settings_exist(cls, v: dict[str, Any]) -> dict[str, Any]:
        unknown = set(v) - set(Settings.model_fields) | ({"version"} & set(v))
        if unknown:
            raise ValueError(f"unknown or unlockable settings: {sorted(unknown)}")
        Settings(**v)   # values must be valid settings
        return v

    @property
    def locked_settings(self) -> frozenset[str]:
        return frozenset(self.locked_values)

    def allowed(self, pack_id: str) -> bool:
        if pack_id == DEV_PACK_ID:
            return self.allow_dev_default
        if self.source == "tampered":
            return False
        if self.allowed_packs is None:
            return True
        return pack_id in self.allowed_packs or pack_id in self.required_packs or pack_id == self.default_pack

    @classmethod
    def locked_down(cls, problem: str = "trust.policy.builtin_strict") -> Policy:
        """Built-in strictest rules: no pack, not the non-domestic dev model."""
        return cls(allowed_packs=(), allow_dev_default=False, audit_required=True, source="tampered",
                   problem=problem)


def policy_path():
    return home_dir() / "packs" / "policy.json"


def parse_policy(data: bytes) -> Policy:
    try:
        return Policy.model_validate_json(data)
    except ValidationError as exc:
        errors = exc.errors()
        raise PackError("packs.error.policy_invalid", reason=str(errors[0]["msg"] if errors else exc)[:200]) from None


RECORD_NAME = "policy-record.json"
RECORD_KEY = "policy-record"          # in the highest-versions record: targets version of the record


def _record_paths():
    return [state_path().parent / RECORD_NAME, machine_dir() / "state" / RECORD_NAME,
            home_dir() / "packs" / RECORD_NAME]


def _record(data: bytes, targets_bytes: bytes, targets_version: int) -> None:
    """Keep the policy that just verified and the signed metadata that proves it."""
    if load_state()["versions"].get(RECORD_KEY, 0) > targets_version:
        return
    body = json.dumps({"policy": data.decode("utf-8"), "targets": targets_bytes.decode("utf-8")},
                      ensure_ascii=False) + "\n"
    path = _record_paths()[0]
    try:
        if path.is_file() and path.read_text(encoding="utf-8") == body:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, body)
    except (OSError, GennaiError):
        pass
    save_state({RECORD_KEY: targets_version})


def _from_record(view) -> Policy | None:
    """The recorded last verified policy if its signature still checks out, else None."""
    from tuf.api.metadata import Metadata, Root, Targets
    floor = load_state()["versions"].get(RECORD_KEY, 0)
    for path in _record_paths():
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
            data, t_bytes = (rec["policy"] or "").encode("utf-8"), rec["targets"].encode("utf-8")
            root = view.root if view is not None else Metadata[Root].from_bytes(trusted_root_bytes()).signed
            t_md = Metadata[Targets].from_bytes(t_bytes)
            root.verify_delegate(Targets.type, t_md.signed_bytes, t_md.signatures)
            if t_md.signed.version < floor:
                continue                              # an older record put back: not accepted
            if rec["policy"] is None and POLICY_TARGET not in t_md.signed.targets:
                return Policy(source="last_verified")  # signed metadata that names no policy (installer record)
            info = t_md.signed.targets[POLICY_TARGET]
            info.verify_length_and_hashes(data)
            return parse_policy(data).model_copy(update={"source": "last_verified",
                                                         "problem": "trust.policy.last_verified"})
        except Exception:  # noqa: BLE001 - missing, tampered or unverifiable record: try the next
            continue
    return None


def _had_policy() -> bool:
    return load_state()["versions"].get(RECORD_KEY, 0) > 0 or any(p.is_file() for p in _record_paths())


def _fallback(view, problem: str) -> Policy:
    """What a machine gets when the current policy does not verify: never looser. On a
    managed machine (the machine folder holds the ministry's root.json or machine.json) that
    is the record in the machine folder — written by the installer, which the user cannot
    delete — or, without one, the strictest rules: deleting the packs folder or starting
    with a fresh GENNAI_HOME no longer leaves a machine without a policy."""
    if managed_install():
        return _from_record(view) or Policy.locked_down("trust.policy.no_machine_record")
    if not _had_policy():
        if problem == "trust.policy.no_metadata":
            return Policy()                           # never had metadata or policy: defaults
        return Policy.locked_down(problem)
    return _from_record(view) or Policy.locked_down("trust.policy.builtin_strict")


class _ReadTrust(enum.Enum):
    """A sentinel the type checker can narrow (``view is READ_TRUST``), unlike ``object()``."""
    READ = "read"


READ_TRUST: Final = _ReadTrust.READ     # "read the trusted view here" (None means: there is none)
ViewArg = TrustedView | None | Literal[_ReadTrust.READ]    # a view already read, none, or "read it here"


def current_policy(view: ViewArg = READ_TRUST) -> Policy:
    """The policy in force on this laptop (offline; never raises; never looser on tampering).

    ``view``: the offline trusted view when the caller already read it (``app.models``
    reads trust once per model service); by default it is read here."""
    try:
        if view is READ_TRUST:
            view = trusted_view()
        if view is None or view.targets is None:
            return _fallback(view, "trust.policy.no_metadata")
        found = view.lookup(POLICY_TARGET)
        if found is None:
            return Policy()                           # verified targets without a policy: IT removed it
        target, _role = found
        try:
            data = policy_path().read_bytes()
        except OSError:
            return _fallback(view, "trust.policy.missing")
        if len(data) != target.length or hashlib.sha256(data).hexdigest() != target.hashes.get("sha256"):
            return _fallback(view, "trust.policy.tampered")
        try:
            policy = parse_policy(data).model_copy(update={"source": "signed"})
        except Exception:  # noqa: BLE001 - a signed but unusable policy must not crash start-up
            return _fallback(view, "trust.policy.tampered")
        try:
            t_bytes = (view.md_dir / "targets.json").read_bytes()
            _record(data, t_bytes, view.targets.version)
        except OSError:
            pass
        return policy
    except Exception:  # noqa: BLE001 - whatever went wrong, the answer is the strict one
        return Policy.locked_down()


def apply_policy(settings: Settings, policy: Policy | None = None) -> Settings:
    """``settings`` with locked fields forced to the policy's values and a forbidden
    active model cleared (the registry then falls back to the policy default)."""
    policy = policy or current_policy()
    update: dict[str, Any] = dict(policy.locked_values)
    if settings.active_model and not policy.allowed(settings.active_model):
        update["active_model"] = policy.default_pack if policy.allowed(policy.default_pack or "-") else ""
    if not update:
        return settings
    return settings.model_copy(update=update)
