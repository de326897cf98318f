"""``zonegeo rank``: run a scenario file and write the ranked candidate sites."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pandas as pd

from zonegeo.cli._common import (
    crs_option,
    data_option,
    date_format_option,
    echo_err,
    load_dataset,
    lock_timeout_option,
    output_format,
)

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["rank"]

#: Output formats of ``zonegeo rank``, by extension.
FORMATS = ("gpkg", "csv", "xlsx", "geojson", "parquet")

_SHOW = [
    "rank",
    "candidate_id",
    "source",
    "score",
    "area_ha",
    "dist_gas_m",
    "dist_electricity_m",
    "dist_water_m",
    "cost_total_kzt",
    "p_top1",
]


def _plain(value: Any) -> Any:
    """Make attrs values JSON- and Excel-friendly."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _summary(ranked: gpd.GeoDataFrame) -> pd.DataFrame:
    """Rows of the ``about`` sheet: what was ranked, how, and with which weights."""
    attrs = _plain(dict(ranked.attrs))
    rows: list[tuple[str, object]] = []
    scen = attrs.get("scenario", {})
    for key in ("name", "source", "district", "area_ha", "hazard_class", "method"):
        rows.append((f"scenario.{key}", scen.get(key)))
    rows.append(("normalisation", attrs.get("normalisation")))
    rows.append(
        (
            "contrib_baseline (score = baseline + sum of contrib_*)",
            attrs.get("contrib_baseline"),
        )
    )
    for col, w in (attrs.get("weights") or {}).items():
        rows.append((f"weight.{col} ({attrs['better'][col]} is better)", w))
    if "ahp" in scen:
        for key, v in scen["ahp"].items():
            rows.append((f"ahp.{key}", v))
    for key in (
        "sanitary_width_m",
        "sanitary_source",
        "shape",
        "tiles_in_district",
        "tiles_kept",
        "free_plots",
        "eligible_sites",
        "lattice_stride",
    ):
        if key in attrs:
            rows.append((key, attrs[key]))
    if "stability" in attrs:
        for key in ("n", "spread", "seed", "concentration"):
            rows.append((f"stability.{key}", attrs["stability"].get(key)))
    rows.append(("random_index (Saaty)", json.dumps(attrs.get("random_index"))))
    return pd.DataFrame(rows, columns=["item", "value"]).astype({"value": "string"})


def _write_xlsx(ranked: gpd.GeoDataFrame, path: Path) -> None:
    import shapely

    from zonegeo.io.atomic import atomic_path
    from zonegeo.io.sheets import write_xlsx

    table = pd.DataFrame(ranked.drop(columns=ranked.geometry.name))
    table["wkt"] = shapely.to_wkt(ranked.geometry.to_numpy(), rounding_precision=6)
    with atomic_path(path) as tmp:
        write_xlsx({"ranking": table, "about": _summary(ranked)}, tmp)


@click.command("rank")
@click.option(
    "--scenario",
    "scenario_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Scenario TOML file (see scenarios/ and docs/ranking.md).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Output file: .gpkg, .csv or .xlsx (also .geojson, .parquet).",
)
@data_option
@crs_option
@lock_timeout_option
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    help="Print this many best sites.",
)
@date_format_option
def rank(
    scenario_path: Path,
    output: Path,
    data: str | None,
    crs: str | None,
    lock_timeout: float,
    top: int,
    date_format: str | None,
) -> None:
    """Rank candidate sites for a new zone as a scenario file describes.

    The scenario is validated first; the candidates (tiles and free plots,
    with ineligible ones marked and explained) are written best first, with
    score, rank and each criterion's contribution. An .xlsx file also gets an
    'about' sheet with the method, normalisation, weights and sources.
    """
    import zonegeo
    from zonegeo.siting.scenario import load_scenario, run_scenario

    fmt = output_format(output, FORMATS)
    dataset = load_dataset(
        data, date_format, crs=crs, lock_timeout=lock_timeout
    )
    scenario = load_scenario(scenario_path, dataset=dataset)  # every problem at once
    ranked = run_scenario(scenario, dataset)
    if fmt == "xlsx":
        _write_xlsx(ranked, output)
    else:
        zonegeo.write_layer(ranked, output)
    n_eligible = int(ranked["eligible"].sum())
    echo_err(
        f"{scenario.name}: {len(ranked)} candidate sites in {scenario.district} "
        f"({n_eligible} eligible), ranked by {scenario.method}; written to {output}"
    )
    if top:
        cols = [c for c in _SHOW if c in ranked.columns]
        best = ranked[ranked["rank"].notna()].head(top)[cols]
        with pd.option_context(
            "display.width",
            160,
            "display.max_columns",
            20,
            "display.float_format",
            "{:,.3f}".format,
        ):
            click.echo(best.to_string(index=False))
