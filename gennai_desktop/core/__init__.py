"""Shared, dependency-free types used by every layer (documents, llm, tasks, cli, ui)."""
