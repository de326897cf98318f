"""The :class:`Dataset`: every layer of a region, from a folder, a store or the demo."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from zonegeo import io, schema
from zonegeo.errors import CRSError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["LAYER_FILES", "Dataset", "empty_layer", "load_demo", "read_dataset"]

log = logging.getLogger(__name__)

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
_SUFFIXES = (
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
_REQUIRED = ("districts", "zones", "plots", "infrastructure")


def empty_layer(layer: str) -> gpd.GeoDataFrame:
    """Return an empty GeoDataFrame with the columns of ``layer`` in EPSG:4326."""
    sch = schema.LAYERS[layer]
    cols = sch.column_names + list(sch.computed)
    return gpd.GeoDataFrame(
        {c: [] for c in cols},
        geometry=gpd.GeoSeries([], crs=4326),
        crs=schema.STORAGE_CRS,
    )


def _empty_history() -> pd.DataFrame:
    from zonegeo.store import empty_history

    return empty_history()


@dataclass(frozen=True)
class Dataset:
    """All layers of a planning region, each a GeoDataFrame in EPSG:4326.

    Attributes
    ----------
    districts, zones, plots, infrastructure : GeoDataFrame
        The required layers (see :mod:`zonegeo.schema`).
    settlements, exclusions : GeoDataFrame
        Optional layers; empty when absent.
    source : str
        Where the data came from (a folder, a URL or ``"demo"``).
    history : DataFrame
        The plots' status history (:func:`zonegeo.plot_history`), read with
        the plots and written with them by :func:`zonegeo.write_dataset`, so a
        copy of a store keeps it; empty when there is none.

    Examples
    --------
    >>> import zonegeo
    >>> ds = zonegeo.load_demo()
    >>> sauran = ds.district("Sauran")
    >>> sorted(sauran.zones["kind"].unique())
    ['small_site']
    """

    districts: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    plots: gpd.GeoDataFrame
    infrastructure: gpd.GeoDataFrame
    settlements: gpd.GeoDataFrame = field(
        default_factory=lambda: empty_layer("settlements")
    )
    exclusions: gpd.GeoDataFrame = field(
        default_factory=lambda: empty_layer("exclusions")
    )
    source: str = ""
    history: pd.DataFrame = field(default_factory=_empty_history)

    def __iter__(self) -> Iterator[tuple[str, gpd.GeoDataFrame]]:
        """Iterate over ``(layer name, GeoDataFrame)`` pairs."""
        for name in schema.LAYERS:
            yield name, getattr(self, name)

    def __repr__(self) -> str:
        counts = ", ".join(f"{name}={len(gdf)}" for name, gdf in self)
        return f"Dataset({counts}, source={self.source!r})"

    @property
    def district_names(self) -> list[str]:
        """English names of the districts, in file order."""
        return [str(d) for d in self.districts["district"]]

    def check_district(self, name: str) -> str:
        """Return the English name of district ``name``, given in any language.

        ``name`` may be the district's English name or its Kazakh or Russian
        name (``name_kk``, ``name_ru``), in any case and with or without words
        such as *ауданы*, *район* or *district*; transliterations resolve too
        (``Turkistan`` for a district whose Kazakh name is Түркістан). See
        :func:`zonegeo.names.resolve_district`.

        Raises
        ------
        UnknownDistrictError
            Naming the known districts and the closest matches.

        Examples
        --------
        >>> import zonegeo
        >>> ds = zonegeo.load_demo()
        >>> ds.check_district("Сарыағаш"), ds.check_district("Сауранский район")
        ('Saryagash', 'Sauran')
        """
        from zonegeo.names import resolve_district

        return resolve_district(str(name), self.districts, source=self.source)

    def district(self, name: str) -> Dataset:
        """Return the subset of the dataset for one district.

        Districts, zones and plots are selected by their ``district`` column;
        infrastructure, settlements and exclusions by intersecting the district
        polygon (a pipeline crossing the district is kept whole).

        Parameters
        ----------
        name : str
            District name in English, Kazakh or Russian (see
            :meth:`check_district`).

        Raises
        ------
        UnknownDistrictError
            If no district has that name; the message suggests the closest.
        """
        name = self.check_district(name)
        districts = self.districts[self.districts["district"] == name]
        area = districts.geometry.union_all()

        def touching(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            if len(gdf) == 0:
                return gdf
            return gdf[gdf.intersects(area)]

        if (
            "district" in self.settlements.columns
            and self.settlements["district"].notna().any()
        ):
            settlements = self.settlements[self.settlements["district"] == name]
        else:
            settlements = touching(self.settlements)
        plots = self.plots[self.plots["district"] == name]
        return replace(
            self,
            districts=districts,
            zones=self.zones[self.zones["district"] == name],
            plots=plots,
            history=self.history[self.history["plot_id"].isin(plots["plot_id"])],
            infrastructure=touching(self.infrastructure),
            settlements=settlements,
            exclusions=touching(self.exclusions),
            source=f"{self.source}#{name}",
        )


def _find_layer(folder: Path, layer: str) -> Path | None:
    for stem in LAYER_FILES[layer]:
        for suffix in _SUFFIXES:
            candidate = folder / f"{stem}{suffix}"
            if candidate.exists():
                return candidate
    return None


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
        dataset (:func:`zonegeo.integrity.check_links`); or if a plot lies
        more than 1 km outside every district, saying which CRS its
        coordinates would fit (:func:`zonegeo.integrity.check_locations`).

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
        from zonegeo import postgis

        return _checked(postgis.read_dataset(text, date_format=date_format))
    folder = Path(src)
    if not folder.is_dir():
        msg = (
            f"{folder}: not a folder; read_dataset expects a dataset folder "
            "or a postgresql:// URL"
        )
        raise ValidationError(msg)
    from zonegeo import store

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
        path = _find_layer(folder, layer)
        if path is None:
            if layer in _REQUIRED:
                missing.append(
                    f"{layer} (looked for {', '.join(LAYER_FILES[layer])} "
                    f"with one of {', '.join(_SUFFIXES)})"
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
    from zonegeo.integrity import AMBIGUOUS, district_fit_hint

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
    from zonegeo.integrity import check_links, check_locations

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
