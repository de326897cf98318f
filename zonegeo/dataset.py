"""The :class:`Dataset`: every layer of a planning region, held together.

Reading one from a folder, a store or the demo is :mod:`zonegeo.io.dataset`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from zonegeo import schema

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Dataset", "empty_layer"]

log = logging.getLogger(__name__)

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
    return schema.empty_history()


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
