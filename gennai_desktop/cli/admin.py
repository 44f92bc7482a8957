"""``gennai-admin``: ministry IT's tool to sign, publish and courier model packs.

Typical use (see docs/packs/): ``init`` once (key ceremony), ``add-vendor`` per vendor,
``build-pack`` + ``add-pack`` per model version, ``set-policy``, then either serve the
repository folder over HTTP (``publish`` re-signs timestamp/snapshot, e.g. daily) or
``export-bundle`` onto a USB stick / shared folder. Keys are passphrase-encrypted files in
folders OUTSIDE the repository (``--keys``, default ``~/.gennai-admin/keys``); root keys
belong on offline removable media (``--root-keys``). ``publish`` and ``export-bundle``
refuse to finish when any private key is in what would be served or shipped.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..core.errors import EXIT_OK, EXIT_USAGE, GennaiError
from ..core.i18n import set_language, tr
from ..core.paths import machine_dir
from ..packs import offline_bundle as ob
from ..packs.asr import build_asr_pack
from ..packs.build import build_pack
from ..packs.errors import PackError
from ..packs.keys import default_keys_dir
from ..packs.repo import KeyDirs, SigningRepo
from .audit import register as register_audit


def _repo(args) -> SigningRepo:
    keys = Path(args.keys).expanduser() if getattr(args, "keys", None) else default_keys_dir()
    root = Path(args.root_keys) if getattr(args, "root_keys", None) else keys
    vendor = Path(args.vendor_keys) if getattr(args, "vendor_keys", None) else None
    return SigningRepo(Path(args.repo), KeyDirs(online=keys, root=root, vendor=vendor))


def _done(what: str) -> int:
    print(tr("packs.admin.done", what=what))
    return EXIT_OK


def cmd_init(args) -> int:
    _repo(args).create(root_keys=args.root_key_count, root_threshold=args.root_threshold,
                       consistent_snapshot=args.consistent_snapshot)
    return _done(f"init {args.repo}")


def cmd_add_vendor(args) -> int:
    _repo(args).add_vendor(args.vendor)
    return _done(f"add-vendor {args.vendor}")


def cmd_build_pack(args) -> int:
    fields: dict = {}
    if args.fields:
        fields.update(json.loads(Path(args.fields).read_text(encoding="utf-8")))
        tpl = fields.get("chat_template_file")
        if tpl is not None and not Path(tpl).is_absolute():    # relative to the fields file (a draft)
            fields["chat_template_file"] = str(Path(args.fields).parent / tpl)
    for name in ("id", "version", "vendor", "name_ja", "name_en", "licence", "chat_format", "prompt_style",
                 "min_vram_mb", "recommended_gpu_layers", "default_context"):
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = value
    if args.domestic is not None:
        fields["domestic"] = args.domestic
    if args.instruction_tuned:
        fields["instruction_tuned"] = True
    if args.chat_template:
        fields["chat_template_file"] = args.chat_template
    m = build_pack(Path(args.gguf), Path(args.out), fields)
    return _done(f"build-pack {m.id} {m.version} → {args.out}")


def cmd_build_asr_pack(args) -> int:
    """A speech-model pack (manifest.json + model.tar) from a CTranslate2 Whisper folder and
    its reviewed fields (models/*.asr-draft.json)."""
    fields = json.loads(Path(args.fields).read_text(encoding="utf-8"))
    fields.pop("about", None)
    m = build_asr_pack(Path(args.model_dir), Path(args.out), fields)
    return _done(f"build-asr-pack {m.id} {m.version} → {args.out}")


def cmd_add_pack(args) -> int:
    m = _repo(args).add_pack(Path(args.pack))
    return _done(f"add-pack {m.id} {m.version} ({m.vendor})")


def cmd_withdraw(args) -> int:
    _repo(args).withdraw(args.pack_id, args.version)
    return _done(f"withdraw {args.pack_id} {args.version}")


def cmd_rotate(args) -> int:
    v = _repo(args).rotate(args.role, Path(args.new_root_keys) if args.new_root_keys else None,
                           new_keys=args.count, threshold=args.threshold)
    return _done(f"rotate-keys {args.role} → root v{v}")


def cmd_rotate_vendor(args) -> int:
    _repo(args).rotate_vendor(args.vendor)
    return _done(f"rotate-vendor-key {args.vendor}")


def cmd_set_policy(args) -> int:
    policy = json.loads(Path(args.policy).read_text(encoding="utf-8"))
    _repo(args).set_policy(policy)
    return _done("set-policy")


def cmd_publish(args) -> int:
    repo = _repo(args)
    repo.check_publishable()
    repo.publish(snapshot_days=args.expires_days, timestamp_days=args.expires_days)
    repo.check_publishable()
    return _done("publish")


def cmd_export(args) -> int:
    out = _repo(args).export_bundle(Path(args.out), expires_days=args.expires_days)
    return _done(f"export-bundle → {out}")


def cmd_status(args) -> int:
    print(json.dumps(_repo(args).status(), ensure_ascii=False, indent=2))
    return EXIT_OK


# ---- offline installation bundle (installer/build-offline-bundle.sh, install-offline.sh) ----------
def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


def cmd_offline_build(args) -> int:
    import time
    t0 = time.perf_counter()
    repo = _repo(args)
    root = repo.load("root").signed
    signers = repo._signers_for(root, "targets")          # noqa: SLF001 - the ministry targets key(s)
    policy = json.loads(Path(args.machine_policy).read_text(encoding="utf-8")) if args.machine_policy else None
    md = ob.assemble_bundle(Path(args.out), app=Path(args.app), model=Path(args.model) if args.model else None,
                            asr_model=Path(args.asr_model) if args.asr_model else None,
                            repo_dir=Path(args.repo), signers=signers,
                            packs=Path(args.packs) if args.packs else None, policy=policy,
                            icon=Path(args.icon) if args.icon else None,
                            installer_script=Path(args.installer_script) if args.installer_script else None,
                            version=args.version, app_version=args.app_version, expires_days=args.expires_days)
    total = sum(t.length for t in md.signed.targets.values())
    info = md.signed.unrecognized_fields[ob.MARKER]
    print(tr("offline.built", out=args.out, files=len(md.signed.targets), mb=f"{total / 1e6:,.1f}",
             seconds=f"{time.perf_counter() - t0:.1f}", root_sha256=info["root_sha256"]))
    return EXIT_OK


def _installed_root(machine: Path) -> bytes | None:
    try:
        return (machine / "root.json").read_bytes()
    except FileNotFoundError:
        return None


def cmd_offline_verify(args) -> int:
    machine = Path(args.machine_dir) if args.machine_dir else machine_dir()
    vb = ob.verify_bundle(Path(args.bundle), installed_root=_installed_root(machine),
                          root_sha256=args.root_sha256, allow_expired=args.allow_expired)
    if args.prefix:          # the installed verifier decides about downgrades, not the new bundle's tool
        ob.check_downgrade(Path(args.prefix), vb, args.allow_downgrade)
    print(tr("offline.verified", files=len(vb.files), mb=f"{vb.total_bytes / 1e6:,.1f}", version=vb.version,
             source=tr(f"offline.root_source.{vb.root_source}")))
    return EXIT_OK


def cmd_offline_install(args) -> int:
    rec = ob.install_bundle(Path(args.bundle), prefix=Path(args.prefix) if args.prefix else None,
                            machine=Path(args.machine_dir) if args.machine_dir else None,
                            desktop_dir=Path(args.desktop_dir) if args.desktop_dir else None,
                            root_sha256=args.root_sha256, allow_expired=args.allow_expired,
                            allow_downgrade=args.allow_downgrade, log=_log)
    print(json.dumps(rec, ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_offline_uninstall(args) -> int:
    ob.uninstall(Path(args.prefix) if args.prefix else None, log=_log)
    return EXIT_OK


def _register_offline(sub, repo_cmd) -> None:
    sp = repo_cmd("offline-build", cmd_offline_build, "assemble and sign an offline installation bundle")
    sp.add_argument("--out", required=True)
    sp.add_argument("--app", required=True, help="the PyInstaller one-folder build")
    sp.add_argument("--model", help="the bundled GGUF")
    sp.add_argument("--asr-model", help="the bundled speech model folder (CTranslate2 Whisper base)")
    sp.add_argument("--packs", help="a signed pack bundle (export-bundle output) to ship along")
    sp.add_argument("--machine-policy", help="machine.json to install (default: developer mode forbidden)")
    sp.add_argument("--icon")
    sp.add_argument("--installer-script")
    sp.add_argument("--version", type=int, default=None, help="bundle version (default: current Unix time)")
    sp.add_argument("--app-version", default="")
    sp.add_argument("--expires-days", type=float, default=365.0)
    for name, func, help_ in (("offline-verify", cmd_offline_verify, "verify a bundle (writes nothing)"),
                              ("offline-install", cmd_offline_install, "verify, then install a bundle")):
        sp = sub.add_parser(name, help=help_)
        sp.add_argument("bundle")
        sp.add_argument("--root-sha256", help="fingerprint of the trusted root.json (first install)")
        sp.add_argument("--machine-dir", help="per-machine folder (default: /etc/gennai-desktop)")
        sp.add_argument("--allow-expired", action="store_true")
        sp.set_defaults(func=func)
        sp.add_argument("--prefix", help="install folder (default: /opt/gennai-desktop; verify: check for a downgrade)")
        sp.add_argument("--allow-downgrade", action="store_true")
        if name == "offline-install":
            sp.add_argument("--desktop-dir", help="where the .desktop entry goes")
    sp = sub.add_parser("offline-uninstall", help="remove an offline installation (user data stays)")
    sp.add_argument("--prefix")
    sp.set_defaults(func=cmd_offline_uninstall)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gennai-admin", description="GENNAI Desktop: sign and publish model packs (TUF)")
    p.add_argument("--lang", choices=("ja", "en"), default=None)
    sub = p.add_subparsers(dest="command", required=True)

    def repo_cmd(name: str, func, help_: str, *, root: bool = False) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_)
        sp.add_argument("--repo", required=True, help="signing repository folder")
        sp.add_argument("--keys", "--keys-dir", dest="keys",
                        help="online key folder (targets, snapshot, timestamp, vendors), never inside REPO; "
                             "default ~/.gennai-admin/keys")
        sp.add_argument("--root-keys", required=root, help="folder with the root keys (offline media)")
        sp.add_argument("--vendor-keys", help="folder with vendor keys (default: --keys)")
        sp.set_defaults(func=func)
        return sp

    sp = repo_cmd("init", cmd_init, "create a repository and all keys (key ceremony)", root=True)
    sp.add_argument("--root-key-count", type=int, default=3)
    sp.add_argument("--root-threshold", type=int, default=2)
    sp.add_argument("--consistent-snapshot", action="store_true",
                    help="versioned metadata and hash-prefixed targets (for busy HTTP mirrors)")
    sp = repo_cmd("add-vendor", cmd_add_vendor, "delegate vendors/<vendor>/… to a new vendor key")
    sp.add_argument("--vendor", required=True)
    sp = sub.add_parser("build-pack", help="make a pack folder (manifest.json + model.gguf) from a GGUF")
    sp.add_argument("--gguf", required=True)
    sp.add_argument("--out", required=True)
    sp.add_argument("--fields", help="JSON file with further manifest fields (prompts, generation, …)")
    for name in ("id", "version", "vendor", "name-ja", "name-en", "licence", "chat-format", "chat-template"):
        sp.add_argument(f"--{name}")
    sp.add_argument("--prompt-style", choices=("chat", "completion"))
    sp.add_argument("--min-vram-mb", type=int)
    sp.add_argument("--recommended-gpu-layers", type=int)
    sp.add_argument("--default-context", type=int)
    sp.add_argument("--domestic", dest="domestic", action="store_true", default=None)
    sp.add_argument("--not-domestic", dest="domestic", action="store_false")
    sp.add_argument("--instruction-tuned", action="store_true")
    sp.set_defaults(func=cmd_build_pack)
    sp = sub.add_parser("build-asr-pack", help="make a speech-model pack (manifest.json + model.tar) "
                                               "from a CTranslate2 Whisper folder")
    sp.add_argument("--model-dir", required=True)
    sp.add_argument("--out", required=True)
    sp.add_argument("--fields", required=True, help="reviewed fields (models/*.asr-draft.json)")
    sp.set_defaults(func=cmd_build_asr_pack)
    sp = repo_cmd("add-pack", cmd_add_pack, "add, sign (vendor key) and publish a pack folder")
    sp.add_argument("--pack", required=True)
    sp = repo_cmd("withdraw", cmd_withdraw, "withdraw a published pack version")
    sp.add_argument("--pack-id", required=True)
    sp.add_argument("--version", required=True)
    sp = repo_cmd("rotate-keys", cmd_rotate, "replace a role's keys (new root version)", root=True)
    sp.add_argument("--role", required=True, choices=("root", "targets", "snapshot", "timestamp"))
    sp.add_argument("--new-root-keys", help="folder for the new root keys (root rotation)")
    sp.add_argument("--count", type=int, default=1)
    sp.add_argument("--threshold", type=int)
    sp = repo_cmd("rotate-vendor-key", cmd_rotate_vendor, "replace a vendor's key (targets key re-delegates)")
    sp.add_argument("--vendor", required=True)
    sp = repo_cmd("set-policy", cmd_set_policy, "publish a signed policy JSON")
    sp.add_argument("--policy", required=True)
    sp = repo_cmd("publish", cmd_publish, "re-sign snapshot and timestamp (run regularly for a mirror)")
    sp.add_argument("--expires-days", type=float, default=None)
    sp = repo_cmd("export-bundle", cmd_export, "write a USB / shared-folder bundle")
    sp.add_argument("--out", required=True)
    sp.add_argument("--expires-days", type=float, required=True,
                    help="validity of the bundle's timestamp/snapshot: longer than the courier window")
    sp = repo_cmd("status", cmd_status, "show role versions, expiry and published packs")
    _register_offline(sub, repo_cmd)
    register_audit(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    if args.lang:
        set_language(args.lang)
    try:
        return int(args.func(args))
    except GennaiError as exc:
        print(exc.message(), file=sys.stderr)
        return exc.exit_code
    except (OSError, ValueError) as exc:
        err = PackError("packs.error.io", what=type(exc).__name__, detail=str(exc)[:300])
        print(err.message(), file=sys.stderr)
        return err.exit_code


if __name__ == "__main__":
    sys.exit(main())
