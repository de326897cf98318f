"""Plots as a district office keeps them: a CSV with dd.mm.yyyy dates.

Sixteen plots inside the tiny dataset's zone Z-1 (see ``tests/_tiny.py``).
``build_by`` holds 15 dates (T-16 is free and blank); 7 of them have a day
of 12 or less, so a month-first reader silently gets them wrong. The expected
dates and the idle plots as of 12 January 2026 are written out by hand below.

=====  ============  ===========  ===========  ==============================
id     status        allocated    build_by     idle as of 12.01.2026
=====  ============  ===========  ===========  ==============================
T-01   allocated     15.03.2021   11.03.2023   yes
T-02   allocated     19.09.2019   19.09.2021   yes
T-03   allocated     02.04.2024   05.06.2026   no (June 2026)
T-04   allocated     28.02.2023   13.01.2026   no (the day after)
T-05   allocated     14.07.2022   10.01.2026   yes (2 days)
T-06   allocated     30.11.2023   12.01.2026   no (deadline is the as-of day)
T-07   construction  03.02.2021   01.12.2022   no (building)
T-08   allocated     17.05.2024   31.12.2025   yes
T-09   operating     21.08.2018   25.10.2020   no (operating)
T-10   allocated     09.10.2024   08.11.2026   no (November 2026)
T-11   operating     12.05.2019   20.05.2021   no (operating)
T-12   allocated     16.06.2023   16.06.2025   yes
T-13   allocated     27.12.2024   24.02.2027   no
T-14   allocated     22.01.2025   20.02.2026   no
T-15   allocated     06.03.2022   07.09.2025   yes
T-16   free          -            -            no
=====  ============  ===========  ===========  ==============================
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pyproj
import shapely
from shapely.geometry import box

from tests._tiny import UTM42, X0, Y0

D = dt.date

#: (plot_id, status, allocated_on, build_by) as the office writes them.
ROWS: list[tuple[str, str, str, str]] = [
    ("T-01", "allocated", "15.03.2021", "11.03.2023"),
    ("T-02", "allocated", "19.09.2019", "19.09.2021"),
    ("T-03", "allocated", "02.04.2024", "05.06.2026"),
    ("T-04", "allocated", "28.02.2023", "13.01.2026"),
    ("T-05", "allocated", "14.07.2022", "10.01.2026"),
    ("T-06", "allocated", "30.11.2023", "12.01.2026"),
    ("T-07", "construction", "03.02.2021", "01.12.2022"),
    ("T-08", "allocated", "17.05.2024", "31.12.2025"),
    ("T-09", "operating", "21.08.2018", "25.10.2020"),
    ("T-10", "allocated", "09.10.2024", "08.11.2026"),
    ("T-11", "operating", "12.05.2019", "20.05.2021"),
    ("T-12", "allocated", "16.06.2023", "16.06.2025"),
    ("T-13", "allocated", "27.12.2024", "24.02.2027"),
    ("T-14", "allocated", "22.01.2025", "20.02.2026"),
    ("T-15", "allocated", "06.03.2022", "07.09.2025"),
    ("T-16", "free", "", ""),
]

#: The same dates, read by a person: (allocated_on, build_by) per plot.
EXPECTED: dict[str, tuple[dt.date | None, dt.date | None]] = {
    "T-01": (D(2021, 3, 15), D(2023, 3, 11)),
    "T-02": (D(2019, 9, 19), D(2021, 9, 19)),
    "T-03": (D(2024, 4, 2), D(2026, 6, 5)),
    "T-04": (D(2023, 2, 28), D(2026, 1, 13)),
    "T-05": (D(2022, 7, 14), D(2026, 1, 10)),
    "T-06": (D(2023, 11, 30), D(2026, 1, 12)),
    "T-07": (D(2021, 2, 3), D(2022, 12, 1)),
    "T-08": (D(2024, 5, 17), D(2025, 12, 31)),
    "T-09": (D(2018, 8, 21), D(2020, 10, 25)),
    "T-10": (D(2024, 10, 9), D(2026, 11, 8)),
    "T-11": (D(2019, 5, 12), D(2021, 5, 20)),
    "T-12": (D(2023, 6, 16), D(2025, 6, 16)),
    "T-13": (D(2024, 12, 27), D(2027, 2, 24)),
    "T-14": (D(2025, 1, 22), D(2026, 2, 20)),
    "T-15": (D(2022, 3, 6), D(2025, 9, 7)),
    "T-16": (None, None),
}

AS_OF_TEXT = "12.01.2026"
AS_OF = D(2026, 1, 12)
#: Idle as of 12 January 2026, most overdue first (from the table above).
IDLE = ["T-02", "T-01", "T-12", "T-15", "T-08", "T-05"]


def geometries() -> list[shapely.Geometry]:
    """40 m squares in two rows of eight inside zone Z-1, in EPSG:4326."""
    squares = [
        box(
            X0 + 60 * (i % 8),
            Y0 + 100 * (i // 8),
            X0 + 60 * (i % 8) + 40,
            Y0 + 100 * (i // 8) + 40,
        )
        for i in range(len(ROWS))
    ]
    return list(gpd.GeoSeries(squares, crs=UTM42).to_crs(4326))


def write_csv(
    path: Path,
    *,
    sep: str = ".",
    rows: list[tuple[str, str, str, str]] | None = None,
    reformat: object = None,
) -> Path:
    """Write the office CSV (WKT in EPSG:4326, a .prj beside it).

    ``sep`` replaces the dots of the dates; ``reformat`` (a function of a
    dd.mm.yyyy string) rewrites each date instead.
    """
    lines = ["plot_id,zone_id,district,status,investor,allocated_on,build_by,wkt"]
    for (pid, status, alloc, build), geom in zip(
        rows or ROWS, geometries(), strict=True
    ):
        dates = []
        for text in (alloc, build):
            if text and callable(reformat):
                text = reformat(text)
            elif text:
                text = text.replace(".", sep)
            dates.append(text)
        investor = "" if status == "free" else f"ТОО Инвестор {pid}"
        wkt = shapely.to_wkt(geom, rounding_precision=7)
        lines.append(
            f'{pid},Z-1,Sauran,{status},{investor},{dates[0]},{dates[1]},"{wkt}"'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.with_suffix(".prj").write_text(pyproj.CRS(4326).to_wkt())
    return path


def write_folder(folder: Path, **kwargs: object) -> Path:
    """A dataset folder: the tiny dataset's layers as GeoPackages, plots as the CSV."""
    import zonegeo
    from tests._tiny import tiny_dataset

    ds = tiny_dataset()
    for layer in ("districts", "zones", "infrastructure"):
        zonegeo.write_layer(getattr(ds, layer), folder / f"{layer}.gpkg")
    write_csv(folder / "plots.csv", **kwargs)  # type: ignore[arg-type]
    return folder
