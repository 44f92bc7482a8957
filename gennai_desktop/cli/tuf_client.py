"""``gennai-tuf-client``: the tuf-conformance CLIENT-CLI on top of our update module.

The peer suite (theupdateframework/tuf-conformance) drives a client through three
commands; running it against this entry point tests the same code path the app uses
(``update.open_updater`` / ``refresh`` / ``targetinfo`` / ``download``)::

    gennai-tuf-client --metadata-dir D init TRUSTED_ROOT
    gennai-tuf-client --metadata-dir D --metadata-url URL refresh
    gennai-tuf-client --metadata-dir D --metadata-url URL --target-name P [--target-name P2 …] \
        --target-base-url U --target-dir T download

Exit 0 on success, 1 on any failure. Metadata is stored without version prefixes
(root.json, timestamp.json, …). Downloaded artifacts are named by their URL-quoted target
path inside T, and an artifact already there with matching hashes is not fetched again.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

from ..core.atomicio import atomic_write_bytes
from ..core.errors import GennaiError
from ..packs.fetchers import DirectoryFetcher, is_local_url
from ..packs.update import Source, download, http_fetcher, open_updater, refresh, targetinfo

OK, FAIL = 0, 1


def _source(args):
    fetcher = http_fetcher()
    if is_local_url(args.metadata_url):
        from urllib.parse import urlparse
        from urllib.request import url2pathname
        fetcher = DirectoryFetcher(Path(url2pathname(urlparse(args.metadata_url).path)).parent)

    def slash(u: str) -> str:
        return u if u.endswith("/") else u + "/"
    return Source(slash(args.metadata_url), slash(args.target_base_url or ""), fetcher, args.metadata_url)


def _updater(args):
    md_dir = Path(args.metadata_dir)
    root = (md_dir / "root.json").read_bytes()   # the trusted root saved by init (or a later one)
    return open_updater(_source(args), md_dir, bootstrap=root)


def cmd_init(args) -> int:
    data = Path(args.trusted_root).read_bytes()
    md_dir = Path(args.metadata_dir)
    md_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(md_dir / "root.json", data)
    return OK


def cmd_refresh(args) -> int:
    refresh(_updater(args))
    return OK


def cmd_download(args) -> int:
    if not args.target_name or not args.target_dir or not args.target_base_url:
        return FAIL
    updater = _updater(args)
    refresh(updater)
    source = _source(args)
    out_dir = Path(args.target_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in args.target_name:
        info = targetinfo(updater, name)
        filename = quote(name, "")
        if filename in ("", ".", ".."):
            return FAIL
        dest = out_dir / filename
        if updater.find_cached_target(info, str(dest)):
            continue
        for _ in download(updater, source, info, dest, md_dir=Path(args.metadata_dir)):
            pass
    return OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gennai-tuf-client", description="tuf-conformance client for GENNAI Desktop")
    p.add_argument("--metadata-dir", required=True)
    p.add_argument("--metadata-url")
    p.add_argument("--target-name", action="append")
    p.add_argument("--target-base-url")
    p.add_argument("--target-dir")
    sub = p.add_subparsers(dest="command", required=True)
    sp = sub.add_parser("init")
    sp.add_argument("trusted_root")
    sp.set_defaults(func=cmd_init)
    sub.add_parser("refresh").set_defaults(func=cmd_refresh)
    sub.add_parser("download").set_defaults(func=cmd_download)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return OK if exc.code == 0 else FAIL
    if args.command != "init" and not args.metadata_url:
        print("--metadata-url is required", file=sys.stderr)
        return FAIL
    try:
        return args.func(args)
    except GennaiError as exc:
        print(exc.message("en"), file=sys.stderr)
        return FAIL
    except Exception as exc:  # noqa: BLE001 - the protocol only knows success (0) and failure (1)
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return FAIL


if __name__ == "__main__":
    sys.exit(main())
