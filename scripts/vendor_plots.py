"""Regenerate .dvc/plots/index.html: the page `dvc plots show/diff` fill (.dvc/config: plots.html_template), with
vega, vega-lite and vega-embed inlined so the plots draw offline (dvc-render's own page loads them from a CDN).

Usage: python scripts/vendor_plots.py [TARBALL_DIR]   (without TARBALL_DIR it runs `npm pack` for the pinned versions)

The libraries are the minified UMD builds of their npm packages, checked against npm's sha512 integrity. Same
major versions as dvc-render's CDN tags (vega 5, vega-lite 5, vega-embed 6), newer releases of them. Licences (all
BSD-3-Clause) go in front of each library in the page and in .dvc/plots/licenses/; vega's npm package ships none,
so its text (github.com/vega/vega, LICENSE) is kept there by hand.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / ".dvc" / "plots"
# name: (version, npm's dist.integrity of the tarball, the build inside it), in the order the page loads them
LIBRARIES = {
    "vega": (
        "5.33.1",
        "sha512-1fArfVDUqVbb5z8n+/nVQb+VNBzx8svY6CrsyTK4Ujm4yrd9I1auoKxBAPXLCavY1LcrbHUskQbGUP8gXOzyQw==",
        "build/vega.min.js",
    ),
    "vega-lite": (
        "5.23.0",
        "sha512-l4J6+AWE3DIjvovEoHl2LdtCUkfm4zs8Xxx7INwZEAv+XVb6kR6vIN1gt3t2gN2gs/y4DYTs/RPoTeYAuEg6mA==",
        "build/vega-lite.min.js",
    ),
    "vega-embed": (
        "6.29.0",
        "sha512-PmlshTLtLFLgWtF/b23T1OwX53AugJ9RZ3qPE2c01VFAbgt3/GSNI/etzA/GzdrkceXFma+FDHNXUppKuM0U6Q==",
        "build/vega-embed.min.js",
    ),
}
# dvc-render fills {refresh_tag} and {plot_divs}; the page has no scripts placeholder, where it would add CDN tags.
PAGE = """<!DOCTYPE html>
<!-- Made by scripts/vendor_plots.py ({versions}, from npm): do not edit by hand. -->
<html>
<head>
    <meta charset="utf-8">
    {{refresh_tag}}
    <title>DVC Plot</title>
{scripts}
    <style>
        table {{
            border-spacing: 15px;
        }}
    </style>
</head>
<body>
    {{plot_divs}}
</body>
</html>
"""


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def tarball(name: str, version: str, folder: Path) -> Path:
    path = folder / f"{name}-{version}.tgz"
    if not path.exists():
        cmd = ["npm", "pack", "--silent", f"{name}@{version}", "--pack-destination", str(folder)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return path


def library(name: str, folder: Path) -> tuple[str, str]:
    """(minified build, licence text) of `name` from its checked npm tarball."""
    version, expected, build = LIBRARIES[name]
    path = tarball(name, version, folder)
    if integrity(path.read_bytes()) != expected:
        raise SystemExit(f"error: {path} does not match npm's integrity for {name}@{version}")
    with tarfile.open(path) as tar:
        members = tar.getnames()
        js = tar.extractfile(f"package/{build}").read().decode()
        licence_file = OUT / "licenses" / f"{name}.txt"
        if "package/LICENSE" in members:
            licence_file.write_text(tar.extractfile("package/LICENSE").read().decode())
        elif not licence_file.exists():
            raise SystemExit(f"error: {name}'s npm package has no LICENSE: put its text in {licence_file}")
    licence = licence_file.read_text()
    # Inlined, neither may end its <script> element (or the licence comment) early, nor hold what dvc-render fills.
    bad = [s for s in ("</script", "<!--", "{plot_divs}", "{refresh_tag}", "{scripts}") if s in js + licence]
    if bad or "*/" in licence:
        raise SystemExit(f"error: {name}'s build or licence contains {bad or '*/'}: it cannot be inlined as it is")
    return js, licence


def main() -> int:
    (OUT / "licenses").mkdir(parents=True, exist_ok=True)
    scripts = []
    with tempfile.TemporaryDirectory(prefix="vendor-plots-") as tmp:
        folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tmp)
        libraries = {name: library(name, folder) for name in LIBRARIES}
    for name, (js, licence) in libraries.items():
        notice = f"/*! {name} {LIBRARIES[name][0]} (npm), BSD-3-Clause:\n{licence.strip()}\n*/"
        scripts.append(f"    <script>{notice}\n{js.strip()}\n</script>")
    versions = ", ".join(f"{name} {version}" for name, (version, _, _) in LIBRARIES.items())
    page = PAGE.format(versions=versions, scripts="\n".join(scripts))
    (OUT / "index.html").write_text(page, encoding="utf-8")
    print(f"{OUT / 'index.html'}: {versions}, {len(page.encode()) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
