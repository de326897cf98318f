"""Maps: one district, the region, the offline HTML atlas and the printed atlas.

- :mod:`~zonegeo.maps.district`: ``district_map``, one district's map
- :mod:`~zonegeo.maps.region`: ``region_map``, every district linking to its page
- :mod:`~zonegeo.maps.atlas`: ``write_atlas`` (index page + one page per district)
- :mod:`~zonegeo.maps.save`: ``save_map``, atomic and by default self-contained
- :mod:`~zonegeo.maps.plots`, :mod:`~zonegeo.maps.layers`, :mod:`~zonegeo.maps.sites`:
  the plots, context (infrastructure, zones, buffers ...) and candidate-site layers
- :mod:`~zonegeo.maps.raster`: ``RasterLayer``, a raster (hillshade, classed slope,
  any classes) as an image layer clipped to the district, with its legend
- :mod:`~zonegeo.maps.warp`: a raster's values over a district on a Web Mercator grid
- :mod:`~zonegeo.maps.styles`: basemaps, colours and layer styles, classes
- :mod:`~zonegeo.maps.legend`: legend items and the controls' options
- :mod:`~zonegeo.maps.popups`: escaping and popup / tooltip text
- :mod:`~zonegeo.maps.geojson`: coordinates written into the page, vertex budget
- :mod:`~zonegeo.maps.elements`: the branca elements zonegeo adds to a map
- :mod:`~zonegeo.maps.view`: a new map, its basemap, layer names and opening view
- :mod:`~zonegeo.maps.page`: the page's web assets, inlined from installed packages
- :mod:`~zonegeo.maps.printing`: ``print_atlas``, ``print_district``: the printed
  atlas (PDF) and printed district pages (PDF, PNG, SVG), drawn with matplotlib
- :mod:`~zonegeo.maps.charts`: charts of the key figures (SVG for the atlas index,
  matplotlib for the printed atlas, native Excel charts for the report)
- ``static/``: zonegeo's own JavaScript and CSS
"""

from zonegeo.maps.atlas import write_atlas
from zonegeo.maps.district import district_map
from zonegeo.maps.printing import print_atlas, print_district
from zonegeo.maps.raster import RasterLayer
from zonegeo.maps.region import region_map
from zonegeo.maps.save import save_map

__all__ = [
    "RasterLayer",
    "district_map",
    "print_atlas",
    "print_district",
    "region_map",
    "save_map",
    "write_atlas",
]
