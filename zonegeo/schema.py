"""Column names, dtypes and allowed values of every zonegeo layer.

This module is the single source of truth for the data model; ``data/README.md``
documents the same tables for users. Every layer is a GeoDataFrame stored and
returned in EPSG:4326.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

__all__ = [
    "DISTRICTS",
    "EXCLUSIONS",
    "INFRASTRUCTURE",
    "INFRA_KINDS",
    "INFRA_SUBTYPES",
    "LAYERS",
    "PLOTS",
    "PLOT_STATUSES",
    "SETTLEMENTS",
    "STORAGE_CRS",
    "UTILITY_KINDS",
    "ZONES",
    "ZONE_KINDS",
    "Column",
    "LayerSchema",
]

#: CRS in which zonegeo stores and returns every layer.
STORAGE_CRS = "EPSG:4326"

#: Allowed plot statuses, in life-cycle order.
PLOT_STATUSES: tuple[str, ...] = ("free", "allocated", "construction", "operating")
#: Allowed zone kinds.
ZONE_KINDS: tuple[str, ...] = ("regional", "private", "small_park", "small_site")
#: Allowed infrastructure kinds: three utilities, then roads and railways.
INFRA_KINDS: tuple[str, ...] = ("gas", "electricity", "water", "road", "rail")
#: The utility kinds: the ones with connection costs, demand and spare capacity.
UTILITY_KINDS: tuple[str, ...] = ("gas", "electricity", "water")
#: Known infrastructure subtypes per kind (other subtypes are accepted). Roads and
#: railways read from OpenStreetMap keep the OSM value (``highway=primary`` gives
#: ``primary``; ``railway=station`` gives ``station``).
INFRA_SUBTYPES: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "gas": ("gas_pipeline", "gas_distribution_station"),
        "electricity": ("power_line", "substation"),
        "water": ("water_main", "water_intake"),
        "road": ("motorway", "trunk", "primary", "secondary", "tertiary"),
        "rail": ("rail", "station"),
    }
)

Dtype = Literal["string", "int", "float", "date", "year"]
POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True)
class Column:
    """One attribute column of a layer.

    Parameters
    ----------
    name : str
        Column name.
    dtype : {"string", "int", "float", "date", "year"}
        Logical type; readers coerce to it.
    required : bool
        Whether a file must have the column. Optional columns are added empty.
    allowed : tuple of str, optional
        Allowed values for a categorical column; empty values are allowed only
        when ``nullable``.
    nullable : bool
        Whether empty values are allowed.
    description : str
        What the column means, with its unit.
    """

    name: str
    dtype: Dtype
    required: bool = False
    allowed: tuple[str, ...] | None = None
    nullable: bool = True
    description: str = ""


@dataclass(frozen=True)
class LayerSchema:
    """The columns and geometry types of one layer."""

    name: str
    id_column: str | None
    columns: tuple[Column, ...]
    geometry_types: tuple[str, ...]
    computed: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        """Names of all columns, in schema order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


DISTRICTS = LayerSchema(
    name="districts",
    id_column="district",
    columns=(
        Column(
            "district",
            "string",
            required=True,
            nullable=False,
            description="Unique English name, e.g. 'Sauran'; the other layers name "
            "districts by it",
        ),
        Column("name_kk", "string", description="Name in Kazakh"),
        Column("name_ru", "string", description="Name in Russian"),
        Column("seat", "string", description="Administrative centre (town or village)"),
        Column("seat_lon", "float", description="Longitude of the seat, degrees"),
        Column("seat_lat", "float", description="Latitude of the seat, degrees"),
        Column(
            "status",
            "string",
            allowed=("district", "city"),
            description="'district' or 'city' (a city of district status)",
        ),
    ),
    geometry_types=POLYGONAL,
)

ZONES = LayerSchema(
    name="zones",
    id_column="zone_id",
    columns=(
        Column(
            "zone_id",
            "string",
            required=True,
            nullable=False,
            description="Unique zone identifier",
        ),
        Column("name", "string", required=True, description="Zone name"),
        Column(
            "district",
            "string",
            required=True,
            nullable=False,
            description="District the zone lies in: a `district` of the districts "
            "layer",
        ),
        Column(
            "kind",
            "string",
            required=True,
            allowed=ZONE_KINDS,
            nullable=False,
            description="regional, private, small_park or small_site",
        ),
        Column("established", "year", description="Year the zone was created"),
        Column(
            "budget_kzt",
            "float",
            description="Public budget spent on the zone, KZT (optional)",
        ),
    ),
    geometry_types=POLYGONAL,
    computed=("area_ha",),
)

