"""The regional atlas: one interactive map page per district and an index page.

:func:`write_atlas` writes ``index.html`` (a region overview map whose
districts link to their pages, and the district key-figure table) and one
``<slug>.html`` per district, each made by :func:`zonegeo.district_map`.
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from zonegeo import i18n as _i18n
from zonegeo.dataset import Dataset
from zonegeo.errors import ValidationError
from zonegeo.maps.district import district_map
from zonegeo.maps.elements import _HtmlBlock
from zonegeo.maps.legend import _set_back_link
from zonegeo.maps.raster import RasterLayer, _as_layers, _rasters_by_district
from zonegeo.maps.region import region_map
from zonegeo.maps.save import save_map
from zonegeo.maps.styles import Basemap

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence

    import geopandas as gpd

__all__ = ["KPI_TABLE_COLUMNS", "district_slugs", "slugify", "write_atlas"]

log = logging.getLogger(__name__)

#: Columns of the index page's key-figure table, with their label keys and decimals.
KPI_TABLE_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("zones", "zones_count", 0),
    ("zones_ha", "zones_ha", 1),
    ("plots", "plots_count", 0),
    ("plots_free", "plots_free", 0),
    ("occupancy_pct", "occupancy_pct", 1),
    ("projects", "projects", 0),
    ("investment_kzt", "investment_kzt", 0),
    ("jobs_planned", "jobs_planned", 0),
    ("jobs_created", "jobs_created", 0),
    ("idle_plots", "idle_count", 0),
    ("idle_ha", "idle_ha", 1),
)

# Names a page may not take: the index, and names Windows reserves.
_RESERVED = frozenset(
    {
        "index",
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{i}" for i in range(10)),
        *(f"lpt{i}" for i in range(10)),
    }
)
_CYRILLIC = str.maketrans(
    {
        "а": "a",
        "ә": "a",
        "б": "b",
        "в": "v",
        "г": "g",
        "ғ": "g",
        "д": "d",
        "е": "e",
        "ё": "e",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "i",
        "к": "k",
        "қ": "q",
        "л": "l",
        "м": "m",
        "н": "n",
        "ң": "n",
        "о": "o",
        "ө": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ұ": "u",
        "ү": "u",
        "ф": "f",
        "х": "kh",
        "һ": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "shch",
        "ъ": "",
        "ы": "y",
        "і": "i",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)


def slugify(name: str, *, max_length: int = 60) -> str:
    """Return a safe file-name stem for a district name.

    Lower-case ASCII letters, digits and single hyphens only (Kazakh and
    Russian letters are transliterated, accents dropped), so a name can never
    hold a path separator or ``..``. An empty result becomes ``"district"``.

    Examples
    --------
    >>> slugify("Sauran")
    'sauran'
    >>> slugify("../../etc/passwd")
    'etc-passwd'
    >>> slugify("Түркістан қаласы")
    'turkistan-qalasy'
    """
    text = str(name).lower().translate(_CYRILLIC)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    text = text[:max_length].strip("-")
    return text or "district"


def district_slugs(names: Iterable[str]) -> dict[str, str]:
    """Return a distinct page file name (``<slug>.html``) for each district name.

    Reserved stems (``index``, and names Windows reserves such as ``con``)
    get a ``district-`` prefix; clashes get ``-2``, ``-3``, ...

    Examples
    --------
    >>> district_slugs(["Sauran", "sauran", "Index"])
    {'Sauran': 'sauran.html', 'sauran': 'sauran-2.html', 'Index': 'district-index.html'}
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        stem = slugify(name)
        if stem in _RESERVED:
            stem = f"district-{stem}"
        candidate, n = stem, 2
        while candidate in used:
            candidate = f"{stem}-{n}"
            n += 1
        used.add(candidate)
        out[name] = f"{candidate}.html"
    return out


def _inside(folder: Path, file_name: str) -> Path:
    """Return ``folder / file_name``, refusing anything that would leave ``folder``."""
    target = (folder / file_name).resolve()
    if target.parent != folder.resolve() or not re.fullmatch(
        r"[a-z0-9-]+\.html", file_name
    ):
        msg = f"refusing to write {file_name!r}: the atlas writes only inside {folder}"
        raise ValidationError(msg)
    return target


def _fmt(value: object, lang: str, decimals: int, *, column: str = "") -> str:
    """Format a key figure; a missing count or sum (not a percentage) is unknown."""
    text = _i18n.format_number(value, lang, decimals=decimals)
    if text is None and column and not column.endswith("_pct"):
        return _i18n.label("unknown", lang)
    return text or ""


