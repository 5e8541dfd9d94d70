"""build: the architecture's summary and parameter count (train builds the same model itself, seeded)."""

from imgclf.stage import stage


@stage("build", tensorflow=True)
def main(p) -> str:
    from imgclf import model
    from imgclf.core import arrays, hardware, paths
    from imgclf.core.atomic import write_json, write_text

    meta = arrays.load_meta(paths.DATASET)
    choice = hardware.apply(p.model.precision, warn=False)
    net = model.from_params(p, meta)
    write_text(paths.MODEL_SUMMARY, model.summary_text(net))
    write_json(paths.MODEL_GRAPH, model.layer_graph(net))  # drawn by the report (no TensorFlow there)
    write_json(paths.MODEL_METRICS, {"preset": p.model.preset, "parameters": int(net.count_params())})
    return (
        f"{p.model.preset} for {tuple(meta['image_shape'])}: {net.count_params():,} params, {choice.policy} "
        f"({choice.reason})"
    )


if __name__ == "__main__":
    main()
