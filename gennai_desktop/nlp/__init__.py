"""Japanese text processing shared by tasks and proofreading. ``morph`` is the only module
that imports ``sudachipy``."""
