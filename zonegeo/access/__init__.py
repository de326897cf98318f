"""Access to infrastructure: distances from plots to gas, power, water, roads, rail.

- :mod:`~zonegeo.access.distances`: ``infrastructure_distances`` (the GeoDataFrame face)
- :mod:`~zonegeo.access.nearest`: the numeric nearest-feature core (k-d tree,
  exact and geodesic refinement, geodesic densification of long edges)
- :mod:`~zonegeo.access.cost`: connection costs from distances and unit costs
- :mod:`~zonegeo.access.coverage`: share of each zone's plot area within reach
- :mod:`~zonegeo.access.network`: road graph, road distance and time, labour
"""

from zonegeo.access.cost import connection_costs, load_unit_costs
from zonegeo.access.coverage import service_coverage
from zonegeo.access.distances import infrastructure_distances
from zonegeo.access.network import (
    RoadNetwork,
    labour_within,
    network_access,
    road_network,
)

__all__ = [
    "RoadNetwork",
    "connection_costs",
    "infrastructure_distances",
    "labour_within",
    "load_unit_costs",
    "network_access",
    "road_network",
    "service_coverage",
]
