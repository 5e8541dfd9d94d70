"""User-given names (classes, branches, param values) in Markdown that renders them as plain text."""

from __future__ import annotations

import re

from ..core.text import printable


def md_code(value) -> str:
    """A name as a Markdown code span, so that Markdown, HTML, math, @mentions and emoji codes in it show as
    plain text in a PR comment, and control characters as escapes (a terminal showing the file cannot be sent escape
    codes). For running text, not table cells (where a | would end the cell)."""
    s = printable(" ".join(str(value).splitlines())) or " "
    fence = "`" * (max((len(run) for run in re.findall("`+", s)), default=0) + 1)
    if s[0] == "`" or s[-1] == "`" or (s[0] == " " and s[-1] == " " and s.strip()):
        s = f" {s} "
    return fence + s + fence


def table_cell(value) -> str:
    """A name or value in a Markdown table cell: as code, with | escaped so that it cannot end the cell."""
    return md_code(value).replace("|", "\\|")
