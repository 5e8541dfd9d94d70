"""Each stage in dvc.yaml lists as deps its script, imgclf/stage.py, and exactly the imgclf sub-packages (folders)
that the script's imports reach, so that editing code reruns the stages that run it and no other."""

import ast
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
STAGES = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def _module_file(name: str) -> Path | None:
    """imgclf.core.paths -> imgclf/core/paths.py (or a package's __init__.py); None outside imgclf."""
    if name != "imgclf" and not name.startswith("imgclf."):
        return None
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.exists():
            return path
    return None


def _name_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """imgclf modules a file imports, anywhere in it (a lazy import inside a function counts too)."""
    package = _name_of(path) if path.name == "__init__.py" else _name_of(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # `from . import html` imports a module
    return {name for name in found if _module_file(name)}


def closure(script: Path) -> set[Path]:
    """Every imgclf file that running the script can execute: its imports, theirs, and each one's packages."""
    todo, seen = [script], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imported(path):
            parts = name.split(".")
            todo += [
                _module_file(".".join(parts[:i])) for i in range(1, len(parts) + 1) if _module_file(".".join(parts[:i]))
            ]
    return seen - {script}


def expected_deps(script: Path) -> set[str]:
    files = closure(script)
    packages = {f"imgclf/{p.relative_to(ROOT / 'imgclf').parts[0]}" for p in files if p.parent != ROOT / "imgclf"}
    modules = {p.relative_to(ROOT).as_posix() for p in files if p.parent == ROOT / "imgclf" and p.name != "__init__.py"}
    return packages | modules


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_stage_deps_are_its_script_and_packages(stage):
    spec = STAGES[stage]
    script = spec["cmd"].split("-m ")[1].replace(".", "/") + ".py"
    listed = {d for d in spec["deps"] if isinstance(d, str) and d.startswith("imgclf/")}
    expected = expected_deps(ROOT / script)
    assert script in spec["deps"]
    assert listed == expected, f"missing: {sorted(expected - listed)}, not imported: {sorted(listed - expected)}"


def test_no_library_module_imports_the_stage_entry():
    """imgclf/stage.py is how the scripts in stages/ start; the packages below it never import it."""
    users = [
        p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "imgclf").rglob("*.py")) if "imgclf.stage" in imported(p)
    ]
    assert users == []
