"""Signed model packs: a GGUF plus a reviewed manifest, delivered by ministry IT over TUF.

Layers: ``manifest`` (the format) → ``gguf_match`` (file vs manifest) → ``tufclient``
(python-tuf ngclient over HTTP or a folder) → ``store`` (atomic install, active pointer,
rollback) → ``api`` (what the CLI and the UI call). ``repo``/``admin_cli`` are the
ministry-side signing tools; ``tuf_client_cli`` is the conformance-suite client.
"""
