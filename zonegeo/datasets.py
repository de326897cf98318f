"""Paths of the datasets bundled with zonegeo."""

from __future__ import annotations

from pathlib import Path

from zonegeo.errors import ValidationError

__all__ = ["available", "get_path"]

_DATASETS = {"demo": "Turkistan region demo: districts, zones, plots, infrastructure"}


def available() -> dict[str, str]:
    """Return the names and descriptions of the bundled datasets."""
    return dict(_DATASETS)


def get_path(name: str = "demo") -> Path:
    """Return the folder of a bundled dataset.

    Parameters
    ----------
    name : str
        Dataset name; see :func:`available`.

    Raises
    ------
    ValidationError
        If the name is unknown (the message lists the known names).

    Examples
    --------
    >>> from zonegeo.datasets import get_path
    >>> (get_path("demo") / "plots" / "plots.gpkg").exists()
    True
    """
    if name not in _DATASETS:
        msg = f"unknown dataset {name!r}; available: {', '.join(_DATASETS)}"
        raise ValidationError(msg)
    # Installed: data/ is packaged as zonegeo/_demo. From a source tree: ../data.
    here = Path(__file__).resolve().parent
    for folder in (here / "_demo", here.parent / "data"):
        if (folder / "plots").is_dir():
            return folder
    msg = f"the bundled dataset {name!r} is missing from the installation ({folder})"
    raise ValidationError(msg)
