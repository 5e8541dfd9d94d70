"""Label hygiene: labels that differ only in case or surrounding spaces (`ANGER` and `anger`, `cat ` and `cat`)
are one class written two ways. They are an error naming them (`data.label_variants: fail`) or merged into their
most common spelling (`merge`); never two classes by accident."""

from __future__ import annotations

from collections import Counter, defaultdict

from ..core.errors import UserError


def canonical(labels: list[str], policy: str, where: str) -> dict[str, str]:
    """Each label as written -> its class name (spaces around it removed, its variants merged)."""
    groups: dict[str, Counter] = defaultdict(Counter)
    for label in labels:
        groups[label.strip().casefold()][label] += 1
    variants = [sorted(group) for group in groups.values() if len(group) > 1]
    if variants and policy == "fail":
        shown = "; ".join(" and ".join(repr(v) for v in group) for group in variants[:5])
        more = f"; and {len(variants) - 5} more" if len(variants) > 5 else ""
        raise UserError(
            f"{where} has labels that differ only in case or spaces: {shown}{more}. Make each class one spelling, or "
            f"set data.label_variants: merge to merge each into its most common spelling"
        )
    mapping = {}
    for group in groups.values():
        name = group.most_common(1)[0][0].strip()  # ties: the spelling seen first
        mapping.update({spelling: name for spelling in group})
    return mapping
