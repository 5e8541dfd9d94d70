"""The network as a picture for the run report: Graphviz's `dot` draws the layer graph the build stage wrote
(reports/model_graph.json) when it is installed; without it the report shows the same graph as a layer table.
Graphviz is optional: no Python package and no TensorFlow are needed here.
"""

from __future__ import annotations

import base64
import shutil
import subprocess

from . import html as h


def _shape(shape: list) -> str:
    dims = [str(d) for d in shape[1:]]
    return "x".join(dims) if dims else "-"


def _quote(*lines: str) -> str:
    """A DOT string of one or more lines."""
    return '"' + "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines) + '"'


def dot_source(layers: list[dict]) -> str:
    lines = [
        "digraph model {",
        '  graph [rankdir=TB, nodesep=0.25, ranksep=0.22, fontname="Helvetica"];',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#9db7e0", fontsize=10, '
        'fontname="Helvetica", margin="0.12,0.04"];',
        '  edge [color="#5b6475", arrowsize=0.6];',
    ]
    for layer in layers:
        params = f"  {layer['params']:,} params" if layer["params"] else ""
        kind = _kind(layer)
        label = _quote(f"{layer['name']} ({kind})", f"{_shape(layer['output_shape'])}{params}{_size(layer)}")
        style = ', fillcolor="#dfe9f8", penwidth=2' if "layers" in layer else ""
        lines.append(f"  {_quote(layer['name'])} [label={label}{style}];")
        for source in layer["inputs"]:
            lines.append(f"  {_quote(source)} -> {_quote(layer['name'])};")
    return "\n".join(lines + ["}"]) + "\n"


def svg(layers: list[dict]) -> bytes | None:
    """The picture as SVG, or None when Graphviz is not installed (or fails)."""
    dot = shutil.which("dot")
    if not dot:
        return None
    try:
        done = subprocess.run([dot, "-Tsvg"], input=dot_source(layers).encode(), capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 and b"<svg" in done.stdout else None


def _kind(layer: dict) -> str:
    """A layer's type; a backbone (a whole network in one layer) says so, with its number of layers."""
    return f"backbone, {layer['layers']} layers" if "layers" in layer else layer["type"]


def _size(layer: dict) -> str:
    return f", {layer['bytes'] / 2**20:.1f} MB" if "bytes" in layer else ""


def layer_table(layers: list[dict]) -> str:
    rows = [
        (
            layer["name"],
            _kind(layer),
            ", ".join(layer["inputs"]),
            _shape(layer["output_shape"]),
            f"{layer['params']:,}{_size(layer)}",
        )
        for layer in layers
    ]
    total = sum(layer["params"] for layer in layers)
    return (
        h.table(["layer", "type", "inputs from", "output shape", "params"], rows, left=3)
        + f'<p class="note">{total:,} parameters in all.</p>'
    )


def section(layers: list[dict]) -> str:
    """The report's Model section body: the picture (or a line on how to get one) and the layer table."""
    picture = svg(layers)
    if picture:
        uri = "data:image/svg+xml;base64," + base64.b64encode(picture).decode("ascii")
        head = f'<img class="diagram" alt="the network, layer by layer" src="{uri}">'
    else:
        head = (
            '<p class="note">Install Graphviz (<code>apt install graphviz</code>, <code>brew install '
            "graphviz</code>) and rerun <code>dvc repro -f report</code> to see the network as a picture.</p>"
        )
    return head + layer_table(layers)
