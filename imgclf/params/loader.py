"""params.yaml read and validated, and pydantic's errors turned into one line naming the key."""

from __future__ import annotations

import difflib
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


def load(path: str | Path = "params.yaml") -> Params:
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path} not found: run from the project root, next to dvc.yaml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" line {line + 1}" if line is not None else ""
        raise UserError(f"{path}{where} is not valid YAML: {getattr(exc, 'problem', exc)}") from None
    return parse(raw)


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


def _one_line(err: dict) -> str:
    loc, kind, value = err["loc"], err["type"], err.get("input")
    where = dotted(loc) or "params.yaml"
    got = f"got {value!r} ({type(value).__name__})"
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
        near = difflib.get_close_matches(str(value), choices, n=1)
        return f"{where} must be one of {', '.join(choices)}; {got}" + (f" (did you mean '{near[0]}'?)" if near else "")
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        info = field_at(loc)
        return f"{where} must be {allowed(info)}; got {value!r}" + (
            f" ({info.description})" if info.description else ""
        )
    if kind in {"too_short", "too_long"}:
        return f"{where} must have {err['ctx'].get('min_length', err['ctx'].get('max_length'))} items; {got}"
    if kind == "value_error":
        message = str(err["ctx"]["error"])
        return message if not loc else f"{where}{' ' if message.startswith('must') else ': '}{message}"
    return f"{where}: {err['msg']}; {got}"
