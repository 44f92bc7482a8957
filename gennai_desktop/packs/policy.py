"""Ministry policy: which packs may be used, the default pack, the mirror, locked settings.

The policy is a signed TUF target (``policy/policy.json``, signed by the ministry's
targets key). ``update`` stores the verified copy in ``home_dir()/packs/policy.json``;
``current_policy()`` re-checks that copy offline against the cached, signature-verified
targets metadata, so editing the file by hand does not loosen anything: a copy that no
longer matches its signed hash gives the locked-down policy (only the bundled default).
"""
from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..core.paths import home_dir
from ..core.settings import Settings
from .manifest import NAME_RE

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
    audit_enabled: bool = True                         # the tamper-evident audit log (storage/audit.py)
    audit_dir: str = ""                                # where it goes; "" = GENNAI_HOME/audit
    source: Literal["none", "signed", "tampered"] = Field("none", exclude=True)

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
    def locked_down(cls) -> "Policy":
        return cls(allowed_packs=(), allow_dev_default=True, source="tampered")


def policy_path():
    return home_dir() / "packs" / "policy.json"


def parse_policy(data: bytes) -> Policy:
    from .errors import PackError
    try:
        return Policy.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {}
        raise PackError("packs.error.policy_invalid", reason=str(first.get("msg", exc))[:200]) from None


def current_policy() -> Policy:
    """The policy in force on this laptop (offline; never raises)."""
    from .names import POLICY_TARGET
    from .trust import trusted_view
    view = trusted_view()
    found = view.lookup(POLICY_TARGET) if view is not None else None
    if found is None:
        return Policy()
    target, _role = found
    try:
        data = policy_path().read_bytes()
    except OSError:
        return Policy.locked_down()
    if len(data) != target.length or hashlib.sha256(data).hexdigest() != target.hashes.get("sha256"):
        return Policy.locked_down()
    try:
        return parse_policy(data).model_copy(update={"source": "signed"})
    except Exception:  # noqa: BLE001 - a signed but unusable policy must not crash start-up
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
