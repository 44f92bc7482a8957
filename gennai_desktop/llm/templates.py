"""Chat prompt rendering from reviewed, hash-pinned templates only.

A GGUF file may embed ``tokenizer.chat_template``; rendering that with Jinja2 was remote code
execution (CVE-2024-34359) and the sandbox has been escaped since (CVE-2024-56326,
CVE-2025-27516). So we NEVER render a template that came from a model file. Chat formats are
either reviewed templates shipped in ``resources/chat_templates/`` (their sha256 recorded in
``index.json``) or a template pinned by a signed model pack together with its sha256.

Even reviewed templates are rendered defensively: an AST pre-check refuses underscore
attributes, ``|attr`` and the ``cycler``/``joiner``/``lipsum`` globals; rendering happens in
``ImmutableSandboxedEnvironment`` with ``StrictUndefined`` and a cap on output size; control
tokens inside message text are neutralised so a document cannot forge a turn.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any, Sequence

from ..core.errors import SecurityError
from ..core.paths import resources_dir
from .base import Message

MAX_RENDERED_CHARS = 4_000_000
MAX_TEMPLATE_CHARS = 200_000

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


def available_formats() -> list[str]:
    """Names of the reviewed chat formats shipped with the app."""
    return sorted(_index())


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


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                        trim_blocks=True, lstrip_blocks=True)
    for name in ("cycler", "joiner", "lipsum"):
        env.globals.pop(name, None)
    env.globals["raise_exception"] = _raise_exception  # used by Hugging Face chat templates
    return env


def _raise_exception(message: str) -> None:
    raise ValueError(str(message)[:200])


@lru_cache(maxsize=32)
def _compiled(template: str):
    _check_ast(template)
    return _environment().from_string(template)


def neutralise(text: str) -> str:
    """Defuse literal control markers inside message text (``<end_of_turn>`` → ``＜end_of_turn>``)."""
    if "<" not in text:
        return text
    for marker in CONTROL_MARKERS:
        if marker in text:
            text = text.replace(marker, "＜" + marker[1:])
    return text


def render(template: str, messages: Sequence[Message], *, add_generation_prompt: bool = True,
           **extra: Any) -> str:
    """Render ``messages`` with a (reviewed or pinned) ``template`` text, sandboxed."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError as JinjaSecurityError

    compiled = _compiled(template)
    msgs = [{"role": m.role, "content": neutralise(m.content)} for m in messages]
    out: list[str] = []
    size = 0
    try:
        for chunk in compiled.generate(messages=msgs, add_generation_prompt=add_generation_prompt, **extra):
            size += len(chunk)
            if size > MAX_RENDERED_CHARS:
                raise SecurityError("llm.template.unsafe", detail="output too large")
            out.append(chunk)
    except JinjaSecurityError as exc:
        raise SecurityError("llm.template.unsafe", detail=str(exc)[:200]) from None
    except (TemplateError, TypeError, ValueError, OverflowError) as exc:
        raise SecurityError("llm.template.invalid", detail=str(exc)[:200]) from None
    return "".join(out)


def render_reviewed(name: str, messages: Sequence[Message], *, add_generation_prompt: bool = True) -> str:
    """Render with the reviewed built-in format ``name`` (e.g. "gemma", "llama3", "chatml")."""
    return render(load_reviewed(name), messages, add_generation_prompt=add_generation_prompt)


def render_pinned(template: str, sha256: str | None, messages: Sequence[Message], *,
                  add_generation_prompt: bool = True, name: str = "pack", **extra: Any) -> str:
    """Render a pack-pinned template; refuses it unless its sha256 matches the pinned one.

    ``extra`` carries plain string variables such templates expect (``bos_token``, ``eos_token``).
    """
    if not sha256 or sha256_text(template) != sha256.lower():
        raise SecurityError("llm.template.hash_mismatch", name=name)
    safe = {k: str(v) for k, v in extra.items() if k in ("bos_token", "eos_token")}
    return render(template, messages, add_generation_prompt=add_generation_prompt, **safe)
