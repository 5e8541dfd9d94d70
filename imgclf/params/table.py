"""The schema as a table: docs/params.md's (between its markers) and `imgclf params`'s, both generated here."""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel

from .fields import allowed, inner
from .schema import Params


def rows(model: type[BaseModel] = Params, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(param, default, allowed values, meaning) for every field, nested models expanded in place."""
    out = []
    for name, info in model.model_fields.items():
        key = f"{prefix}{name}"
        nested = inner(info.annotation)
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            if info.description:
                out.append((key, "(below)", _type_text(info.annotation), info.description))
            item = "[]." if typing.get_origin(info.annotation) is list else "."
            out += rows(nested, key + item)
        else:
            out.append((key, _default_text(info), _type_text(info.annotation, info), info.description or ""))
    return out


def _type_text(annotation: Any, info=None) -> str:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {_type_text(args[0])}"
    if origin is Annotated:
        metas = [m for m in args[1:] if hasattr(m, "metadata")]
        text = _type_text(args[0])
        bounds = " and ".join(allowed(m) for m in metas if allowed(m))
        return f"{text} {bounds}".strip()
    if origin in (typing.Union, types.UnionType):
        return _type_text(inner(annotation)) + " or null"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    text = {int: "int", float: "float", bool: "bool", str: "str"}[annotation]
    bounds = allowed(info) if info is not None else ""
    return f"{text} {bounds}".strip()


def _default_text(info) -> str:
    if info.is_required():
        return "required"
    return f"`{_yaml_text(info.default)}`"


def _yaml_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_text(v) for v in value) + "]"
    return str(value) if value != "" else '""'


def table(markdown: bool = True) -> str:
    header = ("param", "default", "allowed", "meaning")
    body = [(f"`{k}`", d, a, m) for k, d, a, m in rows()]
    if markdown:  # docs/params.md's table, between its `params-table` markers
        return (
            "\n".join(
                ["| " + " | ".join(header) + " |", "|---|---|---|---|"] + ["| " + " | ".join(r) + " |" for r in body]
            )
            + "\n"
        )
    plain = lambda text: text.replace("`", "").replace("\\|", "|")
    return "".join(f"{k} = {plain(d)}    ({plain(a)})\n    {plain(m)}\n" for k, d, a, m in rows())
