"""How zonegeo's messages name rows, geometry types and close matches.

Every error that names rows or suggests a name goes through these helpers, so
that a message reads the same wherever it is raised.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["MAX_IDS", "closest_names", "describe_rows", "geometry_type_names"]

#: How many row ids a message names before it says "and N more".
MAX_IDS = 10


def describe_rows(ids: Sequence[object], *, id_column: str | None) -> str:
    """Name up to ten rows, then say how many more there are."""
    shown = [str(i) for i in ids[:MAX_IDS]]
    more = f" and {len(ids) - MAX_IDS} more" if len(ids) > MAX_IDS else ""
    label = f"{id_column}=" if id_column else "row "
    return label + ", ".join(shown) + more


#: shapely's geometry type ids, in order, as OGC names.
_TYPE_NAMES = np.array(
    [
        "Point",
        "LineString",
        "LinearRing",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
    ],
    dtype=object,
)


def geometry_type_names(geoms: np.ndarray) -> np.ndarray:
    """Return each geometry's type name ("" for missing geometries), vectorised."""
    ids = np.asarray(shapely.get_type_id(geoms))
    return np.where(ids >= 0, _TYPE_NAMES[np.clip(ids, 0, 7)], "")


def closest_names(
    wanted: Iterable[str], have: Sequence[str], *, cutoff: float = 0.6
) -> dict[str, str]:
    """Map each wanted name to the most similar name in ``have``, where one is close.

    Examples
    --------
    >>> from zonegeo.messages import closest_names
    >>> closest_names(["plot_id", "status"], ["plotid", "geometry"])
    {'plot_id': 'plotid'}
    """
    out = {}
    for name in wanted:
        close = difflib.get_close_matches(name, list(have), n=1, cutoff=cutoff)
        if close:
            out[name] = close[0]
    return out


