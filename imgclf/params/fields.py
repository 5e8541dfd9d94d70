"""What a field of the schema is and allows, read from its annotation: for the one-line messages and the table."""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .schema import Params

BOUNDS = (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<"))


def model_at(loc: tuple) -> type[BaseModel]:
    node: Any = Params
    for key in loc:
        if isinstance(key, str):
            node = inner(node.model_fields[key].annotation)
    return node


def field_at(loc: tuple):
    """The FieldInfo of the value at `loc` (a list item's constraints sit on the list's item type)."""
    keys = [k for k in loc if isinstance(k, str)]
    info = model_at(tuple(keys[:-1])).model_fields[keys[-1]]
    if isinstance(loc[-1], int):  # an item of a list field: its own annotated constraints
        item = typing.get_args(info.annotation)[0]
        if typing.get_origin(item) is not Annotated:  # e.g. a Literal: the item's choices
            return FieldInfo(annotation=item)
        return next(m for m in typing.get_args(item)[1:] if hasattr(m, "metadata"))
    return info


def inner(annotation: Any) -> Any:
    """Architecture | None -> Architecture; list[Block] -> Block."""
    while typing.get_origin(annotation) in (list, typing.Union, types.UnionType):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
    return annotation


def allowed(info) -> str:
    """A field's range, e.g. '>= 0 and < 1', from its constraints."""
    parts = [f"{op} {getattr(m, name)}" for m in info.metadata for name, op in BOUNDS if hasattr(m, name)]
    return " and ".join(parts)
