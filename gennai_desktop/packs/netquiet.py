"""Import urllib3 without the IPv6 probe it runs at import time.

``urllib3.util.connection`` sets ``HAS_IPV6`` at import by creating an AF_INET6 socket and
binding it to ``::1``. python-tuf's ngclient imports urllib3 whenever any ngclient module is
imported, so even ``gennai packs update --folder`` (a USB stick, no network at all) opened an
AF_INET6 socket — found by strace in installer/test-offline-install.sh. The app promises no
network sockets except to the policy's mirror, so this module imports urllib3 with
``socket.has_ipv6`` briefly False (the probe is skipped) and then sets ``HAS_IPV6`` to what
the interpreter supports: a mirror look-up then asks getaddrinfo for both families
(AF_UNSPEC), as it would have on any host with IPv6 loopback.

Import this before anything from ``tuf.ngclient`` (packs/fetchers.py, packs/update.py do).
"""
from __future__ import annotations

import socket
import sys


def import_urllib3_without_probe() -> None:
    if "urllib3.util.connection" in sys.modules:
        return
    saved = socket.has_ipv6
    socket.has_ipv6 = False
    try:
        import urllib3.util.connection as conn
    finally:
        socket.has_ipv6 = saved
    conn.HAS_IPV6 = saved


import_urllib3_without_probe()
