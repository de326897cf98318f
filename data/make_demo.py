"""Generate the zonegeo demo dataset of Turkistan region, Kazakhstan.

Run from the repository root::

    python data/make_demo.py              # rewrites data/boundaries, data/plots, ...
    python data/make_demo.py --out DIR    # writes the same files under DIR
    python data/make_demo.py --districts F --names F --places F --geonames F \
        --pipelines F                     # the source files (default: ../shared/data)

The output is deterministic: the same code, source files and seed give
byte-identical GeoPackages (the GeoPackage ``last_change`` stamp is pinned to
``AS_OF``).

What is real, what is a published fact and what is made up is listed in
``data/README.md``. In short: the district boundaries are the OpenStreetMap
relations of the 17 units (made a gap- and overlap-free partition, simplified to
about 50 m), with names from geokz / OCHA COD-AB; the settlements are the OSM
towns and villages, with populations from OSM and GeoNames; two trunk gas
pipelines follow their OSM geometry. The zone counts, hectares, projects,
investment, jobs and buildings under construction reproduce the two source
articles (anyq.kz, February 2025). Every zone position, plot, the other
infrastructure lines and points and the exclusion polygons are **approximate or
illustrative**, written by hand below or drawn from a seeded random generator.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely
from shapely import affinity, ops
from shapely.geometry import LineString, Point, Polygon

try:
    from zonegeo import schema
except ModuleNotFoundError:  # run from a source tree without installing zonegeo
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from zonegeo import schema

log = logging.getLogger("make_demo")

#: Seed of the random generator; change it and every illustrative value changes.
SEED = 20250201
#: The data describe the state reported in the February 2025 articles.
AS_OF = dt.date(2025, 2, 1)
#: Folder the files are written to by default (the folder of this script).
DATA_DIR = Path(__file__).resolve().parent

#: Output files (relative to the output folder); the layer name is the stem.
FILES = {
    "districts": "boundaries/districts.gpkg",
    "settlements": "boundaries/settlements.gpkg",
    "exclusions": "boundaries/exclusions.gpkg",
    "zones": "plots/zones.gpkg",
    "plots": "plots/plots.gpkg",
    "infrastructure": "infrastructure/infrastructure.gpkg",
}

# --------------------------------------------------------------------------------------
# Published facts (SOURCES.md): the figures the demo data must reproduce.
# --------------------------------------------------------------------------------------
REGIONAL_ZONES_HA = 1700.0  # 14 regional zones, 1,700 ha, 5 created in the last year
REGIONAL_PROJECTS = 82  # in the 14 regional + 2 private zones
REGIONAL_INVESTMENT_KZT = 120e9
PROJECTS_APPROVED_2024 = 18
PARK_AREA_HA = 100.0
PARK_BUILDINGS = 152
PARK_BUILT = 40
PARK_PROJECTS_CONNECTED = 32
PARK_JOBS_CREATED = 1220
PARK_JOBS_PLANNED = 6040
PARK_INVESTMENT_PER_BUDGET = 8.5
SAURAN_SITES_HA = 55.0
SAURAN_PROJECTS = 115
SAURAN_INVESTMENT_KZT = 30e9
SAURAN_JOBS_PLANNED = 1124
SAURAN_CONSTRUCTION = 37
TEMIRLAN_HA = 10.5
TEMIRLAN_INVESTMENT_KZT = 10.4e9
TEMIRLAN_JOBS = 100
TEMIRLAN_CONSTRUCTION = 5
SMALL_SITES = 21
SMALL_SITES_CONSTRUCTION = 192

# fmt: off
#: Sectors named by the articles.
REGIONAL_SECTORS = ("construction materials", "finished metal products", "metallurgy",
                    "machine building", "light industry", "furniture")
PARK_SECTORS_OPERATING = ("furniture", "sprinkler irrigation", "beverages",
                          "refrigerators", "construction materials")
PARK_SECTORS_PLANNED = ("video cameras", "medical furniture", "household chemicals")
SMALL_SITE_SECTORS = ("construction materials", "furniture", "plastics and rubber",
                      "chemical products", "light industry")

# --------------------------------------------------------------------------------------
# Districts: the 17 units of Turkistan region (3 city administrations and 14 districts),
# from OpenStreetMap boundary relations. English, Kazakh and Russian names come from
# geokz (OCHA COD-AB 2024) for the units that match; geokz has no Sauran district and
# its "Kentau" unit is Kentau plus Sauran, so those two carry their own names.
# --------------------------------------------------------------------------------------
# code, OSM relation, geokz ADM2_PCODE (None: no matching geokz unit), status,
# OSM node of the administrative seat (a place in the populated-places file)
DISTRICTS = (
    ("TRK", 5496366, "KZ611000", "city", 214887132),        # Түркістан
    ("ARS", 3407442, "KZ611600", "city", 241781833),        # Арыс
    ("KNT", 17322798, None, "city", 241772277),             # Кентау
    ("BDB", 3407558, "KZ613600", "district", 1760005830),   # Шаян
    ("ZHS", 8768984, "KZ613800", "district", 247318618),    # Жетісай
    ("KZG", 5496171, "KZ614000", "district", 2111854093),   # Қазығұрт
    ("KLS", 9210172, "KZ613900", "district", 1492994952),   # Абай
    ("MKT", 3407205, "KZ614400", "district", 247318736),    # Мырзакент
    ("ORD", 3407634, "KZ614600", "district", 2042658769),   # Темірлан
    ("OTR", 3407147, "KZ614800", "district", 1515019354),   # Шәуілдір
    ("SRG", 5497131, "KZ615400", "district", 244532522),    # Сарыағаш
    ("SAU", 3407078, None, "district", 1496102286),         # Шорнақ
    ("SAY", 5496738, "KZ615200", "district", 1297024443),   # Ақсукент
    ("SZK", 3407031, "KZ615600", "district", 1496102346),   # Шолаққорған
    ("TLB", 5498152, "KZ615800", "district", 244529371),    # Леңгір
    ("TLK", 5498009, "KZ616000", "district", 1952574888),   # Тұрар Рысқұлов
    ("SHR", 3407327, "KZ616400", "district", 247319161),    # Шардара
)
#: Names of the units without a matching geokz unit: (English, Kazakh, Russian).
OWN_NAMES = {
    "KNT": ("Kentau", "Кентау", "Кентау"),
    "SAU": ("Sauran", "Сауран ауданы", "Сауранский район"),
}
#: A geokz unit matches an OSM unit when their intersection over union reaches this.
NAME_MATCH_IOU = 0.7
#: Simplification tolerance of the district boundaries, metres (shared edges are
#: simplified once, so the partition stays free of gaps and overlaps).
SIMPLIFY_M = 50.0
#: Decimal places of the stored lon/lat coordinates (1e-7 degrees is about 1 cm).
COORD_DECIMALS = 7

# --------------------------------------------------------------------------------------
# Settlements: OpenStreetMap places (city, town, village) inside the 17 units, from the
# HOT populated-places export; populations from OSM, else from GeoNames.
# --------------------------------------------------------------------------------------
#: OSM place values kept as settlements.
PLACE_KINDS = ("city", "town", "village")
#: A GeoNames place gives its population to the OSM place it lies this close to.
GEONAMES_MATCH_M = 3_000.0
#: Zone namesakes that are in neither the OSM nor the GeoNames file: approximate
#: positions (lon, lat), from general knowledge; they are not written as settlements.
APPROX_PLACES = {
    "Iassy": (68.100, 43.380),
    "Ushkayyk": (68.050, 43.080),
}
#: The OSM nodes of the towns and villages zones are named after (or lie beside).
ANCHORS = {
    "Turkistan": 214887132, "Kentau": 241772277, "Arys": 241781833,
    "Shayan": 1760005830, "Zhetisai": 247318618, "Kazygurt": 2111854093,
    "Abay": 1492994952, "Myrzakent": 247318736, "Temirlan": 2042658769,
    "Shauildir": 1515019354, "Saryagash": 244532522, "Shornak": 1496102286,
    "Aksukent": 1297024443, "Sholakkorgan": 1496102346, "Lengir": 244529371,
    "Turar Ryskulov": 1952574888, "Shardara": 247319161, "Karashyk": 1517681745,
    "Zhuynek": 1496101666, "Karabulak": 1496101979, "Atakent": 247318653,
    "Tulkibas": 3576524356,
}
#: Simplified romanisation of Kazakh Cyrillic for the English settlement names
#: (ғ, қ, ң, ө, ұ, ү written as g, k, n, o, u, u; no diacritics).
ROMAN = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
    "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "қ": "k", "л": "l",
    "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}
#: Approximate town positions the hand-drawn infrastructure corridors below were drawn
#: against. Every vertex of a corridor is moved with the towns onto their real OSM
#: positions (an inverse-distance-weighted shift, see ``_warp``).
# name, lon, lat
DRAWN_TOWNS = (
    ("Turkistan", 68.251, 43.297), ("Kentau", 68.505, 43.518),
    ("Arys", 68.805, 42.430), ("Shayan", 69.380, 43.020),
    ("Zhetisai", 68.327, 40.775), ("Kazygurt", 69.383, 41.760),
    ("Abay", 69.030, 41.330), ("Myrzakent", 68.545, 40.663),
    ("Temirlan", 69.258, 42.600), ("Shauildir", 68.364, 42.780),
    ("Saryagash", 69.170, 41.452), ("Shornak", 68.030, 43.210),
    ("Aksukent", 69.840, 42.430), ("Sholakkorgan", 69.170, 43.765),
    ("Lengir", 69.885, 42.183), ("Turar Ryskulov", 70.350, 42.530),
    ("Shardara", 67.965, 41.255), ("Karashyk", 68.200, 43.500),
    ("Zhuynek", 67.800, 43.400), ("Karabulak", 69.790, 42.500),
    ("Atakent", 68.510, 40.850),
)

# --------------------------------------------------------------------------------------
# Exclusions (approximate, illustrative): heritage sites, protected areas, water.
# --------------------------------------------------------------------------------------
SYR_DARYA = ((67.97, 41.26), (67.90, 41.55), (67.95, 41.85), (68.05, 42.20),
             (68.10, 42.55), (68.05, 42.85), (67.95, 43.05), (67.80, 43.25),
             (67.62, 43.45), (67.45, 43.65), (67.30, 43.80))
# name, reason, buffer_m, kind, data
EXCLUSIONS = (
    ("Sauran ancient settlement", "archaeological site", 500.0, "circle",
     (67.950, 43.467, 1_000.0)),
    ("Otyrartobe (Otrar) ancient settlement", "archaeological site", 500.0, "circle",
     (68.300, 42.850, 1_200.0)),
    ("Mausoleum of Khoja Ahmed Yasawi and its buffer zone", "cultural heritage site",
     500.0, "circle", (68.274, 43.293, 1_500.0)),
    ("Syr Darya river corridor", "water body", 500.0, "river", (SYR_DARYA, 1_500.0)),
    ("Shardara reservoir", "water body", 500.0, "polygon",
     ((67.95, 41.28), (68.10, 41.20), (68.15, 41.05), (68.05, 40.98), (67.85, 41.00),
      (67.72, 41.08), (67.80, 41.20), (67.90, 41.27))),
    ("Karatau State Nature Reserve", "protected area", 1_000.0, "polygon",
     ((68.72, 43.72), (68.90, 43.78), (69.08, 43.66), (69.02, 43.56), (68.82, 43.58))),
    ("Aksu-Zhabagly State Nature Reserve", "protected area", 1_000.0, "polygon",
     ((70.30, 42.30), (70.45, 42.42), (70.70, 42.45), (70.85, 42.35), (70.70, 42.15),
      (70.45, 42.10))),
    ("Sairam-Ugam National Park", "protected area", 1_000.0, "polygon",
     ((69.95, 42.05), (70.10, 42.12), (70.28, 42.18), (70.42, 42.05), (70.30, 41.85),
      (70.05, 41.80), (69.90, 41.90))),
)

# --------------------------------------------------------------------------------------
# Infrastructure along the region's real corridors (vertices approximate).
# --------------------------------------------------------------------------------------
#: Main gas pipelines: name, capacity m3/h, and either vertices (lon, lat) drawn by
#: hand or the OpenStreetMap relation whose geometry (from the pipelines file) is used.
GAS_MAINS = (
    ("Beineu-Bozoi-Shymkent main gas pipeline", 1_712_000.0, 10999298),
    ("Bukhara-Tashkent-Bishkek-Almaty main gas pipeline", 1_250_000.0,
     ((69.33, 41.40), (69.36, 41.55), (69.42, 41.75), (69.50, 41.95), (69.42, 42.18),
      (69.40, 42.35), (69.50, 42.47), (69.75, 42.47), (70.00, 42.47), (70.30, 42.55),
      (70.55, 42.66), (70.74, 42.74))),
    ("Central Asia-China gas pipeline (lines A, B, C)", 6_270_000.0, 8165751),
)
#: OSM trunk lines are kept up to this distance outside the region, metres.
PIPELINE_MARGIN_M = 10_000.0
#: Gas distribution stations: town, offset km, bearing deg, capacity m3/h.
GAS_STATIONS = (
    ("Turkistan", 3.0, 210, 60_000), ("Kentau", 2.5, 200, 30_000),
    ("Arys", 2.5, 30, 20_000), ("Shayan", 2.0, 200, 6_000),
    ("Temirlan", 2.0, 250, 10_000), ("Shauildir", 2.0, 120, 6_000),
    ("Shornak", 1.5, 60, 5_000), ("Iassy", 1.5, 120, 4_000),
    ("Aksukent", 2.0, 240, 15_000), ("Karabulak", 1.5, 250, 12_000),
    ("Lengir", 2.0, 280, 12_000), ("Turar Ryskulov", 2.0, 160, 6_000),
    ("Kazygurt", 2.0, 90, 8_000), ("Saryagash", 2.0, 100, 15_000),
    ("Abay", 2.0, 80, 6_000), ("Atakent", 2.0, 60, 8_000),
    ("Myrzakent", 2.0, 60, 8_000), ("Zhetisai", 2.5, 70, 12_000),
)
#: Substations: name, lon, lat, capacity kW (transformer rating).
SUBSTATIONS = (
    ("Shymkent 500 kV substation", 69.400, 42.500, 1_002_000),
    ("Shymkent South 220 kV substation", 69.500, 42.170, 250_000),
    ("Turkistan 220 kV substation", 68.285, 43.255, 250_000),
    ("Arys 220 kV substation", 68.840, 42.460, 250_000),
    ("Shardara HPP 220 kV switchyard", 67.990, 41.240, 200_000),
    ("Myrzakent 220 kV substation", 68.560, 40.690, 250_000),
    ("Kentau 110 kV substation", 68.530, 43.500, 80_000),
    ("Shayan 110 kV substation", 69.360, 43.000, 40_000),
    ("Zhetysai 110 kV substation", 68.340, 40.800, 63_000),
    ("Kazygurt 110 kV substation", 69.400, 41.740, 40_000),
    ("Abay 110 kV substation", 69.050, 41.350, 40_000),
    ("Temirlan 110 kV substation", 69.270, 42.580, 50_000),
    ("Shauildir 110 kV substation", 68.380, 42.760, 40_000),
    ("Saryagash 110 kV substation", 69.190, 41.470, 63_000),
    ("Shornak 110 kV substation", 68.050, 43.230, 32_000),
    ("Aksukent 110 kV substation", 69.860, 42.440, 63_000),
    ("Sholakkorgan 110 kV substation", 69.190, 43.750, 32_000),
    ("Lenger 110 kV substation", 69.900, 42.200, 50_000),
    ("Turar Ryskulov 110 kV substation", 70.370, 42.520, 40_000),
    ("Shardara 110 kV substation", 67.950, 41.280, 40_000),
    ("Atakent 110 kV substation", 68.520, 40.860, 40_000),
    ("Karashyk 35 kV substation", 68.215, 43.480, 10_000),
    ("Zhuynek 35 kV substation", 67.830, 43.425, 6_300),
)
#: Power lines: name, voltage kV, transfer capacity kW, vertices (lon, lat).
POWER_LINES = (
    ("500 kV line Zhambyl-Shymkent", 500, 1_000_000,
     ((70.72, 42.74), (70.40, 42.60), (70.05, 42.56), (69.75, 42.53), (69.40, 42.50))),
    ("500 kV line Shymkent-Tashkent", 500, 1_000_000,
     ((69.40, 42.50), (69.30, 42.25), (69.28, 41.95), (69.30, 41.65), (69.28, 41.40))),
    ("220 kV line Shymkent-Arys", 220, 250_000,
     ((69.40, 42.50), (69.10, 42.50), (68.84, 42.46))),
    ("220 kV line Arys-Turkistan", 220, 250_000,
     ((68.84, 42.46), (68.60, 42.75), (68.40, 43.05), (68.285, 43.255))),
    ("220 kV line Turkistan-Kyzylorda", 220, 250_000,
     ((68.285, 43.255), (68.00, 43.42), (67.70, 43.60), (67.48, 43.76))),
    ("220 kV line Shardara HPP-Arys", 220, 250_000,
     ((67.99, 41.24), (68.20, 41.60), (68.45, 42.00), (68.70, 42.30), (68.84, 42.46))),
    ("220 kV line Shardara HPP-Maktaaral", 220, 250_000,
     ((67.99, 41.24), (68.10, 41.05), (68.25, 40.85), (68.56, 40.69))),
    ("220 kV line Shymkent-Shymkent South", 220, 250_000,
     ((69.40, 42.50), (69.36, 42.30), (69.50, 42.17))),
    ("110 kV line Turkistan-Kentau", 110, 60_000, ((68.285, 43.255), (68.53, 43.50))),
    ("110 kV line Kentau-Sholakkorgan", 110, 60_000,
     ((68.53, 43.50), (68.75, 43.62), (68.95, 43.82), (69.19, 43.75))),
    ("110 kV line Turkistan-Shornak", 110, 60_000, ((68.285, 43.255), (68.05, 43.23))),
    ("35 kV line Turkistan-Karashyk", 35, 10_000, ((68.285, 43.255), (68.215, 43.48))),
    ("35 kV line Shornak-Zhuynek", 35, 10_000, ((68.05, 43.23), (67.83, 43.425))),
    ("110 kV line Shymkent-Shayan", 110, 60_000,
     ((69.40, 42.50), (69.38, 42.75), (69.36, 43.00))),
    ("110 kV line Shymkent-Temirlan", 110, 60_000, ((69.40, 42.50), (69.27, 42.58))),
    ("110 kV line Arys-Shauildir", 110, 60_000, ((68.84, 42.46), (68.38, 42.76))),
    ("110 kV line Shymkent South-Lenger", 110, 60_000,
     ((69.50, 42.17), (69.75, 42.15), (69.90, 42.20))),
    ("110 kV line Lenger-Turar Ryskulov", 110, 60_000,
     ((69.90, 42.20), (70.10, 42.38), (70.37, 42.52))),
    ("110 kV line Shymkent-Aksukent", 110, 60_000,
     ((69.40, 42.50), (69.62, 42.55), (69.86, 42.44))),
    ("110 kV line Shymkent South-Kazygurt", 110, 60_000,
     ((69.50, 42.17), (69.45, 41.95), (69.40, 41.74))),
    ("110 kV line Kazygurt-Saryagash", 110, 60_000, ((69.40, 41.74), (69.19, 41.47))),
    ("110 kV line Saryagash-Abay", 110, 60_000, ((69.19, 41.47), (69.05, 41.35))),
    ("110 kV line Maktaaral-Atakent", 110, 60_000, ((68.56, 40.69), (68.52, 40.86))),
    ("110 kV line Shardara HPP-Shardara", 110, 60_000,
     ((67.99, 41.24), (67.95, 41.28))),
)
#: Water intakes: name, lon, lat, capacity m3/d.
WATER_INTAKES = (
    ("Karatau groundwater intake (Turkistan)", 68.380, 43.420, 90_000),
    ("Kentau groundwater intake", 68.600, 43.600, 35_000),
    ("Arys river intake (Arys)", 68.860, 42.400, 25_000),
    ("Arys river intake (Temirlan)", 69.230, 42.620, 15_000),
    ("Arys river intake (Shauildir)", 68.400, 42.810, 8_000),
    ("Badam river intake", 69.720, 42.170, 40_000),
    ("Keles river intake (Abay)", 69.080, 41.300, 20_000),
    ("Saryagash groundwater intake", 69.220, 41.500, 18_000),
    ("Kazygurt groundwater intake", 69.450, 41.800, 10_000),
    ("Syr Darya intake (Shardara)", 67.990, 41.300, 30_000),
    ("Maktaaral groundwater intake", 68.450, 40.750, 25_000),
    ("Sholakkorgan groundwater intake", 69.220, 43.800, 6_000),
    ("Shayan groundwater intake", 69.420, 43.060, 5_000),
)
#: Water mains: name, capacity m3/d, vertices (lon, lat).
WATER_MAINS = (
    ("Turkistan group water main", 90_000,
     ((68.380, 43.420), (68.300, 43.330), (68.251, 43.297))),
    ("Sauran group water main", 12_000,
     ((68.251, 43.297), (68.150, 43.300), (68.100, 43.370), (68.060, 43.300),
      (68.030, 43.210), (68.050, 43.080))),
    ("Kentau water main", 35_000, ((68.600, 43.600), (68.505, 43.518))),
    ("Arys water main", 25_000, ((68.860, 42.400), (68.805, 42.430))),
    ("Ordabasy group water main", 15_000,
     ((69.230, 42.620), (69.258, 42.600), (69.300, 42.520))),
    ("Shauildir water main", 8_000, ((68.400, 42.810), (68.364, 42.780))),
    ("Sayram group water main", 40_000,
     ((69.720, 42.170), (69.800, 42.300), (69.840, 42.430), (69.790, 42.500))),
    ("Lenger water main", 20_000, ((69.720, 42.170), (69.885, 42.183))),
    ("Keles-Saryagash group water main", 30_000,
     ((69.080, 41.300), (69.030, 41.330), (69.170, 41.452), (69.220, 41.500))),
    ("Kazygurt water main", 10_000, ((69.450, 41.800), (69.383, 41.760))),
    ("Shardara water main", 30_000, ((67.990, 41.300), (67.965, 41.255))),
    ("Maktaaral group water main", 25_000,
     ((68.450, 40.750), (68.327, 40.775), (68.450, 40.750), (68.545, 40.663),
      (68.510, 40.850))),
    ("Sholakkorgan water main", 6_000, ((69.220, 43.800), (69.170, 43.765))),
    ("Shayan water main", 5_000, ((69.420, 43.060), (69.380, 43.020))),
)

# --------------------------------------------------------------------------------------
# Zones. Published: the kinds, counts, names of the Sauran and Temirlan sites and of the
# two private zones, total hectares. Illustrative: positions, shapes, years, split of
# the 1,700 ha between the 14 regional zones.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZoneSpec:
    """Where and how big one zone is, and what its plots look like."""

    zone_id: str
    name: str
    district: str
    kind: str
    established: int
    area_ha: float
    anchor: str  # settlement the zone lies beside
    distance_km: float  # preferred distance of the zone centre from the anchor
    bearing: float  # preferred bearing from the anchor, degrees from north
    prefix: str  # plot_id prefix
    budget_kzt: float | None = None
    plan: dict[str, int] = field(default_factory=dict)


def _rz(code: str, name: str, district: str, est: int, ha: float, anchor: str,
        d: float, b: float, **plan: int) -> ZoneSpec:
    return ZoneSpec(f"{code}-RZ-01", name, district, "regional", est, ha, anchor, d, b,
                    f"{code}-RZ", plan=plan)


def _ss(code: str, name: str, district: str, est: int, ha: float, anchor: str,
        d: float, b: float, prefix: str | None = None, num: int = 1,
        **plan: int) -> ZoneSpec:
    return ZoneSpec(f"{code}-SS-{num:02d}", name, district, "small_site", est, ha,
                    anchor, d, b, prefix or f"{code}-SS", plan=plan)


# Regional zones: projects, projects approved in 2024, idle plots, free plots and
# projects holding two plots. Areas sum to 1,700 ha; five zones are of 2024.
REGIONAL = (
    _rz("TRK", "Turkistan industrial zone", "Turkestan", 2016, 250, "Turkistan", 5.5,
        200, projects=10, p2024=2, idle=2, free=4, double=2),
    _rz("KNT", "Kentau industrial zone", "Kentau", 2017, 150, "Kentau", 4.0, 240,
        projects=7, p2024=0, idle=2, free=3, double=1),
    _rz("ARS", "Arys industrial zone", "Arys", 2018, 120, "Arys", 4.0, 300, projects=6,
        p2024=0, idle=1, free=3, double=1),
    _rz("SHR", "Shardara industrial zone", "Shardara", 2019, 100, "Shardara", 4.0, 60,
        projects=4, p2024=0, idle=1, free=2, double=0),
    _rz("ZHS", "Zhetysai industrial zone", "Zhetysai", 2020, 110, "Zhetisai", 3.5, 300,
        projects=5, p2024=0, idle=1, free=2, double=1),
    _rz("SRG", "Saryagash industrial zone", "Saryagash", 2019, 130, "Saryagash", 4.0,
        330, projects=6, p2024=0, idle=1, free=3, double=0),
    _rz("TLB", "Lenger industrial zone", "Tolebi", 2021, 120, "Lengir", 4.0, 300,
        projects=6, p2024=1, idle=1, free=2, double=1),
    _rz("TLK", "Tulkibas industrial zone", "Tyulkubas", 2022, 80, "Tulkibas", 4.0,
        20, projects=4, p2024=0, idle=0, free=3, double=0),
    _rz("SAY", "Aksukent industrial zone", "Sayram", 2023, 170, "Aksukent", 4.0, 40,
        projects=8, p2024=1, idle=1, free=3, double=1),
    _rz("BDB", "Shayan industrial zone", "Baydibek", 2024, 90, "Shayan", 3.5, 150,
        projects=3, p2024=3, idle=0, free=3, double=0),
    _rz("KZG", "Kazygurt industrial zone", "Kazygurt", 2024, 100, "Kazygurt", 3.5, 330,
        projects=3, p2024=3, idle=0, free=3, double=0),
    _rz("MKT", "Myrzakent industrial zone", "Maktaaral", 2024, 120, "Myrzakent", 4.0,
        20, projects=3, p2024=3, idle=0, free=4, double=0),
    _rz("OTR", "Shauildir industrial zone", "Otrar", 2024, 80, "Shauildir", 3.5, 60,
        projects=2, p2024=2, idle=0, free=3, double=0),
    _rz("SZK", "Sholakkorgan industrial zone", "Suzak", 2024, 80, "Sholakkorgan", 3.5,
        200, projects=2, p2024=2, idle=0, free=2, double=0),
)
PRIVATE = (
    ZoneSpec("ARS-PZ-01", "Mega-Agat", "Arys", "private", 2022, 45, "Arys", 5.0, 120,
             "ARS-MEGA", plan={"projects": 6, "p2024": 0, "idle": 1, "free": 2,
                               "double": 1}),
    ZoneSpec("ORD-PZ-01", "Bokei", "Ordabasy", "private", 2023, 60, "Temirlan", 6.0,
             200, "ORD-BOKEI", plan={"projects": 7, "p2024": 1, "idle": 0, "free": 2,
                                     "double": 0}),
)
PARK = ZoneSpec("TRK-SP-01", "Small Industrial Park", "Turkestan", "small_park", 2021,
                PARK_AREA_HA, "Turkistan", 6.0, 110, "SIP", budget_kzt=4.0e9,
                plan={"operating": 40, "double": 8, "construction": 30, "allocated": 66,
                      "idle": 5, "free": 16})
# Small sites: construction, operating, allocated (incl. idle), idle, free plots.
SAURAN_SITES = (
    _ss("SAU", "Karashyk", "Sauran", 2023, 14, "Karashyk", 2.0, 200, "SAU-KAR", 1,
        construction=9, operating=2, allocated=18, idle=2, free=3),
    _ss("SAU", "Iassy", "Sauran", 2023, 12, "Iassy", 2.0, 300, "SAU-IAS", 2,
        construction=8, operating=2, allocated=15, idle=2, free=2),
    _ss("SAU", "Shornak", "Sauran", 2023, 11, "Shornak", 2.5, 100, "SAU-SHO", 3,
        construction=8, operating=1, allocated=14, idle=1, free=2),
    _ss("SAU", "Ushkayyk", "Sauran", 2023, 9, "Ushkayyk", 2.0, 90, "SAU-USH", 4,
        construction=6, operating=1, allocated=12, idle=2, free=2),
    _ss("SAU", "Zhuynek", "Sauran", 2024, 9, "Zhuynek", 2.0, 150, "SAU-ZHU", 5,
        construction=6, operating=1, allocated=12, idle=0, free=2),
)
TEMIRLAN = _ss("ORD", "Temirlan", "Ordabasy", 2023, TEMIRLAN_HA, "Temirlan", 3.0, 40,
               "ORD-TEM", construction=5, operating=0, allocated=2, idle=0, free=3)
OTHER_SITES = (
    _ss("TRK", "Turkistan small industrial site", "Turkestan", 2023, 8, "Turkistan",
        6.0, 330, construction=10, operating=3, allocated=5, idle=1, free=3),
    _ss("KNT", "Kentau small industrial site", "Kentau", 2023, 6, "Kentau", 3.0, 60,
        construction=10, operating=2, allocated=4, idle=1, free=2),
    _ss("ARS", "Arys small industrial site", "Arys", 2023, 7, "Arys", 3.0, 220,
        construction=10, operating=3, allocated=4, idle=1, free=3),
    _ss("BDB", "Shayan small industrial site", "Baydibek", 2024, 5, "Shayan", 2.5, 300,
        construction=10, operating=2, allocated=3, idle=0, free=2),
    _ss("ZHS", "Zhetysai small industrial site", "Zhetysai", 2023, 6, "Zhetisai", 3.0,
        150, construction=10, operating=3, allocated=4, idle=1, free=2),
    _ss("KZG", "Kazygurt small industrial site", "Kazygurt", 2024, 5, "Kazygurt", 2.5,
        150, construction=10, operating=2, allocated=3, idle=0, free=3),
    _ss("KLS", "Abay small industrial site", "Keles", 2023, 8, "Abay", 3.0, 30,
        construction=10, operating=4, allocated=5, idle=1, free=2),
    _ss("MKT", "Atakent small industrial site", "Maktaaral", 2024, 6, "Atakent", 2.5,
        90, construction=10, operating=2, allocated=4, idle=0, free=2),
    _ss("OTR", "Shauildir small industrial site", "Otrar", 2024, 5, "Shauildir", 2.5,
        250, construction=10, operating=2, allocated=3, idle=0, free=3),
    _ss("SRG", "Saryagash small industrial site", "Saryagash", 2023, 7, "Saryagash",
        3.0, 60, construction=10, operating=3, allocated=5, idle=1, free=2),
    _ss("SAY", "Karabulak small industrial site", "Sayram", 2023, 9, "Karabulak", 2.5,
        0, construction=10, operating=4, allocated=6, idle=1, free=3),
    _ss("SZK", "Sholakkorgan small industrial site", "Suzak", 2024, 5, "Sholakkorgan",
        2.5, 30, construction=10, operating=2, allocated=3, idle=0, free=2),
    _ss("TLB", "Lenger small industrial site", "Tolebi", 2023, 6, "Lengir", 3.0, 100,
        construction=10, operating=3, allocated=4, idle=1, free=2),
    _ss("TLK", "Turar Ryskulov small industrial site", "Tyulkubas", 2024, 5,
        "Turar Ryskulov", 2.5, 200, construction=10, operating=2, allocated=3, idle=0,
        free=3),
    _ss("SHR", "Shardara small industrial site", "Shardara", 2024, 6, "Shardara", 3.0,
        0, construction=10, operating=2, allocated=4, idle=0, free=2),
)
#: Plots outside any zone in Sauran district (statuses), beside Shornak.
SAURAN_OUTSIDE = ("allocated-idle", "allocated-idle", "operating", "free")

#: Products made in each sector (for project names).
PRODUCTS = {
    "construction materials": ("ceramic brick plant", "concrete block plant",
                               "ready-mix concrete plant", "paving slab plant",
                               "gypsum board plant", "dry mix plant", "roof tile plant",
                               "reinforced concrete plant",
                               "insulation materials plant"),
    "finished metal products": ("metal structures plant", "steel pipe plant",
                                "wire and mesh plant", "metal doors plant",
                                "sandwich panel plant", "fastener plant"),
    "metallurgy": ("aluminium profile plant", "rebar mini-mill", "iron foundry",
                   "galvanizing plant", "copper wire plant"),
    "machine building": ("agricultural machinery plant", "pump assembly plant",
                         "trailer assembly plant", "electrical equipment plant",
                         "transformer plant"),
    "light industry": ("cotton yarn mill", "garment factory", "knitwear factory",
                       "footwear factory", "textile dyeing plant", "carpet factory"),
    "furniture": ("furniture factory", "office furniture plant",
                  "kitchen furniture plant", "mattress factory"),
    "sprinkler irrigation": ("sprinkler irrigation systems plant",
                             "drip irrigation pipe plant"),
    "beverages": ("soft drinks plant", "mineral water bottling plant", "juice plant"),
    "refrigerators": ("refrigerator assembly plant", "refrigeration equipment plant"),
    "video cameras": ("video camera assembly plant", "CCTV equipment plant"),
    "medical furniture": ("medical furniture factory", "hospital bed plant"),
    "household chemicals": ("household chemicals plant", "detergent plant"),
    "plastics and rubber": ("plastic pipe plant", "PET preform plant",
                            "polyethylene film plant", "rubber products plant",
                            "plastic packaging plant"),
    "chemical products": ("paint and varnish plant", "fertiliser blending plant",
                          "adhesives plant", "polymer coatings plant"),
}
INVESTOR_WORDS = ("Ak", "Altyn", "Baiterek", "Bereke", "Dala", "Ertis", "Kazyna",
                  "Kokzhiek", "Nur", "Ontustik", "Sapa", "Samal", "Shanyrak", "Tulpar",
                  "Turan", "Ulan", "Yassy", "Zhibek", "Zhuldyz", "Orda", "Kyran", "Aru",
                  "Miras", "Karatau", "Ulagat", "Keruen", "Dostyk", "Asyl", "Temir",
                  "Sunkar")
#: Second word of investor names, by sector.
INVESTOR_SUFFIXES = {
    "construction materials": ("Stroy", "Beton", "Kirpish", "StroyMat"),
    "finished metal products": ("Metal", "MetalKonstruktsiya", "Profil"),
    "metallurgy": ("Steel", "Metallurg", "Alum"),
    "machine building": ("Mash", "Motors", "Tekhnika"),
    "light industry": ("Textile", "Cotton", "Style", "Tigin"),
    "furniture": ("Mebel", "Interior", "Home"),
    "sprinkler irrigation": ("Agro", "Irrigation"),
    "beverages": ("Su", "Drinks"),
    "refrigerators": ("Cool", "Holod"),
    "video cameras": ("Vision", "Electronics"),
    "medical furniture": ("Med", "MedTekhnika"),
    "household chemicals": ("Chem", "Clean"),
    "plastics and rubber": ("Plast", "Polymer", "Rezina"),
    "chemical products": ("Chem", "Khimprom", "Coatings"),
}

# fmt: on

# --------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------
#: Lambert azimuthal equal-area projection centred on the region, for building the
#: district partition and checking distances (metres).
REGION_CRS = pyproj.CRS(
    "+proj=laea +lat_0=43 +lon_0=68.5 +ellps=WGS84 +units=m +no_defs"
)
_GEOD = pyproj.Geod(ellps="WGS84")


def _transform(geom: shapely.Geometry, tr: pyproj.Transformer) -> shapely.Geometry:
    def f(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, f)


class _Frame:
    """Forward and inverse transformers between EPSG:4326 and one projected CRS."""

    def __init__(self, crs: pyproj.CRS) -> None:
        self.fwd = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
        self.inv = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)

    def to_m(self, geom: shapely.Geometry) -> shapely.Geometry:
        return _transform(geom, self.fwd)

    def to_ll(self, geom: shapely.Geometry) -> shapely.Geometry:
        return _transform(geom, self.inv)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.fwd.transform(lon, lat)
        return float(x), float(y)


def _local_frame(lon: float, lat: float) -> _Frame:
    return _Frame(
        pyproj.CRS(
            f"+proj=laea +lat_0={lat:.6f} +lon_0={lon:.6f} +ellps=WGS84 "
            "+units=m +no_defs"
        )
    )


def _geod_area_ha(geom: shapely.Geometry) -> float:
    return abs(_GEOD.geometry_area_perimeter(geom)[0]) / 10_000.0


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygon parts of a geometry (after overlay operations)."""
    geom = shapely.make_valid(geom)
    parts = [
        g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > 0
    ]
    if not parts:
        msg = "overlay produced no polygon"
        raise RuntimeError(msg)
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _densify(
    coords: tuple[tuple[float, float], ...],
    frame: _Frame,
    rng: np.random.Generator,
    *,
    step_m: float = 1_500.0,
    wiggle_m: float = 0.0,
) -> LineString:
    """Return a line through ``coords`` with a vertex every ~``step_m`` metres."""
    line = frame.to_m(LineString(coords))
    line = shapely.segmentize(line, step_m)
    if wiggle_m > 0:
        xy = np.asarray(line.coords)
        if len(xy) > 2:
            d = np.diff(xy, axis=0)
            normal = np.column_stack([-d[:, 1], d[:, 0]])
            normal /= np.linalg.norm(normal, axis=1, keepdims=True)
            offset = rng.normal(0.0, wiggle_m, len(xy) - 2)
            xy[1:-1] += normal[:-1] * offset[:, None]
        line = LineString(xy)
    return frame.to_ll(line)


