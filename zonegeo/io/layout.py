"""Where each layer lives inside a dataset folder (a folder store)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["LAYER_FILES", "REQUIRED", "SUFFIXES", "find_layer"]

#: Where :func:`read_dataset` looks for each layer inside a dataset folder.
#: The first existing candidate wins; any format zonegeo reads is accepted.
LAYER_FILES: dict[str, tuple[str, ...]] = {
    "districts": ("boundaries/districts", "districts"),
    "zones": ("plots/zones", "zones"),
    "plots": ("plots/plots", "plots"),
    "infrastructure": ("infrastructure/infrastructure", "infrastructure"),
    "settlements": (
        "boundaries/settlements",
        "infrastructure/settlements",
        "settlements",
    ),
    "exclusions": ("boundaries/exclusions", "exclusions"),
}
SUFFIXES = (
    ".gpkg",
    ".parquet",
    ".geoparquet",
    ".geojson",
    ".json",
    ".shp",
    ".shp.zip",
    ".zip",
    ".csv",
)
REQUIRED = ("districts", "zones", "plots", "infrastructure")


def find_layer(folder: Path, layer: str) -> Path | None:
    """Return the file of ``layer`` in a dataset folder, or None if none exists."""
    for stem in LAYER_FILES[layer]:
        for suffix in SUFFIXES:
            candidate = folder / f"{stem}{suffix}"
            if candidate.exists():
                return candidate
    return None


