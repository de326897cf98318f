"""Read a whole Dataset: a folder, a PostGIS schema or the bundled demo."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import geopandas as gpd

from zonegeo import schema
from zonegeo.dataset import Dataset
from zonegeo.errors import CRSError, ValidationError
from zonegeo.io import files as io
from zonegeo.io.layout import LAYER_FILES, REQUIRED, SUFFIXES, find_layer

__all__ = ["load_demo", "read_dataset"]

log = logging.getLogger(__name__)

def read_dataset(
    src: str | Path,
    *,
    lock_timeout: float | None = None,
    date_format: str | None = None,
    crs: object | None = None,
) -> Dataset:
    """Read every layer of a dataset folder (or a PostGIS schema URL).

    A folder holds ``boundaries/districts``, ``plots/zones``, ``plots/plots`` and
    ``infrastructure/infrastructure`` (and optionally ``boundaries/settlements``
    and ``boundaries/exclusions``) in any format zonegeo reads; the files may also
    sit directly in the folder (``districts.gpkg``, ...).

    Parameters
    ----------
    src : str or Path
        A folder, or a ``postgresql://`` URL naming a schema
        (``postgresql://host/db?schema=zonegeo``).
    lock_timeout : float, optional
        Seconds to wait while a writer holds the store (default
        :data:`zonegeo.LOCK_TIMEOUT`, 60); then
        :class:`~zonegeo.StoreBusyError`.
    date_format : str, optional
        How text dates are written when not ``dd.mm.yyyy`` (day first) or
        ISO ``YYYY-MM-DD``; see :func:`zonegeo.read_layer`.
    crs : optional
        CRS of the files that carry none (CSV with WKT, Shapefile without
        ``.prj``); never overrides a declared one.

    Returns
    -------
    Dataset

    Raises
    ------
    ValidationError
        If a required layer is missing or any layer fails validation; if a
        plot, zone or settlement names a district or zone that is not in the
        dataset (:func:`zonegeo.io.integrity.check_links`); or if a plot lies
        more than 1 km outside every district, saying which CRS its
        coordinates would fit (:func:`zonegeo.io.integrity.check_locations`).

    Warns
    -----
    DataWarning
        For a plot more than 1 km outside the district it names.

    Notes
    -----
    The plots and their status history (``Dataset.history``) are read as one
    snapshot: under the store's shared lock (folder) or in one transaction
    (PostGIS). A write that a killed process left half-done is rolled back
    first.

    Examples
    --------
    >>> import zonegeo
    >>> from zonegeo.datasets import get_path
    >>> ds = zonegeo.read_dataset(get_path("demo"))
    >>> len(ds.districts)
    17
    """
    text = str(src)
    if text.startswith(("postgresql://", "postgres://")):
        from zonegeo.io import postgis
        return _checked(postgis.read_dataset(text, date_format=date_format))
    folder = Path(src)
    if not folder.is_dir():
        msg = (
            f"{folder}: not a folder; read_dataset expects a dataset folder "
            "or a postgresql:// URL"
        )
        raise ValidationError(msg)
    from zonegeo.io import store
    timeout = store.lock_seconds(lock_timeout)
    with store.folder_read_lock(folder, timeout=timeout):
        dataset = _read_folder(folder, date_format=date_format, crs=crs)
        history = store.folder_history(folder, timeout=timeout)
    return replace(dataset, history=history)


def _read_folder(
    folder: Path, *, date_format: str | None, crs: object | None = None
) -> Dataset:
    layers: dict[str, gpd.GeoDataFrame] = {}
    missing = []
    for layer in schema.LAYERS:
        path = find_layer(folder, layer)
        if path is None:
            if layer in REQUIRED:
                missing.append(
                    f"{layer} (looked for {', '.join(LAYER_FILES[layer])} "
                    f"with one of {', '.join(SUFFIXES)})"
                )
            continue
        try:
            layers[layer] = io.read_layer(
                path,
                layer,  # type: ignore[arg-type]
                date_format=date_format,
                crs=crs,
            )
        except CRSError as err:
            if layer != "plots" or "districts" not in layers:
                raise
            _raise_with_district_hint(err, path, layers["districts"])
    if missing:
        msg = f"{folder}: missing layers: " + "; ".join(missing)
        raise ValidationError(msg)
    return _checked(Dataset(**layers, source=str(folder)))


def _raise_with_district_hint(
    err: CRSError, path: Path, districts: gpd.GeoDataFrame
) -> None:
    """Re-raise ``err`` with the CRS that puts the plots inside the districts."""
    from zonegeo.io.integrity import AMBIGUOUS, district_fit_hint

    if AMBIGUOUS not in str(err):
        raise err
    try:
        raw, _ = io._read_raw(path, "plots", layer_name=None, crs=None)
        hint = district_fit_hint(raw, districts, id_column="plot_id")
    except Exception:  # noqa: BLE001 - the hint is extra; the first error stands
        hint = None
    if hint is None:
        raise err
    msg = f"{err}\n  - against the districts of the dataset: {hint}"
    raise type(err)(msg) from err


def _checked(ds: Dataset) -> Dataset:
    """Check the links between layers and where the plots lie; return ``ds``."""
    from zonegeo.io.integrity import check_links, check_locations

    check_links(ds)
    check_locations(ds.plots, ds.districts, source=f"{ds.source} (plots)")
    return ds


def load_demo() -> Dataset:
    """Load the bundled demo dataset of Turkistan region (works offline).

    Returns
    -------
    Dataset
        Districts (real OpenStreetMap boundaries), zones, plots, infrastructure,
        settlements and exclusions; see ``data/README.md`` for what is a
        published fact and what is illustrative.

    Examples
    --------
    >>> import zonegeo
    >>> ds = zonegeo.load_demo()
    >>> int((ds.zones["kind"] == "regional").sum())
    14
    """
    from zonegeo.datasets import get_path

    ds = read_dataset(get_path("demo"))
    return replace(ds, source="demo")
