"""Interactive Folium maps: one district, the region, and the offline HTML atlas.

- :mod:`~zonegeo.maps.district`: ``district_map``, ``region_map``, ``save_map``
- :mod:`~zonegeo.maps.atlas`: ``write_atlas`` (index page + one page per district)
- :mod:`~zonegeo.maps.page`: the page's web assets, inlined from installed packages
- ``static/``: zonegeo's own JavaScript and CSS
"""

from zonegeo.maps.atlas import write_atlas
from zonegeo.maps.district import district_map, region_map, save_map

__all__ = ["district_map", "region_map", "save_map", "write_atlas"]
