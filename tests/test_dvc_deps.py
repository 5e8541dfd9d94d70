"""Each stage in dvc.yaml lists as deps its script and exactly the imgclf modules it imports."""

import ast
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
STAGES = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.module and node.module.startswith("imgclf"):
                parts = node.module.split(".")
                if len(parts) > 1:
                    found.add(parts[1])
                else:
                    found.update(alias.name for alias in node.names)
            elif node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("imgclf."))
    return {m for m in found if (ROOT / "imgclf" / f"{m}.py").exists()}


def closure(script: Path) -> set[str]:
    todo, seen = list(imported_modules(script)), set()
    while todo:
        mod = todo.pop()
        if mod not in seen:
            seen.add(mod)
            todo += imported_modules(ROOT / "imgclf" / f"{mod}.py")
    return seen


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_stage_deps_are_its_script_and_modules(stage):
    spec = STAGES[stage]
    script = spec["cmd"].split("-m ")[1].replace(".", "/") + ".py"
    listed = {d for d in spec["deps"] if isinstance(d, str) and d.startswith("imgclf/")}
    expected = {f"imgclf/{m}.py" for m in closure(ROOT / script)}
    assert script in spec["deps"]
    assert listed == expected, f"missing: {sorted(expected - listed)}, not imported: {sorted(listed - expected)}"
