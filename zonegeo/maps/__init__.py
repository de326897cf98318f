"""Maps: one district, the region, the offline HTML atlas and the printed atlas.

- :mod:`~zonegeo.maps.district`: ``district_map``, ``region_map``, ``save_map``
- :mod:`~zonegeo.maps.atlas`: ``write_atlas`` (index page + one page per district)
- :mod:`~zonegeo.maps.page`: the page's web assets, inlined from installed packages
- :mod:`~zonegeo.maps.printing`: ``print_atlas``, ``print_district``: the printed
  atlas (PDF) and printed district pages (PDF, PNG, SVG), drawn with matplotlib
- :mod:`~zonegeo.maps.charts`: charts of the key figures (SVG for the atlas index,
  matplotlib for the printed atlas, native Excel charts for the report)
- ``static/``: zonegeo's own JavaScript and CSS
"""

from zonegeo.maps.atlas import write_atlas
from zonegeo.maps.district import district_map, region_map, save_map
from zonegeo.maps.printing import print_atlas, print_district

__all__ = [
    "district_map",
    "print_atlas",
    "print_district",
    "region_map",
    "save_map",
    "write_atlas",
]
