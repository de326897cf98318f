"""Siting: where a new zone should go.

- :mod:`~zonegeo.siting.criteria`: criteria (benefit/cost) and exclusion rules
- :mod:`~zonegeo.siting.candidates`: candidate sites on a grid, with exclusions
- :mod:`~zonegeo.siting.ranking`: AHP weights, weighted sum, TOPSIS, rank stability
- :mod:`~zonegeo.siting.scenario`: scenario files that tie these together
"""

from zonegeo.siting.candidates import candidate_sites
from zonegeo.siting.criteria import Criterion
from zonegeo.siting.ranking import AHPResult, ahp_weights, rank, rank_stability
from zonegeo.siting.scenario import Scenario, load_scenario, run_scenario

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
]
