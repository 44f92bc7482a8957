"""The local LLM layer. ``engine`` is the only module that imports ``llama_cpp``."""