def _offset(
    frame: _Frame, lon: float, lat: float, km: float, bearing: float
) -> tuple[float, float]:
    x, y = frame.xy(lon, lat)
    b = math.radians(bearing)
    return x + km * 1000.0 * math.sin(b), y + km * 1000.0 * math.cos(b)


def _rect(
    w: float, h: float, angle: float, cx: float = 0.0, cy: float = 0.0
) -> Polygon:
    """Return a w x h rectangle centred on (cx, cy) rotated by ``angle`` degrees."""
    poly = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    return affinity.affine_transform(poly, [c, -s, s, c, cx, cy])


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sources:
    """The public source files the demo is built from (see ``data/README.md``)."""

    districts: Path  # OSM district polygons (osm_relation, name_ru)
    names: Path  # geokz / OCHA COD-AB ADM2 units (ADM2_PCODE, ADM2_EN/KK/RU)
    places: Path  # HOT OSM populated places (osm_id, name, place, population)
    geonames: Path  # GeoNames cities500 extract (name, population)
    pipelines: Path  # GEM pipeline routes (osm_id names the OSM relation)


#: Where the sources lie in the development workspace (``../shared/data``).
SHARED = DATA_DIR.parent.parent / "shared" / "data"
DEFAULT_SOURCES = Sources(
    districts=SHARED
    / "osm-turkistan-districts"
    / "turkistan_districts_osm_polygons.geojson",
    names=SHARED / "geokz-hdx-codab-2024" / "turkistan_shymkent_adm2_2024.geojson",
    places=SHARED
    / "hotosm-populated-places-turkistan"
    / "hotosm_kaz_populated_places_turkistan_shymkent.geojson",
    geonames=SHARED
    / "geonames-cities500-turkistan"
    / "geonames_cities500_turkistan_shymkent.geojson",
    pipelines=SHARED
    / "gem-pipelines-turkistan"
    / "gem_pipeline_routes_turkistan_shymkent.geojson",
)