def _kpi_table(
    kpis: pd.DataFrame, links: dict[str, str], labels: dict[str, str], lang: str
) -> str:
    """Return the district key-figure table as HTML (every value escaped)."""
    cols = [(c, key, dec) for c, key, dec in KPI_TABLE_COLUMNS if c in kpis.columns]
    head = "".join(
        f"<th>{html.escape(_i18n.column_label(key, lang))}</th>" for _, key, _ in cols
    )
    rows = []
    for _, row in kpis.iterrows():
        name = str(row["district"])
        shown = html.escape(labels.get(name, name))
        cell = (
            f'<a href="{html.escape(links[name])}">{shown}</a>'
            if name in links
            else shown
        )
        klass = "" if name in links else ' class="zg-total"'
        nums = "".join(
            f'<td class="num">{html.escape(_fmt(row[c], lang, dec, column=c))}</td>'
            for c, _, dec in cols
        )
        rows.append(f"<tr{klass}><td>{cell}</td>{nums}</tr>")
    title = html.escape(_i18n.label("kpi_title", lang))
    district = html.escape(_i18n.label("district", lang))
    return (
        f'<div class="zg-kpi"><h2>{title}</h2><table><thead><tr><th>{district}</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def write_atlas(
    dataset: Dataset,
    out_dir: str | os.PathLike[str],
    *,
    ranking: gpd.GeoDataFrame | None = None,
    self_contained: bool = True,
    lang: _i18n.Lang = "en",
    as_of: object | None = None,
    basemap: Basemap = "osm",
    progress: bool | None = None,
    raster: RasterLayer | Sequence[RasterLayer] | None = None,
) -> Path:
    """Write the regional atlas: an index page and one map page per district.

    Parameters
    ----------
    dataset : Dataset
        The region's layers.
    out_dir : str or path-like
        Folder to write into (created if needed). Only ``index.html`` and the
        district pages are written; page names are slugs of the district names
        (see :func:`district_slugs`), so no name can write outside ``out_dir``.
    ranking : GeoDataFrame, optional
        Ranked candidate sites (see :func:`zonegeo.district_map`); each
        district page shows the sites that lie in it.
    self_contained : bool, default True
        Inline every script and style sheet, so each page opens with no
        network (basemap tiles aside) and can be e-mailed on its own.
    lang : {"en", "kk", "ru"}, default "en"
        Language of the pages.
    as_of : date-like, optional
        Reference date for idle plots; today by default.
    basemap : {"osm", "esri", "none"}, default "osm"
        Basemap of every page.
    progress : bool, optional
        Show a tqdm progress bar; by default only on a terminal.
    raster : RasterLayer or sequence of RasterLayer, optional
        Rasters drawn on every district page they overlap, each clipped to
        that page's district (see :class:`zonegeo.RasterLayer`).

    Returns
    -------
    Path
        The path of ``index.html``.

    Warns
    -----
    DataWarning
        Once per raster, naming the districts it does not overlap; their
        pages are drawn without it.

    Examples
    --------
    >>> import tempfile, zonegeo
    >>> index = zonegeo.write_atlas(zonegeo.load_demo(), tempfile.mkdtemp(),
    ...                             basemap="none", progress=False)
    >>> index.name, (index.parent / "sauran.html").exists()
    ('index.html', True)
    """
    from tqdm.auto import tqdm

    from zonegeo.kpis import district_kpis

    if not isinstance(dataset, Dataset):
        msg = f"write_atlas expects a zonegeo.Dataset, got {type(dataset).__name__}"
        raise TypeError(msg)
    from zonegeo.io.integrity import check_links

    check_links(dataset)
    _i18n.check_lang(lang)
    rasters = _rasters_by_district(_as_layers(raster), dataset.districts)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    names = dataset.district_names
    links = district_slugs(names)
    disable = None if progress is None else not progress
    back = _i18n.label("back_to_region", lang)
    for name in tqdm(names, desc="atlas", unit="district", disable=disable):
        m = district_map(
            dataset,
            name,
            ranking=ranking,
            lang=lang,
            as_of=as_of,
            basemap=basemap,
            raster=rasters.get(name) or None,
        )
        _set_back_link(m, "index.html", back)
        save_map(m, _inside(folder, links[name]), self_contained=self_contained)

    kpis = district_kpis(dataset, as_of=as_of)
    districts = dataset.districts
    col = {"kk": "name_kk", "ru": "name_ru"}.get(lang)
    labels: dict[str, str] = {}
    if col and col in districts.columns:
        for d, local in zip(districts["district"], districts[col], strict=True):
            if isinstance(local, str) and local.strip():
                labels[str(d)] = local.strip()
    labels[str(kpis["district"].iloc[-1])] = _i18n.label("region_total", lang)
    index = region_map(
        dataset,
        links=links,
        lang=lang,
        basemap=basemap,
        height="62%",
    )
    index.add_child(
        _HtmlBlock(_kpi_table(kpis, links, labels, lang)), name="zonegeo_kpis"
    )
    from zonegeo.maps.charts import charts_html, key_charts

    charts = key_charts(dataset, lang=lang, as_of=as_of, kpis=kpis)
    index.add_child(_HtmlBlock(charts_html(charts, lang=lang)), name="zonegeo_charts")
    path = save_map(index, _inside(folder, "index.html"), self_contained=self_contained)
    log.info("atlas of %d districts written to %s", len(names), folder)
    return path
