"""質問応答: ask questions of a document or a folder, answered with page/block citations.

``answer.ask`` is the one generator the CLI and the UI share. Retrieval is BM25 over
sentence-aligned passages (``passages``, ``retrieval``); folders keep an incremental
index (``index``) whose persistence goes through ``store.IndexStore`` only.
"""