PLOTS = LayerSchema(
    name="plots",
    id_column="plot_id",
    columns=(
        Column(
            "plot_id",
            "string",
            required=True,
            nullable=False,
            description="Unique plot identifier",
        ),
        Column(
            "zone_id",
            "string",
            description="Zone of the plot: a `zone_id` of the zones layer (a zone of "
            "the plot's district); empty outside zones",
        ),
        Column(
            "district",
            "string",
            required=True,
            nullable=False,
            description="District: a `district` of the districts layer, the one the "
            "plot lies in",
        ),
        Column(
            "status",
            "string",
            required=True,
            allowed=PLOT_STATUSES,
            nullable=False,
            description="free, allocated, construction, operating",
        ),
        Column("investor", "string", description="Investor (company) holding the plot"),
        Column(
            "project",
            "string",
            description="Project name; one project may hold several plots",
        ),
        Column("sector", "string", description="Industry sector of the project"),
        Column(
            "investment_kzt",
            "float",
            description="Investment of the project on this plot, KZT",
        ),
        Column("jobs_planned", "int", description="Jobs planned on this plot"),
        Column("jobs_created", "int", description="Jobs created so far on this plot"),
        Column("allocated_on", "date", description="Date the plot was allocated"),
        Column("build_by", "date", description="Date by which construction must start"),
    ),
    geometry_types=POLYGONAL,
    computed=("area_ha",),
)

INFRASTRUCTURE = LayerSchema(
    name="infrastructure",
    id_column="infra_id",
    columns=(
        Column(
            "infra_id",
            "string",
            required=True,
            nullable=False,
            description="Unique feature identifier",
        ),
        Column(
            "kind",
            "string",
            required=True,
            allowed=INFRA_KINDS,
            nullable=False,
            description="gas, electricity, water, road or rail",
        ),
        Column(
            "subtype",
            "string",
            description="e.g. gas_pipeline, gas_distribution_station, substation, "
            "power_line, water_main, water_intake; roads and railways: primary, "
            "rail, station, ...",
        ),
        Column("name", "string", description="Name of the feature"),
        Column("capacity", "float", description="Design capacity, in `unit`"),
        Column("spare_capacity", "float", description="Capacity still free, in `unit`"),
        Column("unit", "string", description="Unit of capacity: m3/h, kW or m3/d"),
    ),
    geometry_types=("Point", "LineString", "MultiLineString"),
)

SETTLEMENTS = LayerSchema(
    name="settlements",
    id_column=None,
    columns=(
        Column("name", "string", required=True, description="Settlement name"),
        Column("population", "float", description="Inhabitants"),
        Column(
            "district",
            "string",
            description="District: empty or a `district` of the districts layer",
        ),
    ),
    geometry_types=("Point",),
)

EXCLUSIONS = LayerSchema(
    name="exclusions",
    id_column=None,
    columns=(
        Column("name", "string", required=True, description="Name of the area"),
        Column(
            "reason",
            "string",
            required=True,
            description="Why it is excluded, e.g. 'protected area', 'water body'",
        ),
        Column("buffer_m", "float", description="Extra buffer around it, metres"),
    ),
    geometry_types=POLYGONAL,
)

#: Every layer schema by layer name.
LAYERS: MappingProxyType[str, LayerSchema] = MappingProxyType(
    {
        s.name: s
        for s in (DISTRICTS, ZONES, PLOTS, INFRASTRUCTURE, SETTLEMENTS, EXCLUSIONS)
    }
)


# -- status history of the plots (a store's plot_status_history table) --------

#: Columns of the status history, in order.
HISTORY_COLUMNS = (
    "history_id",
    "plot_id",
    "changed_at",
    "old_status",
    "new_status",
    "action",
    "note",
)


def history_frame(rows: Any) -> pd.DataFrame:
    """Return history rows (tuples or a DataFrame) typed as ``plot_history`` returns."""
    if isinstance(rows, pd.DataFrame):
        frame = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS)).reset_index(drop=True)
    else:
        frame = pd.DataFrame([tuple(r) for r in rows], columns=list(HISTORY_COLUMNS))
    frame["history_id"] = frame["history_id"].astype("int64")
    frame["changed_at"] = pd.to_datetime(
        frame["changed_at"], utc=True, format="ISO8601"
    )
    for c in ("plot_id", "old_status", "new_status", "action", "note"):
        frame[c] = frame[c].astype("string")
    return frame


def empty_history() -> pd.DataFrame:
    """Return an empty status history, with the columns of :func:`plot_history`."""
    return history_frame([])
