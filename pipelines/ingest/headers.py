"""Header recognition for return files (contract §1).

Names match case-insensitively, ignoring spaces, underscores, hyphens and dots, so
`Area Code`, `AREA_CODE` and `area-code` are all `area_code`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CANONICAL_ALIASES: dict[str, tuple[str, ...]] = {
    "area_code": ("area_code", "area", "gss_code", "ons_code", "la_code"),
    "indicator": ("indicator", "ni", "ni_code", "indicator_code"),
    "period": ("period", "period_label", "year"),
    "value": ("value",),
    "numerator": ("numerator", "num"),
    "denominator": ("denominator", "den", "denom"),
    "ci_lower": ("ci_lower", "lower_ci"),
    "ci_upper": ("ci_upper", "upper_ci"),
    "status": ("status",),
    "comment": ("comment", "note", "notes"),
}
CANONICAL_COLUMNS: tuple[str, ...] = tuple(CANONICAL_ALIASES)

_IGNORED = re.compile(r"[\s_\-.]+")


def normalise_name(name: str) -> str:
    """`Area Code` -> `areacode`: the form in which header names are compared."""
    return _IGNORED.sub("", name.replace("\ufeff", "")).casefold()


_ALIAS_TO_CANONICAL: dict[str, str] = {
    normalise_name(alias): canonical
    for canonical, aliases in CANONICAL_ALIASES.items()
    for alias in aliases
}


def canonical_name(name: str) -> str | None:
    """The contract column a header cell names, or None for an unknown column."""
    return _ALIAS_TO_CANONICAL.get(normalise_name(name))


class HeaderError(ValueError):
    """The header cannot be used; the message says why, for a person."""


@dataclass
class HeaderMap:
    """Where each contract column sits in a file's rows."""

    names: list[str]  # header cells as written in the file
    positions: dict[str, int]  # canonical column -> 0-based position
    extra_columns: list[str] = field(default_factory=list)


def is_header_row(cells: list[str]) -> bool:
    """A header is the first row holding both an area and an indicator column."""
    found = {canonical_name(c) for c in cells if c and c.strip()}
    return "area_code" in found and "indicator" in found


def map_header(cells: list[str]) -> HeaderMap:
    """Map a header row to contract columns, or raise HeaderError (MISSING_COLUMNS)."""
    names = [c.strip() if c else "" for c in cells]
    positions: dict[str, int] = {}
    extra: list[str] = []
    for index, name in enumerate(names):
        if not name:
            continue
        canonical = canonical_name(name)
        if canonical is None or (canonical == "comment" and canonical in positions):
            # A second free-text column (Notes beside Comment) is kept as an extra column:
            # no value depends on it, so there is nothing to be ambiguous about.
            extra.append(name)
        elif canonical in positions:
            first = names[positions[canonical]]
            raise HeaderError(
                f"columns {first!r} (column {positions[canonical] + 1}) and {name!r} "
                f"(column {index + 1}) both mean {canonical!r}; keep one of them"
            )
        else:
            positions[canonical] = index
    missing = [c for c in ("area_code", "indicator", "period") if c not in positions]
    if "value" not in positions and not {"numerator", "denominator"} <= positions.keys():
        missing.append("value (or numerator and denominator)")
    if missing:
        raise HeaderError(
            "missing required column(s): "
            + ", ".join(missing)
            + f"; the header row has: {', '.join(n for n in names if n) or '(nothing)'}"
        )
    return HeaderMap(names=names, positions=positions, extra_columns=extra)
