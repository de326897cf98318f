"""Storage and validation: read and write layers, datasets and registry stores.

This room knows the file formats, PostGIS, the registry store with its locks and
history, and the checks that every layer passes on the way in; it knows nothing
of analysis, maps or the command line.

- :mod:`~zonegeo.io.files`: ``read_layer``/``read_plots``/... and ``write_layer``
- :mod:`~zonegeo.io.dataset`: ``read_dataset`` and ``load_demo``
- :mod:`~zonegeo.io.validate`, :mod:`~zonegeo.io.integrity`: checks of one layer
  and of the links and locations between layers
- :mod:`~zonegeo.io.store`, :mod:`~zonegeo.io.postgis`, :mod:`~zonegeo.io.locks`,
  :mod:`~zonegeo.io.history`: the registry store (GeoPackage folder or PostGIS)
- :mod:`~zonegeo.io.osm`: OpenStreetMap extracts
- :mod:`~zonegeo.io.sheets`, :mod:`~zonegeo.io.atomic`: safe CSV/XLSX, atomic writes
"""

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
from zonegeo.io.osm import read_osm
from zonegeo.io.store import write_dataset

__all__ = [
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
]
