"""公用文 proofreading without a model: a rule engine over SudachiPy morphemes (rules are
data in resources/koyobun/), Word tracked-changes output and a findings report.

Why a separate package: it is the deterministic, sourced half of 校正 that works with
the weak bundled model or none at all; the model pass only adds to it (core.findings.merge).
"""
from __future__ import annotations
