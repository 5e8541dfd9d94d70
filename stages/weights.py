"""weights: what the network starts from (`model.weights`), verified and kept in models/pretrained/, so that dvc.lock
records it and new weights rerun train: a backbone's ImageNet file, a file of the user's, or nothing."""

from imgclf.stage import stage


@stage("weights")
def main(p) -> str:
    from imgclf.model import fetch, pretrained

    return pretrained.described(fetch.prepare(p.model))


if __name__ == "__main__":
    main()
