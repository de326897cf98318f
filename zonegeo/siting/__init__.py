"""Siting: where a new zone should go.

- :mod:`~zonegeo.siting.criteria`: criteria (benefit/cost) and exclusion rules
- :mod:`~zonegeo.siting.candidates`: candidate sites on a grid, with exclusions
- :mod:`~zonegeo.siting.ranking`: AHP weights, weighted sum, TOPSIS, rank stability
- :mod:`~zonegeo.siting.scenario`: scenario files that tie these together
- :mod:`~zonegeo.siting.terrain`: slope from a DEM, raster statistics per site
"""

from zonegeo.siting.candidates import candidate_sites
from zonegeo.siting.criteria import Criterion
from zonegeo.siting.ranking import AHPResult, ahp_weights, rank, rank_stability
from zonegeo.siting.scenario import Scenario, load_scenario, run_scenario
from zonegeo.siting.terrain import terrain_slope, zonal_stats

__all__ = [
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
]
