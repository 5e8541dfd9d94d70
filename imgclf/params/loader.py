"""params.yaml read and validated, and pydantic's errors turned into one line naming the key.

Read strictly, in bounded time and memory: at most MAX_BYTES of UTF-8, no YAML anchors or aliases (a few lines of
nested aliases expand to billions of values: the "billion laughs"), and no key given twice (YAML would silently keep
the last one). Values in messages are shortened, so no message grows with the input.
"""

from __future__ import annotations

import difflib
import reprlib
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..core.errors import UserError
from .fields import allowed, field_at, model_at
from .keys import dotted
from .schema import Params


def parse(raw: Any) -> Params:
    """Validate a params mapping; raises UserError with one line about the first bad key."""
    try:
        return Params.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        raise UserError(_one_line(exc.errors()[0])) from None


MAX_BYTES = 1 << 20  # ours is 6 KB


def load(path: str | Path = "params.yaml") -> Params:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path} not found: run from the project root, next to dvc.yaml")
    return parse(read_yaml(path))


def read_yaml(path: Path) -> Any:
    """The YAML of `path` as plain data, or one line saying why it is refused."""
    if path.stat().st_size > MAX_BYTES:
        raise UserError(f"{path} is {path.stat().st_size:,} bytes; a params file is at most {MAX_BYTES:,}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UserError(
            f"{path} line {line} is not UTF-8 text (byte {data[exc.start]:#04x}): save the file as UTF-8"
        ) from None
    loader = _StrictLoader(text, path)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _no_duplicates(node, (), path)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" line {line + 1}" if line is not None else ""
        raise UserError(f"{path}{where} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except RecursionError:
        raise UserError(f"{path} is nested too deeply to be a params file") from None
    finally:
        loader.dispose()


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing anchors and aliases as it meets them, before anything is expanded."""

    def __init__(self, text: str, path: Path):
        super().__init__(text)
        self.path = path

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise UserError(
                f"{self.path} line {event.start_mark.line + 1}: YAML anchors and aliases (&{event.anchor}, "
                f"*{event.anchor}) are not allowed in a params file: write the values out"
            )
        return super().compose_node(parent, index)


def _no_duplicates(node: yaml.Node, loc: tuple, path: Path) -> None:
    """A key given twice in one mapping is an error naming it and both lines (YAML would keep the last)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name is not None and name in seen:
                raise UserError(
                    f"{path}: '{dotted((*loc, name))}' is given twice (lines {seen[name]} and "
                    f"{key.start_mark.line + 1}); keep one"
                )
            if name is not None:
                seen[name] = key.start_mark.line + 1
            _no_duplicates(value, (*loc, name), path)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _no_duplicates(item, (*loc, i), path)


def as_dict(params: BaseModel) -> dict:
    return params.model_dump()


KINDS = {  # pydantic error type -> what the value must be
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "model_type": "a mapping of keys to values",
    "dict_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
}


_SHORT = reprlib.Repr()  # Python 3.11's takes no keywords
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring, _SHORT.maxlong, _SHORT.maxother = 3, 6, 6, 80, 40, 80


def _short(value: Any) -> str:
    """repr(value), cut short: a message about a huge value stays one short line, built in bounded time."""
    return _SHORT.repr(value)


def _one_line(err: dict) -> str:
    loc, kind, value = err["loc"], err["type"], err.get("input")
    where = dotted(loc) or "params.yaml"
    got = f"got {_short(value)} ({type(value).__name__})"
    if kind == "extra_forbidden":
        names = list(model_at(loc[:-1]).model_fields)
        near = difflib.get_close_matches(str(loc[-1]), names, n=1)
        hint = f" (did you mean '{dotted((*loc[:-1], near[0]))}'?)" if near else f" (known: {', '.join(names)})"
        return f"unknown param '{where}'{hint}"
    if kind == "missing":
        return f"missing param '{where}'"
    if kind in KINDS:
        return f"{where} must be {KINDS[kind]}; {got}"
    if kind == "literal_error":
        choices = [str(c) for c in typing.get_args(field_at(loc).annotation)]
        near = difflib.get_close_matches(value[:80] if isinstance(value, str) else _short(value), choices, n=1)
        return f"{where} must be one of {', '.join(choices)}; {got}" + (f" (did you mean '{near[0]}'?)" if near else "")
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        info = field_at(loc)
        return f"{where} must be {allowed(info)}; got {_short(value)}" + (
            f" ({info.description})" if info.description else ""
        )
    if kind in {"too_short", "too_long"}:
        return f"{where} must have {err['ctx'].get('min_length', err['ctx'].get('max_length'))} items; {got}"
    if kind == "value_error":
        message = str(err["ctx"]["error"])
        return message if not loc else f"{where}{' ' if message.startswith('must') else ': '}{message}"
    return f"{where}: {err['msg']}; {got}"
