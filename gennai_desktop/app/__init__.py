"""The application services that sit above llm/ and packs/ and below the CLI and the UI.

``app.models`` chooses the model and opens its engine; the CLI and the UI both call it, so
they never disagree about which model runs or how it is loaded.
"""
