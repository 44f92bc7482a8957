"""Signed model packs: a GGUF plus a reviewed manifest, delivered by ministry IT over TUF.

Layers: ``manifest`` (the format) → ``gguf_match`` (file vs manifest) → ``tufclient``
(python-tuf ngclient over HTTP or a folder) → ``store`` (atomic install, active pointer,
rollback) → ``api`` (what the CLI and the UI call) and ``models`` (the specs packs register
into llm's model registry). ``repo``/``build`` are the ministry-side signing and building
tools (their command lines are ``cli/admin.py``; the conformance-suite client is
``cli/tuf_client.py``).
"""