def _read_source(path: Path, what: str) -> gpd.GeoDataFrame:
    if not Path(path).is_file():
        msg = (
            f"source file for the {what} not found: {path}. Pass it with the matching "
            "option (see python data/make_demo.py --help)."
        )
        raise FileNotFoundError(msg)
    return gpd.read_file(path, engine="pyogrio").to_crs(schema.STORAGE_CRS)


def romanise(name: str) -> str:
    """Write a Kazakh (Cyrillic) place name in Latin letters (see ``ROMAN``).

    >>> romanise("Шолаққорған"), romanise("Тұрар Рысқұлов"), romanise("Жүйнек")
    ('Sholakkorgan', 'Turar Ryskulov', 'Zhuynek')
    """
    out = []
    for ch in name:
        low = ch.lower()
        if low not in ROMAN:
            out.append(ch)
            continue
        latin = ROMAN[low]
        out.append(latin[:1].upper() + latin[1:] if ch != low else latin)
    return "".join(out)


def _round_coords(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.round(xy, COORD_DECIMALS))


def build_districts(
    src: Sources, region: _Frame, places: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the 17 units as a gap- and overlap-free partition, simplified to ~50 m.

    Where two OSM polygons overlap (an enclave drawn inside its host), the smaller
    unit keeps the overlap. The partition is then simplified as a coverage
    (``shapely.coverage_simplify``), so that every shared edge is simplified once.
    """
    osm = _read_source(src.districts, "district boundaries").set_index("osm_relation")
    want = [row[1] for row in DISTRICTS]
    missing = sorted(set(want) - set(osm.index))
    if missing or len(osm) != len(want):
        msg = f"{src.districts}: expected OSM relations {want}, missing {missing}"
        raise RuntimeError(msg)
    geoms = {rel: region.to_m(osm.geometry[rel]) for rel in want}
    taken = None
    for rel in sorted(want, key=lambda r: (geoms[r].area, r)):
        g = geoms[rel] if taken is None else geoms[rel].difference(taken)
        geoms[rel] = _polygonal(g)
        taken = g if taken is None else taken.union(g)
    simplified = shapely.coverage_simplify(
        np.array([geoms[r] for r in want]), SIMPLIFY_M
    )
    ll = [_round_coords(region.to_ll(g)) for g in simplified]
    if not shapely.coverage_is_valid(np.array([region.to_m(g) for g in ll])):
        msg = "the simplified districts are not a valid coverage (gaps or overlaps)"
        raise RuntimeError(msg)
    names = _read_source(src.names, "district names").set_index("ADM2_PCODE")
    seats = places.set_index("osm_id")
    rows = []
    for (code, rel, pcode, status, seat), geom in zip(DISTRICTS, ll, strict=True):
        if pcode is None:
            en, kk, ru = OWN_NAMES[code]
        else:
            theirs = region.to_m(names.geometry[pcode])
            ours = region.to_m(osm.geometry[rel])
            iou = ours.intersection(theirs).area / ours.union(theirs).area
            if iou < NAME_MATCH_IOU:
                msg = (
                    f"OSM relation {rel} and geokz {pcode} do not match (IoU {iou:.2f})"
                )
                raise RuntimeError(msg)
            en, kk, ru = (names.loc[pcode, f"ADM2_{x}"] for x in ("EN", "KK", "RU"))
        town = seats.loc[seat]
        if not geom.contains(town.geometry):
            msg = f"the seat {town['name']} (node {seat}) is not inside {en}"
            raise RuntimeError(msg)
        rows.append(
            {
                "district": en,
                "name_kk": kk,
                "name_ru": ru,
                "seat": town["name_en"],
                "seat_lon": round(town.geometry.x, COORD_DECIMALS),
                "seat_lat": round(town.geometry.y, COORD_DECIMALS),
                "status": status,
                "code": code,
                "geometry": geom,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.STORAGE_CRS)


def read_places(src: Sources) -> gpd.GeoDataFrame:
    """Return the OSM places (city, town, village) with English names and population.

    Columns: ``osm_id``, ``name`` (Kazakh, as in OSM), ``name_en`` (romanised),
    ``population`` (OSM; else a GeoNames place within ``GEONAMES_MATCH_M``).
    """
    hot = _read_source(src.places, "populated places")
    hot = hot[hot["place"].isin(PLACE_KINDS) & hot["name"].notna()].copy()
    hot["osm_id"] = hot["osm_id"].astype("int64")
    hot = hot.sort_values("osm_id", kind="stable").reset_index(drop=True)
    hot["name_en"] = [romanise(n) for n in hot["name"]]
    hot["population"] = pd.to_numeric(hot["population"], errors="coerce")
    gn = _read_source(src.geonames, "GeoNames places")
    gn = gn[pd.to_numeric(gn["population"], errors="coerce") > 0]
    crs = REGION_CRS
    hm, gm = hot.to_crs(crs), gn.to_crs(crs)
    for pop, point in zip(gm["population"], gm.geometry, strict=True):
        d = hm.geometry.distance(point)
        i = int(d.idxmin())
        if d[i] <= GEONAMES_MATCH_M and pd.isna(hot.loc[i, "population"]):
            hot.loc[i, "population"] = float(pop)
    return hot[["osm_id", "name", "name_en", "place", "population", "geometry"]]


def build_settlements(
    places: gpd.GeoDataFrame, districts: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the places that lie in one of the 17 units, with their district."""
    joined = gpd.sjoin(
        places, districts[["district", "geometry"]], how="inner", predicate="within"
    ).sort_values("osm_id", kind="stable")
    out = joined.rename(columns={"name_en": "settlement"})
    return gpd.GeoDataFrame(
        {
            "name": out["settlement"].to_numpy(),
            "population": out["population"].to_numpy(),
            "district": out["district"].to_numpy(),
        },
        geometry=out.geometry.to_numpy(),
        crs=schema.STORAGE_CRS,
    )


def _anchors(places: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Return the position (lon, lat) of every zone anchor."""
    by_id = places.set_index("osm_id").geometry
    towns = {n: (by_id[i].x, by_id[i].y) for n, i in ANCHORS.items()}
    towns.update(APPROX_PLACES)
    return towns


def _warp(
    region: _Frame, towns: dict[str, tuple[float, float]], power: float = 2.0
) -> shapely.Geometry:
    """Return a function moving hand-drawn lon/lat vertices with the towns.

    Each vertex moves by the inverse-distance-weighted mean (power 2, in the region
    CRS) of the shifts from the towns' drawn positions (``DRAWN_TOWNS``) to their
    real ones. A vertex on a drawn town moves exactly with it.
    """
    old = np.array([region.xy(lon, lat) for _n, lon, lat in DRAWN_TOWNS])
    new = np.array([region.xy(*towns[n]) for n, _lon, _lat in DRAWN_TOWNS])
    shift = new - old

    def move(lon: float, lat: float) -> tuple[float, float]:
        x, y = region.xy(lon, lat)
        d = np.hypot(old[:, 0] - x, old[:, 1] - y)
        if d.min() < 1e-6:
            dx, dy = shift[int(d.argmin())]
        else:
            w = 1.0 / d**power
            dx, dy = (shift * w[:, None]).sum(axis=0) / w.sum()
        lon2, lat2 = region.inv.transform(x + dx, y + dy)
        return round(float(lon2), 6), round(float(lat2), 6)

    return move


def build_exclusions(region: _Frame, area: shapely.Geometry) -> gpd.GeoDataFrame:
    """Return the illustrative exclusion areas, clipped to the region."""
    rows = []
    for name, reason, buffer_m, kind, data in EXCLUSIONS:
        if kind == "circle":
            lon, lat, radius = data
            geom = Point(region.xy(lon, lat)).buffer(radius, quad_segs=16)
        elif kind == "river":
            coords, half_width = data
            geom = region.to_m(LineString(coords)).buffer(half_width, quad_segs=4)
        else:
            geom = region.to_m(Polygon(data))
        geom = geom.intersection(area)
        rows.append(
            {
                "name": name,
                "reason": reason,
                "buffer_m": buffer_m,
                "geometry": _polygonal(region.to_ll(geom)),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.STORAGE_CRS)


def _osm_pipelines(
    src: Sources, region: _Frame, area: shapely.Geometry
) -> dict[int, shapely.Geometry]:
    """Return the OSM-mapped trunk pipelines (by relation), near the region, in metres.

    Only routes whose ``osm_id`` names an OSM relation are used; their geometry is
    OpenStreetMap's. Each is clipped to the region outline (Shymkent included)
    widened by ``PIPELINE_MARGIN_M``.
    """
    gem = _read_source(src.pipelines, "pipeline routes")
    gem = gem[gem["osm_id"].fillna("").str.startswith("relation/")]
    outline = shapely.Polygon(shapely.get_exterior_ring(area)).buffer(PIPELINE_MARGIN_M)
    out: dict[int, shapely.Geometry] = {}
    for osm_id, geom in zip(gem["osm_id"], gem.geometry, strict=True):
        rel = int(osm_id.split("/", 1)[1])
        if rel in out:
            continue  # GEM repeats one OSM route for several projects
        line = shapely.line_merge(region.to_m(geom).intersection(outline))
        out[rel] = shapely.segmentize(line, 1_500.0)
    return out


def build_infrastructure(
    src: Sources,
    region: _Frame,
    area: shapely.Geometry,
    towns: dict[str, tuple[float, float]],
    rng: np.random.Generator,
) -> gpd.GeoDataFrame:
    """Return gas, electricity and water features along the region's corridors.

    The two OSM-mapped trunk gas pipelines take OpenStreetMap's geometry; every
    other line and point is drawn by hand and moved with the towns (``_warp``).
    """
    warp = _warp(region, towns)

    def moved(
        coords: tuple[tuple[float, float], ...],
    ) -> tuple[tuple[float, float], ...]:
        return tuple(warp(lon, lat) for lon, lat in coords)

    osm_lines = _osm_pipelines(src, region, area)
    rows: list[dict[str, object]] = []

    def spare(capacity: float) -> float:
        return float(round(capacity * rng.uniform(0.08, 0.55), -1))

    def add(
        kind: str,
        subtype: str,
        name: str,
        geom: shapely.Geometry,
        capacity: float | None,
        unit: str,
        spare_capacity: float | None,
    ) -> None:
        rows.append(
            {
                "kind": kind,
                "subtype": subtype,
                "name": name,
                "capacity": np.nan if capacity is None else float(capacity),
                "spare_capacity": np.nan
                if spare_capacity is None
                else float(spare_capacity),
                "unit": unit,
                "geometry": geom,
            }
        )

    # Gas: main pipelines, then distribution stations fed by a branch from the
    # nearest gas line already drawn.
    gas_lines_m: list[shapely.Geometry] = []
    for name, capacity, coords in GAS_MAINS:
        if isinstance(coords, int):
            line_m = osm_lines[coords]
            line = _round_coords(region.to_ll(line_m))
        else:
            line = _densify(moved(coords), region, rng, step_m=1_500.0, wiggle_m=120.0)
            line_m = region.to_m(line)
        gas_lines_m.append(line_m)
        add("gas", "gas_pipeline", name, line, capacity, "m3/h", None)
    for town, km, bearing, capacity in GAS_STATIONS:
        x, y = _offset(region, *towns[town], km, bearing)
        station = Point(x, y)
        nearest = min(gas_lines_m, key=station.distance)
        start = ops.nearest_points(nearest, station)[0]
        branch_m = shapely.segmentize(LineString([start, station]), 1_500.0)
        gas_lines_m.append(branch_m)
        add(
            "gas",
            "gas_pipeline",
            f"Gas branch to {town}",
            region.to_ll(branch_m),
            capacity,
            "m3/h",
            None,
        )
        add(
            "gas",
            "gas_distribution_station",
            f"{town} gas distribution station",
            region.to_ll(station),
            capacity,
            "m3/h",
            spare(capacity),
        )
    # Electricity.
    for name, lon, lat, capacity in SUBSTATIONS:
        add(
            "electricity",
            "substation",
            name,
            Point(warp(lon, lat)),
            capacity,
            "kW",
            spare(capacity),
        )
    for name, _kv, capacity, coords in POWER_LINES:
        line = _densify(moved(coords), region, rng, step_m=1_500.0, wiggle_m=80.0)
        add("electricity", "power_line", name, line, capacity, "kW", None)
    # Water.
    for name, lon, lat, capacity in WATER_INTAKES:
        add(
            "water",
            "water_intake",
            name,
            Point(warp(lon, lat)),
            capacity,
            "m3/d",
            spare(capacity),
        )
    for name, capacity, coords in WATER_MAINS:
        line = _densify(moved(coords), region, rng, step_m=1_500.0, wiggle_m=0.0)
        add("water", "water_main", name, line, capacity, "m3/d", spare(capacity))
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.STORAGE_CRS)
    prefix = {"gas": "GAS", "electricity": "ELE", "water": "WAT"}
    counters: dict[str, int] = {}
    ids = []
    for kind in gdf["kind"]:
        counters[kind] = counters.get(kind, 0) + 1
        ids.append(f"{prefix[kind]}-{counters[kind]:03d}")
    gdf.insert(0, "infra_id", ids)
    return gdf


def _zone_polygon(
    spec: ZoneSpec,
    centre: tuple[float, float],
    region: _Frame,
    rng: np.random.Generator,
) -> tuple[Polygon, _Frame, float, float, float]:
    """Build the zone rectangle in a local equal-area frame with the exact area.

    Returns the polygon in EPSG:4326, the local frame and the (w, h, angle) of the
    rectangle in that frame.
    """
    lon, lat = region.inv.transform(*centre)
    local = _local_frame(lon, lat)
    aspect = float(rng.uniform(1.0, 1.8))
    angle = float(rng.uniform(-25.0, 25.0))
    target = spec.area_ha * 10_000.0
    w, h = math.sqrt(target * aspect), math.sqrt(target / aspect)
    for _ in range(6):
        poly = local.to_ll(_rect(w, h, angle))
        got = _geod_area_ha(poly) * 10_000.0
        scale = math.sqrt(target / got)
        w, h = w * scale, h * scale
    poly = local.to_ll(_rect(w, h, angle))
    return poly, local, w, h, angle


def place_zones(
    specs: list[ZoneSpec],
    districts: gpd.GeoDataFrame,
    exclusions: gpd.GeoDataFrame,
    infrastructure: gpd.GeoDataFrame,
    settlements: gpd.GeoDataFrame,
    towns: dict[str, tuple[float, float]],
    region: _Frame,
    rng: np.random.Generator,
) -> list[dict[str, object]]:
    """Place every zone beside its anchor town, inside its district, clear of obstacles.

    Obstacles: exclusions with their buffer, infrastructure (700 m) and every
    settlement (1 km); zones keep 300 m inside their district and 400 m apart.
    """
    dist_m = {
        d: region.to_m(g)
        for d, g in zip(districts["district"], districts.geometry, strict=True)
    }
    blocked = [
        region.to_m(g).buffer(b + 200.0)
        for g, b in zip(exclusions.geometry, exclusions["buffer_m"], strict=True)
    ]
    blocked += [region.to_m(g).buffer(700.0) for g in infrastructure.geometry]
    blocked += [region.to_m(g).buffer(1_000.0) for g in settlements.geometry]
    blocked += [Point(region.xy(*xy)).buffer(1_200.0) for xy in towns.values()]
    obstacles = shapely.STRtree(blocked)
    placed: list[dict[str, object]] = []
    zones_m: list[shapely.Geometry] = []
    for spec in specs:
        lon, lat = towns[spec.anchor]
        side = math.sqrt(spec.area_ha * 10_000.0)
        for step in range(96):
            km = spec.distance_km + 0.6 * (step // 12)
            bearing = spec.bearing + 30.0 * (step % 12) * (1 if step % 2 else -1)
            centre = _offset(region, lon, lat, km, bearing)
            probe = _rect(side * 1.35, side * 1.35, 0.0, *centre).buffer(150.0)
            if not probe.buffer(300.0).within(dist_m[spec.district]):
                continue
            if len(obstacles.query(probe, predicate="intersects")):
                continue
            if any(probe.buffer(400.0).intersects(z) for z in zones_m):
                continue
            break
        else:
            msg = f"could not place zone {spec.zone_id} beside {spec.anchor}"
            raise RuntimeError(msg)
        poly, local, w, h, angle = _zone_polygon(spec, centre, region, rng)
        zones_m.append(region.to_m(poly))
        placed.append(
            {
                "spec": spec,
                "geometry": poly,
                "frame": local,
                "w": w,
                "h": h,
                "angle": angle,
            }
        )
    return placed


def _partition(
    total: int,
    n: int,
    rng: np.random.Generator,
    *,
    sigma: float = 0.6,
    minimum: int = 1,
) -> list[int]:
    """Split the integer ``total`` into ``n`` random parts of at least ``minimum``."""
    if n * minimum > total:
        msg = f"cannot split {total} into {n} parts of at least {minimum}"
        raise RuntimeError(msg)
    w = rng.lognormal(0.0, sigma, n)
    free = total - n * minimum
    raw = w / w.sum() * free
    parts = np.floor(raw).astype(np.int64)
    rest = free - int(parts.sum())
    order = np.argsort(-(raw - parts), kind="stable")
    parts[order[:rest]] += 1
    return [int(p) + minimum for p in parts]


def _date_between(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    days = (end - start).days
    return start + dt.timedelta(days=int(rng.integers(0, days + 1)))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _Names:
    """Unique investor and project names."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.investors: set[str] = set()
        self.projects: set[str] = set()

    def investor(self, sector: str) -> str:
        suffixes = INVESTOR_SUFFIXES[sector]
        for attempt in range(200):
            a = INVESTOR_WORDS[int(self.rng.integers(len(INVESTOR_WORDS)))]
            b = suffixes[int(self.rng.integers(len(suffixes)))]
            name = (
                f"{a} {b} LLP" if attempt < 50 else f"{a} {b}-{attempt // 50 + 1} LLP"
            )
            if name not in self.investors:
                self.investors.add(name)
                return name
        msg = f"ran out of investor names for {sector}"
        raise RuntimeError(msg)

    def project(self, sector: str, place: str) -> str:
        products = PRODUCTS[sector]
        product = products[int(self.rng.integers(len(products)))]
        base = f"{product[0].upper()}{product[1:]} {place}"
        name, k = base, 1
        while name in self.projects:
            k += 1
            name = f"{base} No. {k}"
        self.projects.add(name)
        return name


def _empty_plot(status: str) -> dict[str, object]:
    return {
        "status": status,
        "investor": None,
        "project": None,
        "sector": None,
        "investment_kzt": np.nan,
        "jobs_planned": pd.NA,
        "jobs_created": pd.NA,
        "allocated_on": None,
        "build_by": None,
    }


def _regional_records(
    specs: list[ZoneSpec], rng: np.random.Generator, names: _Names
) -> dict[str, list[dict[str, object]]]:
    """Make the plots of the 14 regional and 2 private zones (82 projects)."""
    n_projects = sum(s.plan["projects"] for s in specs)
    n_2024 = sum(s.plan["p2024"] for s in specs)
    if n_projects != REGIONAL_PROJECTS or n_2024 != PROJECTS_APPROVED_2024:
        msg = f"zone plans give {n_projects} projects, {n_2024} of 2024"
        raise RuntimeError(msg)
    # investment in KZT million, split over the 82 projects
    budget = _partition(
        int(REGIONAL_INVESTMENT_KZT / 1e6), n_projects, rng, sigma=0.8, minimum=150
    )
    weights = np.array([0.30, 0.15, 0.10, 0.12, 0.18, 0.15])
    out: dict[str, list[dict[str, object]]] = {}
    k = 0
    for spec in specs:
        plan = spec.plan
        place = spec.name.replace(" industrial zone", "")
        records: list[dict[str, object]] = []
        for j in range(plan["projects"]):
            sector = REGIONAL_SECTORS[int(rng.choice(len(REGIONAL_SECTORS), p=weights))]
            investor = names.investor(sector)
            project = names.project(sector, place)
            invest = budget[k]
            k += 1
            planned = int(rng.integers(20, 320))
            is_2024 = j < plan["p2024"]
            idle = not is_2024 and j < plan["p2024"] + plan["idle"]
            if is_2024:
                allocated_on = _date_between(
                    rng, dt.date(2024, 2, 1), dt.date(2024, 12, 20)
                )
                status = "construction" if rng.random() < 0.4 else "allocated"
                build_by = (
                    _add_years(allocated_on, 1)
                    if status == "construction"
                    else _add_years(allocated_on, 3)
                )
            else:
                first = dt.date(max(spec.established, 2016), 1, 15)
                allocated_on = _date_between(rng, first, dt.date(2023, 12, 20))
                build_by = _add_years(allocated_on, 1)
                if idle:
                    status = "allocated"
                elif allocated_on.year >= 2023:
                    status = "construction"
                else:
                    status = "operating" if rng.random() < 0.85 else "construction"
            n_plots = 2 if j >= plan["projects"] - plan["double"] else 1
            shares = (
                _partition(invest, n_plots, rng, minimum=1) if n_plots > 1 else [invest]
            )
            jobs = _partition(planned, n_plots, rng) if n_plots > 1 else [planned]
            for share, jp in zip(shares, jobs, strict=True):
                created = (
                    int(round(jp * rng.uniform(0.6, 1.0)))
                    if status == "operating"
                    else 0
                )
                records.append(
                    {
                        "status": status,
                        "investor": investor,
                        "project": project,
                        "sector": sector,
                        "investment_kzt": float(share) * 1e6,
                        "jobs_planned": jp,
                        "jobs_created": created,
                        "allocated_on": allocated_on,
                        "build_by": build_by,
                    }
                )
        records += [_empty_plot("free") for _ in range(plan["free"])]
        out[spec.zone_id] = records
    return out


def _park_records(
    spec: ZoneSpec, rng: np.random.Generator, names: _Names
) -> list[dict[str, object]]:
    """Make the plots of the Small Industrial Park near Turkistan (152 buildings)."""
    plan = spec.plan
    records: list[dict[str, object]] = []
    # operating: 40 plots, 32 projects (8 of them on two plots)
    n_single = PARK_PROJECTS_CONNECTED - plan["double"]
    for j in range(PARK_PROJECTS_CONNECTED):
        sector = PARK_SECTORS_OPERATING[j % len(PARK_SECTORS_OPERATING)]
        investor = names.investor(sector)
        project = names.project(sector, "SIP Turkistan")
        allocated_on = _date_between(rng, dt.date(2021, 3, 1), dt.date(2022, 6, 30))
        for _ in range(1 if j < n_single else 2):
            records.append(
                {
                    "status": "operating",
                    "investor": investor,
                    "project": project,
                    "sector": sector,
                    "allocated_on": allocated_on,
                    "build_by": _add_years(allocated_on, 1),
                }
            )
    later = PARK_SECTORS_PLANNED + PARK_SECTORS_OPERATING
    for j in range(plan["construction"]):
        sector = later[j % len(later)]
        allocated_on = _date_between(rng, dt.date(2023, 1, 10), dt.date(2024, 6, 30))
        records.append(
            {
                "status": "construction",
                "investor": names.investor(sector),
                "project": names.project(sector, "SIP Turkistan"),
                "sector": sector,
                "allocated_on": allocated_on,
                "build_by": _add_years(allocated_on, 1),
            }
        )
    for j in range(plan["allocated"]):
        sector = later[(j + 1) % len(later)]
        if j < plan["idle"]:
            allocated_on = _date_between(rng, dt.date(2022, 3, 1), dt.date(2023, 9, 30))
            build_by = _add_years(allocated_on, 1)
        else:
            allocated_on = _date_between(rng, dt.date(2024, 3, 1), dt.date(2025, 1, 20))
            build_by = _add_years(allocated_on, 3)
        records.append(
            {
                "status": "allocated",
                "investor": names.investor(sector),
                "project": names.project(sector, "SIP Turkistan"),
                "sector": sector,
                "allocated_on": allocated_on,
                "build_by": build_by,
            }
        )
    records += [_empty_plot("free") for _ in range(plan["free"])]
    if len(records) != PARK_BUILDINGS:
        msg = f"the park has {len(records)} plots, not {PARK_BUILDINGS}"
        raise RuntimeError(msg)
    # jobs planned on every building; jobs created on the operating ones
    planned = _partition(PARK_JOBS_PLANNED, PARK_BUILDINGS, rng, sigma=0.5, minimum=12)
    operating = [i for i, r in enumerate(records) if r["status"] == "operating"]
    cap = np.array([planned[i] for i in operating])
    created = np.floor(cap * PARK_JOBS_CREATED / cap.sum()).astype(np.int64)
    i = 0
    while created.sum() < PARK_JOBS_CREATED:
        if created[i % len(created)] < cap[i % len(created)]:
            created[i % len(created)] += 1
        i += 1
    # investment: KZT 8.5 per KZT 1 of budget
    total = int(round(spec.budget_kzt * PARK_INVESTMENT_PER_BUDGET / 1e6))
    with_project = [i for i, r in enumerate(records) if r["status"] != "free"]
    invest = _partition(total, len(with_project), rng, sigma=0.5, minimum=20)
    for i, r in enumerate(records):
        r.setdefault("investor", None)
        r.setdefault("project", None)
        r.setdefault("sector", None)
        r.setdefault("allocated_on", None)
        r.setdefault("build_by", None)
        r["jobs_planned"] = planned[i]
        r["jobs_created"] = 0 if r["status"] != "free" else pd.NA
        r["investment_kzt"] = np.nan
    for i, c in zip(operating, created, strict=True):
        records[i]["jobs_created"] = int(c)
    for i, v in zip(with_project, invest, strict=True):
        records[i]["investment_kzt"] = float(v) * 1e6
    return records


def _site_records(
    spec: ZoneSpec,
    rng: np.random.Generator,
    names: _Names,
    *,
    investment_m: int,
    jobs: int,
) -> list[dict[str, object]]:
    """Make the plots of a small industrial site; each plot with a project is one."""
    plan = spec.plan
    statuses = (
        ["construction"] * plan["construction"]
        + ["operating"] * plan["operating"]
        + ["idle"] * plan["idle"]
        + ["allocated"] * (plan["allocated"] - plan["idle"])
    )
    invest = _partition(investment_m, len(statuses), rng, sigma=0.6, minimum=20)
    planned = _partition(jobs, len(statuses), rng, sigma=0.5, minimum=2)
    first = dt.date(spec.established, 1, 20)
    records: list[dict[str, object]] = []
    for status, inv, jp in zip(statuses, invest, planned, strict=True):
        sector = SMALL_SITE_SECTORS[int(rng.integers(len(SMALL_SITE_SECTORS)))]
        if status == "operating":
            allocated_on = _date_between(
                rng, first, dt.date(max(spec.established, 2023), 10, 1)
            )
            build_by = _add_years(allocated_on, 1)
        elif status == "construction":
            allocated_on = _date_between(
                rng, max(first, dt.date(2023, 6, 1)), dt.date(2024, 11, 30)
            )
            build_by = _add_years(allocated_on, 1)
        elif status == "idle":
            allocated_on = _date_between(rng, first, dt.date(2023, 12, 31))
            build_by = allocated_on + dt.timedelta(days=int(rng.integers(240, 366)))
        else:
            allocated_on = _date_between(
                rng, max(first, dt.date(2024, 6, 1)), dt.date(2025, 1, 25)
            )
            build_by = _add_years(allocated_on, 3)
        created = int(round(jp * rng.uniform(0.5, 1.0))) if status == "operating" else 0
        records.append(
            {
                "status": "allocated" if status == "idle" else status,
                "investor": names.investor(sector),
                "project": names.project(
                    sector, spec.name.replace(" small industrial site", "")
                ),
                "sector": sector,
                "investment_kzt": float(inv) * 1e6,
                "jobs_planned": jp,
                "jobs_created": created,
                "allocated_on": allocated_on,
                "build_by": build_by,
            }
        )
    records += [_empty_plot("free") for _ in range(plan["free"])]
    return records


def _layout(
    n: int,
    w: float,
    h: float,
    angle: float,
    *,
    road_m: float,
    fill: float,
    partial: float,
    rng: np.random.Generator,
) -> list[Polygon]:
    """Cut a w x h zone (local metres, centred, rotated) into ``n`` plots.

    The zone is divided by roads into a grid of blocks with random widths; the
    first ``n`` blocks, counted from the zone entrance, become plots. Plots are set
    back ``road_m`` from every block edge, so they never touch each other or the
    zone boundary.
    """
    cells = max(n, math.ceil(n / fill))
    nx = max(1, round(math.sqrt(cells * w / h)))
    ny = math.ceil(cells / nx)
    while nx * ny < n:
        ny += 1
    xs = np.concatenate([[0.0], np.cumsum(rng.uniform(0.75, 1.25, nx))])
    ys = np.concatenate([[0.0], np.cumsum(rng.uniform(0.8, 1.2, ny))])
    xs = xs / xs[-1] * w - w / 2
    ys = ys / ys[-1] * h - h / 2
    order = sorted(
        ((i, j) for i in range(nx) for j in range(ny)),
        key=lambda ij: (ij[0] + ij[1], ij[1]),
    )
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    plots = []
    for i, j in order[:n]:
        x0, x1 = xs[i] + road_m, xs[i + 1] - road_m
        y0, y1 = ys[j] + road_m, ys[j + 1] - road_m
        if rng.random() < partial:  # a plot that does not use its whole block
            x1 = x0 + (x1 - x0) * rng.uniform(0.6, 0.9)
        box = shapely.box(x0, y0, x1, y1)
        plots.append(affinity.affine_transform(box, [c, -s, s, c, 0.0, 0.0]))
    return plots


def build_zones_and_plots(
    placed: list[dict[str, object]],
    rng: np.random.Generator,
    region: _Frame,
    districts: gpd.GeoDataFrame,
    exclusions: gpd.GeoDataFrame,
    infrastructure: gpd.GeoDataFrame,
    towns: dict[str, tuple[float, float]],
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Fill every placed zone with plots and add the plots outside zones in Sauran."""
    names = _Names(rng)
    by_id = {p["spec"].zone_id: p for p in placed}
    specs = [p["spec"] for p in placed]
    regional = [s for s in specs if s.kind in ("regional", "private")]
    records = _regional_records(regional, rng, names)
    records[PARK.zone_id] = _park_records(PARK, rng, names)
    sauran_inv = _partition(
        int(SAURAN_INVESTMENT_KZT / 1e6),
        len(SAURAN_SITES),
        rng,
        sigma=0.2,
        minimum=3000,
    )
    sauran_jobs = _partition(
        SAURAN_JOBS_PLANNED, len(SAURAN_SITES), rng, sigma=0.2, minimum=150
    )
    for spec, inv, jobs in zip(SAURAN_SITES, sauran_inv, sauran_jobs, strict=True):
        records[spec.zone_id] = _site_records(
            spec, rng, names, investment_m=inv, jobs=jobs
        )
    records[TEMIRLAN.zone_id] = _site_records(
        TEMIRLAN,
        rng,
        names,
        investment_m=int(TEMIRLAN_INVESTMENT_KZT / 1e6),
        jobs=TEMIRLAN_JOBS,
    )
    for spec in OTHER_SITES:
        inv = int(rng.integers(15, 80)) * 100
        jobs = int(rng.integers(120, 420))
        records[spec.zone_id] = _site_records(
            spec, rng, names, investment_m=inv, jobs=jobs
        )

    zone_rows, plot_rows = [], []
    for spec in specs:
        p = by_id[spec.zone_id]
        zone_rows.append(
            {
                "zone_id": spec.zone_id,
                "name": spec.name,
                "district": spec.district,
                "kind": spec.kind,
                "established": spec.established,
                "budget_kzt": np.nan if spec.budget_kzt is None else spec.budget_kzt,
                "geometry": p["geometry"],
            }
        )
        recs = records[spec.zone_id]
        order = rng.permutation(len(recs))
        recs = [recs[i] for i in order]
        if spec.kind in ("regional", "private"):
            road, fill, partial = 20.0, 0.45, 0.3
        elif spec.kind == "small_park":
            road, fill, partial = 6.0, 0.95, 0.0
        else:
            road, fill, partial = 5.0, 0.9, 0.1
        shapes = _layout(
            len(recs),
            p["w"],
            p["h"],
            p["angle"],
            road_m=road,
            fill=fill,
            partial=partial,
            rng=rng,
        )
        frame: _Frame = p["frame"]
        for k, (rec, shape) in enumerate(zip(recs, shapes, strict=True), start=1):
            plot_rows.append(
                {
                    "plot_id": f"{spec.prefix}-{k:03d}",
                    "zone_id": spec.zone_id,
                    "district": spec.district,
                    **rec,
                    "geometry": frame.to_ll(shape),
                }
            )
    plot_rows += _outside_plots(
        rng,
        names,
        region,
        districts,
        exclusions,
        infrastructure,
        [region.to_m(p["geometry"]) for p in placed],
        towns,
    )
    zones = gpd.GeoDataFrame(zone_rows, geometry="geometry", crs=schema.STORAGE_CRS)
    plots = gpd.GeoDataFrame(plot_rows, geometry="geometry", crs=schema.STORAGE_CRS)
    return zones, plots


def _outside_plots(
    rng: np.random.Generator,
    names: _Names,
    region: _Frame,
    districts: gpd.GeoDataFrame,
    exclusions: gpd.GeoDataFrame,
    infrastructure: gpd.GeoDataFrame,
    zones_m: list[shapely.Geometry],
    towns: dict[str, tuple[float, float]],
) -> list[dict[str, object]]:
    """Make a few plots outside any zone in Sauran district, beside Shornak."""
    sauran = region.to_m(
        districts.loc[districts["district"] == "Sauran"].geometry.iloc[0]
    )
    blocked = shapely.union_all(
        [z.buffer(800.0) for z in zones_m]
        + [region.to_m(g).buffer(400.0) for g in infrastructure.geometry]
        + [
            region.to_m(g).buffer(b)
            for g, b in zip(exclusions.geometry, exclusions["buffer_m"], strict=True)
        ]
    )
    shornak = ("Shornak", *towns["Shornak"])
    rows = []
    bearing = 200.0
    for k, status in enumerate(SAURAN_OUTSIDE, start=1):
        for _ in range(200):
            bearing += 37.0
            x, y = _offset(
                region, shornak[1], shornak[2], float(rng.uniform(4.0, 7.0)), bearing
            )
            lon, lat = region.inv.transform(x, y)
            local = _local_frame(lon, lat)
            w, h = float(rng.uniform(100, 200)), float(rng.uniform(80, 150))
            shape = local.to_ll(_rect(w, h, float(rng.uniform(-20, 20))))
            shape_m = region.to_m(shape)
            if shape_m.buffer(300).within(sauran) and not shape_m.buffer(
                300
            ).intersects(blocked):
                break
        else:
            msg = "could not place a plot outside the zones in Sauran"
            raise RuntimeError(msg)
        blocked = blocked.union(shape_m.buffer(300.0))
        if status == "free":
            rec = _empty_plot("free")
        else:
            sector = SMALL_SITE_SECTORS[k % len(SMALL_SITE_SECTORS)]
            if status == "operating":
                allocated_on = dt.date(2021, 5, 12)
                build_by = dt.date(2022, 5, 12)
            else:
                allocated_on = _date_between(
                    rng, dt.date(2021, 1, 10), dt.date(2022, 12, 20)
                )
                build_by = _add_years(allocated_on, 1)
            planned = int(rng.integers(8, 40))
            rec = {
                "status": "operating" if status == "operating" else "allocated",
                "investor": names.investor(sector),
                "project": names.project(sector, "Shornak"),
                "sector": sector,
                "investment_kzt": float(rng.integers(2, 30)) * 1e8,
                "jobs_planned": planned,
                "jobs_created": planned - 2 if status == "operating" else 0,
                "allocated_on": allocated_on,
                "build_by": build_by,
            }
        rows.append(
            {
                "plot_id": f"SAU-OUT-{k:03d}",
                "zone_id": None,
                "district": "Sauran",
                **rec,
                "geometry": shape,
            }
        )
    return rows


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _finish(gdf: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """Order and type the columns as zonegeo.schema says."""
    sch = schema.LAYERS[layer]
    cols = sch.column_names
    out = gdf.reindex(columns=[*cols, "geometry"]).copy()
    for c in sch.columns:
        if c.dtype == "string":
            out[c.name] = out[c.name].astype("string")
        elif c.dtype == "float":
            out[c.name] = pd.to_numeric(out[c.name]).astype("float64")
        elif c.dtype in ("int", "year"):
            out[c.name] = pd.array(out[c.name].tolist(), dtype="Int64")
        elif c.dtype == "date":
            out[c.name] = out[c.name].astype(object).where(out[c.name].notna(), None)
    # counter-clockwise shells, clockwise holes (as OGC and pyproj.Geod expect)
    out["geometry"] = shapely.orient_polygons(out.geometry.to_numpy())
    return gpd.GeoDataFrame(out, geometry="geometry", crs=schema.STORAGE_CRS)


def write_layer(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write one layer to a GeoPackage; the layer name is the file stem."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.gpkg")
    if tmp.exists():
        tmp.unlink()
    gdf.to_file(tmp, layer=path.stem, driver="GPKG", engine="pyogrio", use_arrow=True)
    tmp.replace(path)


def build(
    seed: int = SEED, sources: Sources = DEFAULT_SOURCES
) -> dict[str, gpd.GeoDataFrame]:
    """Build every layer of the demo dataset in memory.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``.
    sources : Sources
        The public source files (``DEFAULT_SOURCES``: ``../shared/data``).

    Returns
    -------
    dict of str to GeoDataFrame
        Layers ``districts``, ``settlements``, ``exclusions``, ``zones``, ``plots``
        and ``infrastructure``, in EPSG:4326 with the columns of zonegeo.schema.
    """
    rng = np.random.default_rng(seed)
    region = _Frame(REGION_CRS)
    places = read_places(sources)
    districts = build_districts(sources, region, places)
    area = shapely.union_all([region.to_m(g) for g in districts.geometry])
    settlements = build_settlements(places, districts)
    towns = _anchors(places)
    exclusions = build_exclusions(region, area)
    infrastructure = build_infrastructure(sources, region, area, towns, rng)
    specs = [*REGIONAL, *PRIVATE, PARK, *SAURAN_SITES, TEMIRLAN, *OTHER_SITES]
    placed = place_zones(
        specs, districts, exclusions, infrastructure, settlements, towns, region, rng
    )
    zones, plots = build_zones_and_plots(
        placed, rng, region, districts, exclusions, infrastructure, towns
    )
    layers = {
        "districts": districts,
        "settlements": settlements,
        "exclusions": exclusions,
        "zones": zones,
        "plots": plots,
        "infrastructure": infrastructure,
    }
    return {name: _finish(gdf, name) for name, gdf in layers.items()}


def check(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, float]:
    """Check the published figures; return them (raises RuntimeError on a mismatch)."""
    zones, plots = layers["zones"], layers["plots"]
    area = {
        z: _geod_area_ha(g)
        for z, g in zip(zones["zone_id"], zones.geometry, strict=True)
    }
    zones = zones.assign(area_ha=zones["zone_id"].map(area))
    reg = zones[zones["kind"] == "regional"]
    in16 = plots[
        plots["zone_id"].isin(
            zones.loc[zones["kind"].isin(["regional", "private"]), "zone_id"]
        )
    ]
    park = plots[plots["zone_id"] == PARK.zone_id]
    sites = zones[zones["kind"] == "small_site"]
    sau = plots[plots["zone_id"].isin([s.zone_id for s in SAURAN_SITES])]
    tem = plots[plots["zone_id"] == TEMIRLAN.zone_id]
    proj16 = in16[in16["project"].notna()]
    year = pd.to_datetime(proj16["allocated_on"]).dt.year
    budget = float(zones.loc[zones["zone_id"] == PARK.zone_id, "budget_kzt"].iloc[0])
    idle = (plots["status"] == "allocated") & (
        pd.to_datetime(plots["build_by"]) < pd.Timestamp(AS_OF)
    )
    figures = {
        "regional zones": len(reg),
        "regional ha": round(float(reg["area_ha"].sum()), 4),
        "regional established 2024": int((reg["established"] == 2024).sum()),
        "private zones": int((zones["kind"] == "private").sum()),
        "projects in 16 zones": proj16["project"].nunique(),
        "investment in 16 zones": float(in16["investment_kzt"].sum()),
        "projects of 2024": proj16.loc[year == 2024, "project"].nunique(),
        "park ha": round(area[PARK.zone_id], 4),
        "park plots": len(park),
        "park built": int((park["status"] == "operating").sum()),
        "park projects connected": park.loc[
            park["status"] == "operating", "project"
        ].nunique(),
        "park jobs created": int(park["jobs_created"].sum()),
        "park jobs planned": int(park["jobs_planned"].sum()),
        "park investment per budget": float(park["investment_kzt"].sum()) / budget,
        "small sites": len(sites),
        "small sites construction": int(
            plots.loc[plots["zone_id"].isin(sites["zone_id"]), "status"]
            .eq("construction")
            .sum()
        ),
        "Sauran ha": round(sum(area[s.zone_id] for s in SAURAN_SITES), 4),
        "Sauran projects": sau["project"].nunique(),
        "Sauran investment": float(sau["investment_kzt"].sum()),
        "Sauran jobs planned": int(sau["jobs_planned"].sum()),
        "Sauran construction": int((sau["status"] == "construction").sum()),
        "Temirlan ha": round(area[TEMIRLAN.zone_id], 4),
        "Temirlan investment": float(tem["investment_kzt"].sum()),
        "Temirlan jobs planned": int(tem["jobs_planned"].sum()),
        "Temirlan construction": int((tem["status"] == "construction").sum()),
        "idle plots": int(idle.sum()),
        "plots": len(plots),
    }
    expected = {
        "regional zones": 14,
        "regional ha": REGIONAL_ZONES_HA,
        "regional established 2024": 5,
        "private zones": 2,
        "projects in 16 zones": REGIONAL_PROJECTS,
        "investment in 16 zones": REGIONAL_INVESTMENT_KZT,
        "projects of 2024": PROJECTS_APPROVED_2024,
        "park ha": PARK_AREA_HA,
        "park plots": PARK_BUILDINGS,
        "park built": PARK_BUILT,
        "park projects connected": PARK_PROJECTS_CONNECTED,
        "park jobs created": PARK_JOBS_CREATED,
        "park jobs planned": PARK_JOBS_PLANNED,
        "park investment per budget": PARK_INVESTMENT_PER_BUDGET,
        "small sites": SMALL_SITES,
        "small sites construction": SMALL_SITES_CONSTRUCTION,
        "Sauran ha": SAURAN_SITES_HA,
        "Sauran projects": SAURAN_PROJECTS,
        "Sauran investment": SAURAN_INVESTMENT_KZT,
        "Sauran jobs planned": SAURAN_JOBS_PLANNED,
        "Sauran construction": SAURAN_CONSTRUCTION,
        "Temirlan ha": TEMIRLAN_HA,
        "Temirlan investment": TEMIRLAN_INVESTMENT_KZT,
        "Temirlan jobs planned": TEMIRLAN_JOBS,
        "Temirlan construction": TEMIRLAN_CONSTRUCTION,
    }
    bad = [
        f"{k}: {figures[k]!r} != {v!r}"
        for k, v in expected.items()
        if abs(figures[k] - v) > 0.001
    ]
    if bad:
        msg = "demo data do not reproduce the published figures:\n  " + "\n  ".join(bad)
        raise RuntimeError(msg)
    return figures


SCHEMA_START = "<!-- schema:start (generated by make_demo.py --readme) -->"
SCHEMA_END = "<!-- schema:end -->"
_DTYPE_TEXT = {
    "string": "text",
    "int": "integer",
    "float": "real",
    "date": "date (ISO, GeoPackage DATE)",
    "year": "integer year",
}


def schema_markdown() -> str:
    """Render the layer schemas of :mod:`zonegeo.schema` as Markdown tables.

    Returns
    -------
    str
        One section per layer, as included in ``data/README.md``.
    """
    out = []
    for name, sch in schema.LAYERS.items():
        where = FILES[name]
        out.append(f"#### {name}\n")
        ident = f"; unique id: `{sch.id_column}`" if sch.id_column else ""
        out.append(
            f"File `{where}` (layer `{Path(where).stem}`); geometry "
            f"{' / '.join(sch.geometry_types)}{ident}.\n"
        )
        out.append("| column | type | required | allowed values | meaning |")
        out.append("|---|---|---|---|---|")
        for c in sch.columns:
            allowed = ", ".join(f"`{a}`" for a in c.allowed) if c.allowed else ""
            required = "yes" if c.required else "no"
            if not c.nullable:
                required += ", never empty"
            out.append(
                f"| `{c.name}` | {_DTYPE_TEXT[c.dtype]} | {required} | {allowed} "
                f"| {c.description} |"
            )
        for c in sch.computed:
            out.append(
                f"| `{c}` | real | computed on read | | hectares, from the geometry "
                "on the WGS 84 ellipsoid; never stored in the files |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def update_readme(path: Path) -> bool:
    """Rewrite the schema section of ``path`` from :func:`schema_markdown`.

    Returns
    -------
    bool
        Whether the file changed.
    """
    text = path.read_text(encoding="utf-8")
    start, end = text.index(SCHEMA_START), text.index(SCHEMA_END)
    new = text[: start + len(SCHEMA_START)] + "\n" + schema_markdown() + text[end:]
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> dict[str, Path]:
    """Build, check and write the demo dataset.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (``--out DIR``, ``--seed N``, and the source files
        ``--districts``, ``--names``, ``--places``, ``--geonames``,
        ``--pipelines``); ``sys.argv`` by default.

    Returns
    -------
    dict of str to Path
        The file written for each layer.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DATA_DIR,
        help="output folder (default: the folder of this script)",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    for name, help_text in (
        ("districts", "OSM district polygons (osm-turkistan-districts)"),
        ("names", "geokz / COD-AB ADM2 units for the names (geokz-hdx-codab-2024)"),
        ("places", "HOT OSM populated places (hotosm-populated-places-turkistan)"),
        ("geonames", "GeoNames places (geonames-cities500-turkistan)"),
        ("pipelines", "GEM pipeline routes (gem-pipelines-turkistan)"),
    ):
        parser.add_argument(
            f"--{name}",
            type=Path,
            default=getattr(DEFAULT_SOURCES, name),
            help=f"{help_text}; default: %(default)s",
        )
    parser.add_argument(
        "--readme",
        action="store_true",
        help="only rewrite the schema tables in data/README.md from zonegeo.schema",
    )
    args = parser.parse_args(argv)
    if args.readme:
        update_readme(DATA_DIR / "README.md")
        return {}
    sources = Sources(
        districts=args.districts,
        names=args.names,
        places=args.places,
        geonames=args.geonames,
        pipelines=args.pipelines,
    )
    layers = build(args.seed, sources)
    figures = check(layers)
    written: dict[str, Path] = {}
    # Pin the GeoPackage last_change stamp so that files are byte-identical.
    pyogrio.set_gdal_config_options(
        {"OGR_CURRENT_DATE": f"{AS_OF.isoformat()}T00:00:00Z"}
    )
    try:
        for name, rel in FILES.items():
            path = args.out / rel
            write_layer(layers[name], path)
            written[name] = path
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    for key, value in figures.items():
        log.info("%-28s %s", key, value)
    return written


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for layer, path in main().items():
        log.info("wrote %-14s %s", layer, path)
