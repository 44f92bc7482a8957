"""Hardening (issue 9): a signed chat template cannot hang, exhaust memory or crash the app:
rendering runs under a time / loop / size budget that cancel interrupts, and every failure
is a SecurityError with a Japanese message. gennai-admin refuses to sign such templates."""
from __future__ import annotations

import hashlib
import threading
import time

import pytest

from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.core.errors import SecurityError
from gennai_desktop.core.i18n import tr
from gennai_desktop.llm import templates
from gennai_desktop.llm.base import Message

MSGS = [Message("user", "次の文を要約してください。")]

NESTED = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}ok"
NESTED_NO_CALLS = ("{% set r = [1,2,3,4,5,6,7,8,9,10] %}{% for a in r %}{% for b in r %}{% for c in r %}"
                   "{% for d in r %}{% for e in r %}{% for f in r %}{% for h in r %}{% endfor %}{% endfor %}"
                   "{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}ok")
HUGE_MUL = "{{ 'x' * 1500000000 }}"
HUGE_MUL_VAR = "{% set n = 1500000000 %}{{ 'x' * n }}"
POWER = "{{ (2 ** 99999999) % 7 }}"
DOUBLING = ("{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}")
SLOW = "{% for i in range(10000) %}{{ (range(10000)|join)|length }}{% endfor %}"   # ~10 s, few iterations
RECURSIVE = "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"


def _pinned(tpl: str, **kw) -> str:
    return templates.render_pinned(tpl, hashlib.sha256(tpl.encode()).hexdigest(), MSGS, **kw)


def _assert_mapped(exc: SecurityError) -> None:
    assert exc.key.startswith("llm.template."), exc.key
    ja = exc.message("ja")
    assert ja and "llm.template" not in ja and any("\u3040" <= ch <= "\u30ff" for ch in ja)


@pytest.mark.parametrize("tpl", [NESTED, NESTED_NO_CALLS], ids=["range", "literal-lists"])
def test_nested_loops_stop_quickly(tpl):
    t0 = time.monotonic()
    with pytest.raises(SecurityError) as ei:
        _pinned(tpl)
    assert time.monotonic() - t0 < templates.MAX_RENDER_SECONDS + 3
    assert ei.value.key == "llm.template.budget"
    _assert_mapped(ei.value)


@pytest.mark.parametrize("tpl", [HUGE_MUL, HUGE_MUL_VAR, POWER, DOUBLING], ids=["mul", "mul-var", "pow", "doubling"])
def test_huge_values_are_refused_before_allocating(tpl):
    import tracemalloc
    tracemalloc.start()
    try:
        with pytest.raises(SecurityError) as ei:
            _pinned(tpl)
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200_000_000, peak
    _assert_mapped(ei.value)


def test_recursive_macro_is_a_message_not_a_recursion_error():
    with pytest.raises(SecurityError) as ei:
        _pinned(RECURSIVE)
    assert ei.value.key in ("llm.template.recursion", "llm.template.budget")
    _assert_mapped(ei.value)


def test_cancel_interrupts_a_slow_template():
    token = CancelToken()
    threading.Timer(0.2, token.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        _pinned(SLOW, cancel=token)
    assert time.monotonic() - t0 < 1.5


def test_slow_template_hits_the_deadline():
    t0 = time.monotonic()
    with pytest.raises(SecurityError) as ei:
        _pinned(SLOW)
    assert ei.value.key == "llm.template.budget" and "time" in ei.value.message("en")
    assert time.monotonic() - t0 < templates.MAX_RENDER_SECONDS + 2


def test_cancel_reaches_the_template_through_prompt_building():
    from gennai_desktop.llm.base import ModelSpec  # noqa: F401 - engine protocol lives there
    from gennai_desktop.tasks import prompting

    class Eng:
        class spec:  # noqa: N801 - minimal stand-in
            prompt_style, instruction_tuned = "chat", True

        def render_chat(self, messages, cancel):
            return _pinned(NESTED_NO_CALLS, cancel=cancel)

    token = CancelToken()
    token.cancel()
    import gennai_desktop.tasks.prompting as p
    orig = p.entry
    p.entry = lambda task, name, engine: {"chat_user": "{text}", "max_tokens": 8}
    try:
        with pytest.raises(Cancelled):
            prompting.build("summarize", "map", Eng(), cancel=token, text="x")
    finally:
        p.entry = orig


def test_normal_templates_still_render_and_big_documents_fit():
    long = "本文。" * 200_000                   # 600k characters of document
    out = templates.render_reviewed("gemma", [Message("user", long)])
    assert long in out
    loop = "{% for m in messages %}{{ loop.index }}:{{ m.content }}{% if not loop.last %}|{% endif %}{% endfor %}"
    assert _pinned(loop) == "1:次の文を要約してください。"


DEEP_PARENS = "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}"
DEEP_IFS = "{% if 1 %}" * 3000 + "x" + "{% endif %}" * 3000


@pytest.mark.parametrize("tpl", [DEEP_PARENS, DEEP_IFS], ids=["parens", "ifs"])
def test_deeply_nested_template_is_a_message(tpl):
    with pytest.raises(SecurityError) as ei:
        _pinned(tpl)
    _assert_mapped(ei.value)


@pytest.mark.parametrize("tpl", [NESTED, HUGE_MUL, RECURSIVE, "{% for x in %}", DEEP_PARENS])
def test_check_template_refuses(tpl):
    with pytest.raises(SecurityError) as ei:
        templates.check_template(tpl)
    _assert_mapped(ei.value)


# Hardening round 3: widths in a vendor-signed template reached 2–4 GB before any size check.
WIDTHS = {
    "center": "{{ 'x'|center(2000000000) }}",
    "indent": "{{ 'a\nb'|indent(1000000000) }}",
    "indent-lines": "{{ ('a\n' * 3000000)|indent(100) }}",
    "format-filter": "{{ '%2000000000d'|format(1) }}",
    "format-star": "{{ '%*d'|format(2000000000, 1) }}",
    "percent": "{{ '%2000000000s' % 'x' }}",
    "percent-precision": "{{ '%.2000000000f' % 1.5 }}",
    "str-format": "{{ '{:>2000000000}'.format('x') }}",
    "str-format-nested": "{{ '{:>{w}}'.format('x', w=2000000000) }}",
    "ljust": "{{ 'x'.ljust(2000000000) }}",
    "replace": "{{ ('x' * 3000000).replace('', 'yy') }}",
}


@pytest.mark.parametrize("tpl", list(WIDTHS.values()), ids=list(WIDTHS))
def test_formatting_widths_are_bounded_before_allocating(tpl):
    import tracemalloc
    tracemalloc.start()
    try:
        with pytest.raises(SecurityError) as ei:
            _pinned(tpl)
        _cur, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ei.value.key in ("llm.template.budget", "llm.template.invalid", "llm.template.unsafe"), ei.value.key
    assert peak < 200 * 1024 ** 2, f"peak {peak / 1e6:.0f} MB"
    _assert_mapped(ei.value)


def test_ordinary_formatting_still_works():
    out = _pinned("{{ 'ab'|center(6) }}|{{ 'a\nb'|indent(2) }}|{{ '%03d'|format(7) }}|{{ '%-4s' % 'x' }}|"
                  "{{ '{:>4}'.format('y') }}|{{ 'x'.ljust(3) }}|{{ 'aa'.replace('a', 'b') }}")
    assert out == "  ab  |a\n  b|007|x   |   y|x  |bb"
