"""zonegeo: plan industrial zones: plots, infrastructure access, site ranking, maps.

The public API, grouped by concept; see ``help(zonegeo.<name>)`` for each and
docs/architecture.md for the rooms they live in.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from zonegeo.errors import (
    CRSError,
    DataWarning,
    GeometryError,
    ReadError,
    SchemaError,
    StoreBusyError,
    UnknownDistrictError,
    ValidationError,
    ZonegeoError,
)

if TYPE_CHECKING:  # the names as type checkers and IDEs see them
    from zonegeo.access.cost import connection_costs, load_unit_costs
    from zonegeo.access.coverage import service_coverage
    from zonegeo.access.distances import infrastructure_distances
    from zonegeo.access.network import (
        RoadNetwork,
        labour_within,
        network_access,
        road_network,
    )
    from zonegeo.crs import area_ha, equal_area_crs, metric_crs
    from zonegeo.dataset import Dataset
    from zonegeo.io.dataset import load_demo, read_dataset
    from zonegeo.io.files import (
        read_districts,
        read_exclusions,
        read_features,
        read_infrastructure,
        read_layer,
        read_plots,
        read_settlements,
        read_zones,
        write_layer,
    )
    from zonegeo.io.locks import LOCK_TIMEOUT
    from zonegeo.io.osm import read_osm
    from zonegeo.io.store import write_dataset
    from zonegeo.kpis import district_kpis, zone_kpis
    from zonegeo.maps.atlas import write_atlas
    from zonegeo.maps.district import district_map
    from zonegeo.maps.printing import print_atlas
    from zonegeo.maps.raster import RasterLayer
    from zonegeo.maps.save import save_map
    from zonegeo.parcels import idle_plots
    from zonegeo.registry import StatusChange, plot_history, reclaim, set_plot_status
    from zonegeo.report import write_report
    from zonegeo.siting.candidates import candidate_sites
    from zonegeo.siting.criteria import Criterion
    from zonegeo.siting.ranking import AHPResult, ahp_weights, rank, rank_stability
    from zonegeo.siting.scenario import Scenario, load_scenario, run_scenario
    from zonegeo.siting.terrain import terrain_slope, zonal_stats

#: Public name -> module that defines it. The modules are imported on first
#: use (PEP 562, as in SPEC 1 "lazy loading"), so ``import zonegeo`` and every
#: ``zonegeo`` command start without loading folium, matplotlib or scipy until
#: a function needs them.
_LAZY: dict[str, str] = {
    "connection_costs": "zonegeo.access.cost",
    "load_unit_costs": "zonegeo.access.cost",
    "service_coverage": "zonegeo.access.coverage",
    "infrastructure_distances": "zonegeo.access.distances",
    "RoadNetwork": "zonegeo.access.network",
    "labour_within": "zonegeo.access.network",
    "network_access": "zonegeo.access.network",
    "road_network": "zonegeo.access.network",
    "area_ha": "zonegeo.crs",
    "equal_area_crs": "zonegeo.crs",
    "metric_crs": "zonegeo.crs",
    "Dataset": "zonegeo.dataset",
    "load_demo": "zonegeo.io.dataset",
    "read_dataset": "zonegeo.io.dataset",
    "read_districts": "zonegeo.io.files",
    "read_exclusions": "zonegeo.io.files",
    "read_features": "zonegeo.io.files",
    "read_infrastructure": "zonegeo.io.files",
    "read_layer": "zonegeo.io.files",
    "read_plots": "zonegeo.io.files",
    "read_settlements": "zonegeo.io.files",
    "read_zones": "zonegeo.io.files",
    "write_layer": "zonegeo.io.files",
    "LOCK_TIMEOUT": "zonegeo.io.locks",
    "read_osm": "zonegeo.io.osm",
    "write_dataset": "zonegeo.io.store",
    "district_kpis": "zonegeo.kpis",
    "zone_kpis": "zonegeo.kpis",
    "write_atlas": "zonegeo.maps.atlas",
    "district_map": "zonegeo.maps.district",
    "print_atlas": "zonegeo.maps.printing",
    "RasterLayer": "zonegeo.maps.raster",
    "save_map": "zonegeo.maps.save",
    "idle_plots": "zonegeo.parcels",
    "StatusChange": "zonegeo.registry",
    "plot_history": "zonegeo.registry",
    "reclaim": "zonegeo.registry",
    "set_plot_status": "zonegeo.registry",
    "write_report": "zonegeo.report",
    "candidate_sites": "zonegeo.siting.candidates",
    "Criterion": "zonegeo.siting.criteria",
    "AHPResult": "zonegeo.siting.ranking",
    "ahp_weights": "zonegeo.siting.ranking",
    "rank": "zonegeo.siting.ranking",
    "rank_stability": "zonegeo.siting.ranking",
    "Scenario": "zonegeo.siting.scenario",
    "load_scenario": "zonegeo.siting.scenario",
    "run_scenario": "zonegeo.siting.scenario",
    "terrain_slope": "zonegeo.siting.terrain",
    "zonal_stats": "zonegeo.siting.terrain",
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    msg = f"module 'zonegeo' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


try:
    __version__ = version("zonegeo")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = [
    # the data model and its errors
    "CRSError",
    "DataWarning",
    "Dataset",
    "RoadNetwork",
    "GeometryError",
    "ReadError",
    "SchemaError",
    "StoreBusyError",
    "UnknownDistrictError",
    "ValidationError",
    "ZonegeoError",
    "__version__",
    # reading and writing
    "LOCK_TIMEOUT",
    "load_demo",
    "read_dataset",
    "read_districts",
    "read_exclusions",
    "read_features",
    "read_infrastructure",
    "read_layer",
    "read_osm",
    "read_plots",
    "read_settlements",
    "read_zones",
    "write_dataset",
    "write_layer",
    # measures on the ellipsoid
    "area_ha",
    "equal_area_crs",
    "metric_crs",
    # access to infrastructure
    "connection_costs",
    "infrastructure_distances",
    "labour_within",
    "load_unit_costs",
    "network_access",
    "road_network",
    "service_coverage",
    # siting
    "AHPResult",
    "Criterion",
    "Scenario",
    "ahp_weights",
    "candidate_sites",
    "load_scenario",
    "rank",
    "rank_stability",
    "run_scenario",
    "terrain_slope",
    "zonal_stats",
    # the registry
    "StatusChange",
    "district_kpis",
    "idle_plots",
    "plot_history",
    "reclaim",
    "set_plot_status",
    "zone_kpis",
    # maps and reports
    "RasterLayer",
    "district_map",
    "print_atlas",
    "save_map",
    "write_atlas",
    "write_report",
]
