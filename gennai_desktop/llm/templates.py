"""Chat prompt rendering from reviewed, hash-pinned templates only.

A GGUF file may embed ``tokenizer.chat_template``; rendering that with Jinja2 was remote code
execution (CVE-2024-34359) and the sandbox has been escaped since (CVE-2024-56326,
CVE-2025-27516). So we NEVER render a template that came from a model file. Chat formats are
either reviewed templates shipped in ``resources/chat_templates/`` (their sha256 recorded in
``index.json``) or a template pinned by a signed model pack together with its sha256.

Even reviewed templates are rendered defensively: an AST pre-check refuses underscore
attributes, ``|attr`` and the ``cycler``/``joiner``/``lipsum`` globals; rendering happens in
``ImmutableSandboxedEnvironment`` with ``StrictUndefined``; control tokens inside message
text are neutralised so a document cannot forge a turn.

Rendering runs under a budget (``RenderBudget``): a deadline, a cancel token, a cap on loop
iterations (every ``for`` iterable is wrapped by a guard inserted into the parsed tree),
on output size and on the size of every value built by ``*``, ``+``, ``**``, ``~`` and
``range()``; calls, attribute and item access check the deadline and cancel too. So a signed
template with nested ``range(100000)`` loops stops after ``MAX_RENDER_SECONDS`` (or at once
on cancel) instead of hanging, ``'x' * 1500000000`` is refused before allocating, and a
recursive macro is a message, not a RecursionError. ``check_template`` runs the same checks
plus a trial render; ``gennai-admin`` refuses to build or sign a template that fails it.
Limit (documented): the budget bounds CPU time strictly; memory only for the value-building
operations above (a filter such as ``|join`` over a bounded list can still build a few
hundred MB before its result is checked).
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from ..core.cancel import NEVER, Cancelled, CancelToken
from ..core.errors import SecurityError
from ..core.paths import resources_dir
from .base import Message

MAX_RENDERED_CHARS = 4_000_000
MAX_TEMPLATE_CHARS = 200_000
MAX_RENDER_SECONDS = 2.0          # a chat prompt renders in milliseconds
MAX_LOOP_ITERATIONS = 200_000     # all loops of one render together
MAX_RANGE = 10_000                # items one range() may produce
MAX_VALUE_CHARS = 4_000_000       # any one string / list built while rendering
MAX_POWER = 10_000                # largest exponent for **

_LOOP_GUARD = "gennai_loop_guard"
_CONCAT_GUARD = "gennai_concat"
_local = threading.local()


class _BudgetExceeded(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class RenderBudget:
    """Limits for one render; checked from the sandbox hooks and the inserted guards."""

    def __init__(self, cancel: CancelToken = NEVER, seconds: float | None = None) -> None:
        self.cancel = cancel
        self.deadline = time.monotonic() + (MAX_RENDER_SECONDS if seconds is None else seconds)
        self.iterations = 0
        self._ticks = 0

    def check(self) -> None:
        if self.cancel.cancelled:
            raise Cancelled()
        if time.monotonic() > self.deadline:
            raise _BudgetExceeded("time")

    def tick(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_LOOP_ITERATIONS:
            raise _BudgetExceeded("loop iterations")
        self._ticks += 1
        if self._ticks >= 64:
            self._ticks = 0
            self.check()


def _budget() -> RenderBudget:
    b = getattr(_local, "budget", None)
    if b is None:                        # rendering outside render(): strictest default
        b = _local.budget = RenderBudget()
    return b


def _size(value: Any) -> int:
    if isinstance(value, (str, bytes, list, tuple, dict)):
        return len(value)
    return 0


def _check_size(value: Any) -> Any:
    if _size(value) > MAX_VALUE_CHARS:
        raise _BudgetExceeded("value too large")
    return value


def _loop_guard(iterable: Any):
    budget = _budget()
    budget.check()
    for item in iterable:
        budget.tick()
        yield item


def _concat(*parts: Any) -> str:
    total = 0
    out = []
    for part in parts:
        text = part if isinstance(part, str) else str(part)
        total += len(text)
        if total > MAX_VALUE_CHARS:
            raise _BudgetExceeded("value too large")
        out.append(text)
    return "".join(out)


# Widths a template may ask of a formatting function: ``|center(2**31)``, ``|indent(n)``,
# ``|format``, ``'%2000000000d' % 1``, ``'{:>2000000000}'.format(x)`` and ``'x'.ljust(n)``
# allocate their result before any size check could see it (they reached 2–4 GB).
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")
_BRACE_NUMBERS = re.compile(r"\{[^{}]*?:[^{}]*?(\d+)[^{}]*\}")


def _check_width(width: Any) -> None:
    if isinstance(width, int) and abs(width) > MAX_VALUE_CHARS:
        raise _BudgetExceeded(f"width {width}")


def _check_percent(fmt: str, args: Any) -> None:
    """``fmt % args``: every width/precision bounded, ``*`` widths taken from ``args``."""
    star = False
    for width, precision in _PERCENT_SPEC.findall(fmt):
        for n in (width, precision):
            if n == "*":
                star = True
            elif n:
                _check_width(int(n))
    if star:
        for a in args if isinstance(args, tuple) else (args,):
            _check_width(a)


def _check_brace(fmt: str) -> None:
    """``fmt.format(...)``: no width or precision above the cap (nested ``{}`` widths refused)."""
    if re.search(r"\{[^{}]*:[^{}]*\{", fmt):
        raise _BudgetExceeded("nested format width")
    for n in _BRACE_NUMBERS.findall(fmt):
        _check_width(int(n))


def _precheck_call(obj: Any, args: tuple, kwargs: dict) -> None:
    """Bound what a str method will allocate before it runs (jinja's sandbox hands out
    ``str.format`` wrapped: the string is then behind ``__wrapped__``)."""
    self_ = getattr(obj, "__self__", None)
    if self_ is None and hasattr(obj, "__wrapped__"):
        self_ = getattr(obj.__wrapped__, "__self__", None)
    name = getattr(obj, "__name__", "")
    if not isinstance(self_, str):
        return
    values = list(args) + list(kwargs.values())
    if name in ("center", "ljust", "rjust", "zfill") and values:
        _check_width(values[0])
    elif name == "expandtabs" and values:
        _check_width(int(values[0]) * max(1, self_.count("\t")) if isinstance(values[0], int) else 0)
    elif name == "replace" and len(values) >= 2 and isinstance(values[0], str) and isinstance(values[1], str):
        hits = len(self_) + 1 if values[0] == "" else self_.count(values[0])
        if len(values) >= 3 and isinstance(values[2], int) and values[2] >= 0:
            hits = min(hits, values[2])
        if len(self_) + hits * len(values[1]) > MAX_VALUE_CHARS:
            raise _BudgetExceeded("replace too large")
    elif name in ("format", "format_map"):
        _check_brace(self_)


def _safe_center(value: Any, width: int = 80) -> str:
    _check_width(width)
    return str(value).center(width)


def _safe_indent(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> str:
    from jinja2.filters import do_indent
    text = str(s)
    per_line = width if isinstance(width, int) else len(str(width))
    _check_width(per_line)
    if per_line * (text.count("\n") + 1) + len(text) > MAX_VALUE_CHARS:
        raise _BudgetExceeded("indent too large")
    return do_indent(text, width, first, blank)


def _safe_format(value: Any, *args: Any, **kwargs: Any) -> str:
    from jinja2.filters import do_format
    if args and kwargs:
        raise _BudgetExceeded("format with both args and kwargs")
    _check_percent(str(value), tuple(args) if args else kwargs)
    return do_format(value, *args, **kwargs)


def _bounded_range(*args: int):
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise _BudgetExceeded(f"range of {len(r)} items")
    return r

# Turn markers of the formats we support; literal occurrences inside message text are
# neutralised (first "<" → fullwidth "＜") so that pasted text cannot open or close a turn.
CONTROL_MARKERS = (
    "<start_of_turn>", "<end_of_turn>", "<bos>", "<eos>",
    "<|im_start|>", "<|im_end|>", "<|endoftext|>",
    "<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
)
_FORBIDDEN_FILTERS = frozenset({"attr"})
_FORBIDDEN_NAMES = frozenset({"cycler", "joiner", "lipsum", "self", "config", "request", "g", "url_for"})


def _templates_dir():
    return resources_dir() / "chat_templates"


@lru_cache(maxsize=1)
def _index() -> dict[str, dict[str, str]]:
    data = json.loads((_templates_dir() / "index.json").read_text(encoding="utf-8"))
    return dict(data["templates"])


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_reviewed(name: str) -> str:
    """Text of the reviewed template ``name``; refuses it if the file does not match its hash."""
    entry = _index().get(name)
    if entry is None:
        raise SecurityError("llm.template.unknown", name=name)
    raw = (_templates_dir() / entry["file"]).read_bytes()
    if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
        raise SecurityError("llm.template.hash_mismatch", name=name)
    return raw.decode("utf-8")


def _check_ast(template: str) -> Any:
    """Parse ``template`` and refuse constructs that sandbox escapes have relied on."""
    from jinja2 import TemplateSyntaxError, nodes

    if len(template) > MAX_TEMPLATE_CHARS:
        raise SecurityError("llm.template.unsafe", detail=f"template of {len(template)} characters")
    env = _environment()
    try:
        tree = env.parse(template)
    except TemplateSyntaxError as exc:
        raise SecurityError("llm.template.invalid", detail=str(exc)) from None
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Name, nodes.Test,
                               nodes.Import, nodes.FromImport, nodes.Include, nodes.Extends)):
        if isinstance(node, (nodes.Import, nodes.FromImport, nodes.Include, nodes.Extends)):
            raise SecurityError("llm.template.unsafe", detail=type(node).__name__.lower())
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            raise SecurityError("llm.template.unsafe", detail=f".{node.attr}")
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                and isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            raise SecurityError("llm.template.unsafe", detail=f"[{node.arg.value!r}]")
        if isinstance(node, nodes.Filter) and node.name in _FORBIDDEN_FILTERS:
            raise SecurityError("llm.template.unsafe", detail=f"|{node.name}")
        if isinstance(node, nodes.Name) and node.name in _FORBIDDEN_NAMES:
            raise SecurityError("llm.template.unsafe", detail=node.name)
    # Any string constant that spells a dunder is refused too (e.g. built with ~ concatenation).
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, str) and "__" in const.value:
            raise SecurityError("llm.template.unsafe", detail=repr(const.value[:40]))
    return tree


def _budgeted_environment_class():
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class BudgetedEnvironment(ImmutableSandboxedEnvironment):
        """Immutable sandbox whose hooks enforce the current RenderBudget."""

        intercepted_binops = frozenset({"*", "**", "+", "//", "%"})

        def call_binop(self, context, operator, left, right):
            _budget().check()
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(n, int) \
                            and len(seq) * max(n, 0) > MAX_VALUE_CHARS:
                        raise _BudgetExceeded("repetition too large")
            if operator == "**" and isinstance(right, int) and abs(right) > MAX_POWER:
                raise _BudgetExceeded("power too large")
            if operator == "+" and _size(left) + _size(right) > MAX_VALUE_CHARS:
                raise _BudgetExceeded("value too large")
            if operator == "%" and isinstance(left, str):
                _check_percent(left, right)
            return _check_size(super().call_binop(context, operator, left, right))

        def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - jinja's signature
            _budget().check()
            for a in (*args, *kwargs.values()):
                _check_size(a)
            _precheck_call(__obj, args, kwargs)
            return _check_size(super().call(__context, __obj, *args, **kwargs))

        def getattr(self, obj, attribute):
            _budget().check()
            return super().getattr(obj, attribute)

        def getitem(self, obj, argument):
            _budget().check()
            return super().getitem(obj, argument)

    return BudgetedEnvironment


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import StrictUndefined

    env = _budgeted_environment_class()(undefined=StrictUndefined, autoescape=False,
                                        trim_blocks=True, lstrip_blocks=True)
    for name in ("cycler", "joiner", "lipsum"):
        env.globals.pop(name, None)
    env.globals["range"] = _bounded_range
    env.filters.update(center=_safe_center, indent=_safe_indent, format=_safe_format)
    env.globals["raise_exception"] = _raise_exception  # used by Hugging Face chat templates
    env.globals[_LOOP_GUARD] = _loop_guard
    env.globals[_CONCAT_GUARD] = _concat
    return env


def _insert_guards(tree: Any) -> Any:
    """Wrap every ``for`` iterable in the loop guard and every ``~`` in the bounded concat."""
    from jinja2 import nodes

    def guard(name: str, args: list) -> Any:
        return nodes.Call(nodes.Name(name, "load"), args, [], None, None)

    for loop in list(tree.find_all(nodes.For)):
        loop.iter = guard(_LOOP_GUARD, [loop.iter])
    # innermost first does not matter: each Concat becomes a call on its (already guarded) parts
    for parent in list(tree.find_all(nodes.Node)):
        for field in parent.fields:
            value = getattr(parent, field, None)
            if isinstance(value, nodes.Concat):
                setattr(parent, field, guard(_CONCAT_GUARD, value.nodes))
            elif isinstance(value, list):
                setattr(parent, field, [guard(_CONCAT_GUARD, v.nodes) if isinstance(v, nodes.Concat) else v
                                        for v in value])
    return tree


def _raise_exception(message: str) -> None:
    raise ValueError(str(message)[:200])


@lru_cache(maxsize=32)
def _compiled(template: str):
    try:
        tree = _insert_guards(_check_ast(template))
        return _environment().from_string(tree)
    except SecurityError:
        raise
    except RecursionError:
        raise SecurityError("llm.template.recursion") from None
    except Exception as exc:  # noqa: BLE001 - any compile failure is an invalid template
        raise SecurityError("llm.template.invalid", detail=f"{type(exc).__name__}: {exc}"[:200]) from None


def neutralise(text: str) -> str:
    """Defuse literal control markers inside message text (``<end_of_turn>`` → ``＜end_of_turn>``)."""
    if "<" not in text:
        return text
    for marker in CONTROL_MARKERS:
        if marker in text:
            text = text.replace(marker, "＜" + marker[1:])
    return text


def render(template: str, messages: Sequence[Message], *, add_generation_prompt: bool = True,
           cancel: CancelToken = NEVER, seconds: float | None = None,
           variables: Mapping[str, str] | None = None) -> str:
    """Render ``messages`` with a (reviewed or pinned) ``template`` text, sandboxed and under a
    ``RenderBudget`` (deadline, ``cancel``, loop/size caps). Every failure is a SecurityError
    with an i18n key; ``Cancelled`` propagates as a clean stop."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError as JinjaSecurityError

    compiled = _compiled(template)
    msgs = [{"role": m.role, "content": neutralise(m.content)} for m in messages]
    out: list[str] = []
    size = 0
    previous = getattr(_local, "budget", None)
    budget = _local.budget = RenderBudget(cancel, seconds)
    try:
        for chunk in compiled.generate(messages=msgs, add_generation_prompt=add_generation_prompt,
                                       **(variables or {})):
            size += len(chunk)
            if size > MAX_RENDERED_CHARS:
                raise SecurityError("llm.template.unsafe", detail="output too large")
            out.append(chunk)
            budget.check()
    except Cancelled:
        raise
    except SecurityError:
        raise
    except _BudgetExceeded as exc:
        raise SecurityError("llm.template.budget", detail=exc.what) from None
    except RecursionError:
        raise SecurityError("llm.template.recursion") from None
    except MemoryError:
        raise SecurityError("llm.template.budget", detail="memory") from None
    except JinjaSecurityError as exc:
        raise SecurityError("llm.template.unsafe", detail=str(exc)[:200]) from None
    except (TemplateError, TypeError, ValueError, OverflowError, ArithmeticError, LookupError,
            AttributeError) as exc:
        raise SecurityError("llm.template.invalid", detail=str(exc)[:200]) from None
    except Exception as exc:  # noqa: BLE001 - nothing a template does may surface unmapped
        raise SecurityError("llm.template.invalid", detail=f"{type(exc).__name__}: {exc}"[:200]) from None
    finally:
        _local.budget = previous
    return "".join(out)


