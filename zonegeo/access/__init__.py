"""Access to infrastructure: distances from plots to gas, power, water, roads, rail.

- :mod:`~zonegeo.access.distances`: ``infrastructure_distances`` (the GeoDataFrame face)
- :mod:`~zonegeo.access.nearest`: the numeric nearest-feature core (k-d tree,
  exact and geodesic refinement, geodesic densification of long edges)
- :mod:`~zonegeo.access.cost`: connection costs from distances and unit costs
- :mod:`~zonegeo.access.coverage`: share of each zone's plot area within reach
"""

from zonegeo.access.cost import connection_costs, load_unit_costs
from zonegeo.access.coverage import service_coverage
from zonegeo.access.distances import infrastructure_distances

__all__ = [
    "connection_costs",
    "infrastructure_distances",
    "load_unit_costs",
    "service_coverage",
]
