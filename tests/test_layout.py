"""The layout a newcomer reads: every output path declared once (imgclf/core/paths.py, which dvc.yaml repeats for
DVC), sub-packages that import, and no stage referred to by number."""

import ast
import importlib
import re
from pathlib import Path

import yaml

from imgclf.core import paths

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "params", "data", "model", "train", "evaluate", "report", "review", "serve", "share", "testing")


def dvc_paths(keys=("deps", "outs", "metrics")) -> set[str]:
    """Every file or folder dvc.yaml names under `keys` of its stages, outside the code (data, models, metrics)."""
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    found = set()
    for spec in stages.values():
        for key in keys:
            for entry in spec.get(key, []):
                name = entry if isinstance(entry, str) else next(iter(entry))
                if name.startswith(("data/", "models/", "metrics/", "reports/")):
                    found.add(name)
    return found


def test_dvc_yaml_and_the_paths_module_name_the_same_outputs():
    declared = {p.as_posix() for p in paths.STAGE_OUTPUTS}
    assert dvc_paths(("outs", "metrics")) == declared
    constants = {v.as_posix() for v in vars(paths).values() if isinstance(v, Path)}
    assert dvc_paths() <= constants


def test_output_paths_are_spelled_only_in_the_paths_module():
    """`grep -rn '"metrics/' imgclf` finds only imgclf/core/paths.py: everything else names the constant."""
    spelled = {}
    for path in sorted((ROOT / "imgclf").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.match(r"^(data|models|metrics|reports)/\S*$", node.value)
            ):
                spelled.setdefault(path.relative_to(ROOT).as_posix(), []).append(node.value)
    assert set(spelled) <= {"imgclf/core/paths.py"}, spelled


def test_every_sub_package_imports_and_names_its_api():
    for name in PACKAGES:
        module = importlib.import_module(f"imgclf.{name}")
        assert module.__doc__ and len(module.__doc__.strip()) > 40, name
        for symbol in getattr(module, "__all__", []):
            assert hasattr(module, symbol), (name, symbol)


def test_no_stage_is_referred_to_by_number():
    files = [*ROOT.glob("stages/*.py"), *(ROOT / "imgclf").rglob("*.py"), ROOT / "dvc.yaml"]
    numbered = [
        f"{p.relative_to(ROOT)}: {m.group(0)}" for p in files for m in re.finditer(r"\b[Ss]tage [0-9]\b", p.read_text())
    ]
    assert numbered == []


def test_every_stage_script_starts_the_same_way():
    """A docstring, `from imgclf.stage import stage`, a `@stage(...)` main, and the same last two lines."""
    for script in sorted(ROOT.glob("stages/*.py")):
        if script.name == "__init__.py":
            continue
        text = script.read_text()
        tree = ast.parse(text)
        assert ast.get_docstring(tree), script.name
        assert "from imgclf.stage import stage\n" in text, script.name
        assert re.search(rf'^@stage\("{script.stem}"', text, re.M), script.name
        assert text.rstrip().endswith('if __name__ == "__main__":\n    main()'), script.name


def test_readme_is_a_front_door_and_every_relative_link_resolves():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 210
    first = "\n".join(readme.splitlines()[:100])
    assert "## First experiments" in first and "dvc exp run" in first
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    assert {p.name for p in pages} >= {
        "data.md",
        "params.md",
        "experiments.md",
        "reports.md",
        "hardware.md",
        "scaling.md",
        "using-the-model.md",
        "troubleshooting.md",
        "performance.md",
    }
    broken = []
    for page in pages:
        text = page.read_text()
        anchors = {_anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            path, _, fragment = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
            elif fragment and dest.suffix == ".md":
                heads = (
                    anchors if dest == page else {_anchor(h) for h in re.findall(r"^#+ (.+)$", dest.read_text(), re.M)}
                )
                if fragment not in heads:
                    broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert broken == []


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def test_the_performance_page_is_written_from_the_bench_results():
    """docs/performance.md is what bench/publish.py writes from bench/results/*.json, not edited by hand."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("publish", ROOT / "bench" / "publish.py")
    publish = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(publish)
    assert list(publish.RESULTS.glob("*.json")), "no published bench results"
    assert (ROOT / "docs" / "performance.md").read_text() == publish.render(), "rerun python bench/publish.py"
