"""zonegeo: plan industrial zones: plots, infrastructure access, site ranking, maps.

The public API is re-exported here; see ``help(zonegeo.<name>)`` for each.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from zonegeo.crs import equal_area_crs, metric_crs
from zonegeo.dataset import Dataset, load_demo, read_dataset
from zonegeo.errors import (
    CRSError,
    DataWarning,
    GeometryError,
    SchemaError,
    UnknownDistrictError,
    ValidationError,
    ZonegeoError,
)
from zonegeo.io import (
    read_districts,
    read_exclusions,
    read_infrastructure,
    read_layer,
    read_plots,
    read_settlements,
    read_zones,
    write_layer,
)
from zonegeo.kpis import district_kpis, zone_kpis
from zonegeo.parcels import area_ha, idle_plots

try:
    __version__ = version("zonegeo")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+unknown"

__all__ = [
    "CRSError",
    "DataWarning",
    "Dataset",
    "GeometryError",
    "SchemaError",
    "UnknownDistrictError",
    "ValidationError",
    "ZonegeoError",
    "__version__",
    "area_ha",
    "district_kpis",
    "equal_area_crs",
    "idle_plots",
    "load_demo",
    "metric_crs",
    "read_dataset",
    "read_districts",
    "read_exclusions",
    "read_infrastructure",
    "read_layer",
    "read_plots",
    "read_settlements",
    "read_zones",
    "write_layer",
    "zone_kpis",
]

# Added by later modules: one import line per module, names appended to __all__.
from zonegeo.candidates import candidate_sites  # noqa: E402
from zonegeo.criteria import Criterion  # noqa: E402
from zonegeo.ranking import AHPResult, ahp_weights, rank, rank_stability  # noqa: E402
from zonegeo.scenario import Scenario, load_scenario, run_scenario  # noqa: E402

__all__ += ["AHPResult", "Criterion", "Scenario", "ahp_weights", "candidate_sites",
            "load_scenario", "rank", "rank_stability", "run_scenario"]
from zonegeo.registry import StatusChange, plot_history, reclaim, set_plot_status  # noqa: E402
from zonegeo.report import write_report  # noqa: E402
from zonegeo.store import LOCK_TIMEOUT, StoreBusyError, write_dataset  # noqa: E402

__all__ += [
    "LOCK_TIMEOUT",
    "StatusChange",
    "StoreBusyError",
    "plot_history",
    "reclaim",
    "set_plot_status",
    "write_dataset",
    "write_report",
]
from zonegeo.atlas import write_atlas  # noqa: E402
from zonegeo.maps import district_map, save_map  # noqa: E402

__all__ += ["district_map", "save_map", "write_atlas"]
from zonegeo.distance import infrastructure_distances  # noqa: E402

__all__ += ["infrastructure_distances"]
from zonegeo.cost import connection_costs, load_unit_costs  # noqa: E402

__all__ += ["connection_costs", "load_unit_costs"]
from zonegeo.coverage import service_coverage  # noqa: E402

__all__ += ["service_coverage"]
from zonegeo.printing import print_atlas  # noqa: E402

__all__ += ["print_atlas"]
