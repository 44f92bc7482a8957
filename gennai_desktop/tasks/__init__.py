"""The four tasks (要約・校正・翻訳・起案) as cancellable generators of TaskEvents.

The CLI and the Qt UI are two faces of these functions; nothing here imports Qt.
Every task accepts ``engine=None`` and then takes its model-free path.
"""
