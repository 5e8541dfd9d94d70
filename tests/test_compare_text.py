"""Names in the PR comment stay text; p-values are never rounded across the 5% line."""

import html
import re

import pytest
from markdown_it import MarkdownIt

from imgclf.review.markdown import md_code
from imgclf.review.wording import p_text

NAMES = [
    "NA",
    "null",
    "<b>bold</b>",
    "<img src=x onerror=alert(1)>",
    "$x^2$",
    "a|b",
    "`tick`",
    "``",
    "a ` b",
    " padded ",
    "@octocat",
    "*star*",
    "_x_",
    ":smile:",
    "[link](https://evil)",
    "# heading",
    "&amp;",
    "\\",
]


@pytest.mark.parametrize("name", NAMES)
def test_md_code_renders_the_name_as_literal_code(name):
    # Rendered by a CommonMark parser, in running text as compare.md uses it (never in a table cell).
    for doc in (f"classes: {md_code(name)} → {md_code('other')}", f"**{md_code(name)}** 12 fixed"):
        out = MarkdownIt("commonmark").render(doc)
        codes = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", out, flags=re.S)]
        assert codes[0] == name, (doc, out)
        assert "<b>" not in out and "<img" not in out and "<em>" not in out and "<a " not in out


def test_md_code_keeps_one_line():
    assert md_code("two\nlines") == "`two lines`"


@pytest.mark.parametrize(
    "p, text",
    [
        (0.41, "= 0.41"),
        (0.0001234, "= 0.00012"),
        (0.00001, "< 0.0001"),
        (1.0, "= 1"),
        (0.0496, "= 0.0496"),
        (0.0504, "= 0.05"),
        (0.049, "= 0.049"),
    ],
)
def test_p_text(p, text):
    assert p_text(p) == text


def test_noise_errors_are_one_line(tmp_path):
    import subprocess

    from conftest import BIN

    few = subprocess.run([str(BIN / "imgclf"), "noise", "--seeds", "1"], cwd=tmp_path, capture_output=True, text=True)
    assert few.returncode == 2 and few.stderr == "error: --seeds must be at least 2 to measure a spread; got 1\n"
    away = subprocess.run([str(BIN / "imgclf"), "noise"], cwd=tmp_path, capture_output=True, text=True)
    assert away.returncode == 2 and away.stderr.startswith("error: run `imgclf noise` in the project folder")
    assert list(tmp_path.iterdir()) == []
