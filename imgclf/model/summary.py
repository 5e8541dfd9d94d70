"""The built network described for the build stage's outputs: a plain-text layer table and the layer graph the
report draws (the report stage has no TensorFlow)."""

from __future__ import annotations


def summary_text(model) -> str:
    """A plain-text layer table (Keras' own summary is drawn for an 80-column terminal and gets cut)."""
    rows = [
        (f"{layer.name} ({type(layer).__name__})", str(tuple(layer.output.shape)), f"{layer.count_params():,}")
        for layer in model.layers
    ]
    widths = [max(len(r[i]) for r in rows + [("layer (type)", "output shape", "params")]) for i in range(3)]
    line = lambda r: f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}"
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    return (
        "\n".join(
            [line(("layer (type)", "output shape", "params")), "-" * (sum(widths) + 4)]
            + [line(r) for r in rows]
            + [
                "-" * (sum(widths) + 4),
                f"total params: {model.count_params():,}  "
                f"(trainable {trainable:,}, non-trainable {model.count_params() - trainable:,})",
            ]
        )
        + "\n"
    )


def layer_graph(model) -> list[dict]:
    """Each layer with its type, output shape, parameter count and the layers it takes its inputs from (from
    the model's saved config), for the report's architecture picture; the report stage has no TensorFlow."""
    config = {layer["config"]["name"]: layer for layer in model.get_config()["layers"]}

    def sources(node) -> list[str]:
        if isinstance(node, dict):
            if "keras_history" in node.get("config", {}):
                return [node["config"]["keras_history"][0]]
            return [name for value in node.values() for name in sources(value)]
        if isinstance(node, (list, tuple)):
            return [name for value in node for name in sources(value)]
        return []

    def entry(layer) -> dict:
        out = {
            "name": layer.name,
            "type": type(layer).__name__,
            "output_shape": [d if d is None else int(d) for d in layer.output.shape],
            "params": int(layer.count_params()),
            "inputs": list(dict.fromkeys(sources(config.get(layer.name, {}).get("inbound_nodes", [])))),
        }
        if hasattr(layer, "layers"):  # a backbone: one node, with its size
            out["layers"] = len(layer.layers)
            out["bytes"] = int(sum(w.numpy().nbytes for w in layer.weights))
        return out

    return [entry(layer) for layer in model.layers]