SAMPLE_MESSAGES = (Message("system", "あなたは公用文の校正者です。"), Message("user", "次の文を校正してください。"),
                   Message("assistant", "はい。"), Message("user", "続けてください。"))


def check_template(template: str, special: Mapping[str, str] | None = None) -> None:
    """What gennai-admin runs before signing: the AST check and a trial render of sample
    messages under the same budget the app uses. Raises SecurityError."""
    safe = _special_only(special)
    safe.setdefault("bos_token", "<bos>")
    safe.setdefault("eos_token", "<eos>")
    for add in (True, False):
        render(template, list(SAMPLE_MESSAGES), add_generation_prompt=add, variables=safe)
        render(template, list(SAMPLE_MESSAGES[1:2]), add_generation_prompt=add, variables=safe)


def _special_only(special: Mapping[str, str] | None) -> dict[str, str]:
    """Only the plain string variables pinned templates may see (``bos_token``, ``eos_token``)."""
    return {k: str(v) for k, v in (special or {}).items() if k in ("bos_token", "eos_token")}


def render_reviewed(name: str, messages: Sequence[Message], *, add_generation_prompt: bool = True,
                    cancel: CancelToken = NEVER) -> str:
    """Render with the reviewed built-in format ``name`` (e.g. "gemma", "llama3", "chatml")."""
    return render(load_reviewed(name), messages, add_generation_prompt=add_generation_prompt, cancel=cancel)


def render_pinned(template: str, sha256: str | None, messages: Sequence[Message], *,
                  add_generation_prompt: bool = True, name: str = "pack", cancel: CancelToken = NEVER,
                  special: Mapping[str, str] | None = None) -> str:
    """Render a pack-pinned template; refuses it unless its sha256 matches the pinned one.

    ``special`` carries plain string variables such templates expect (``bos_token``, ``eos_token``).
    """
    if not sha256 or sha256_text(template) != sha256.lower():
        raise SecurityError("llm.template.hash_mismatch", name=name)
    return render(template, messages, add_generation_prompt=add_generation_prompt, cancel=cancel,
                  variables=_special_only(special))
