"""``zonegeo demo``: the main job on the bundled demo data of Turkistan region.

It prints the district KPIs and Sauran district's infrastructure distances,
ranks candidate sites with the worked scenario ``sauran_50ha_topsis.toml``,
writes the KPI report, the distances, the ranking and the offline HTML atlas,
and says where they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click
import pandas as pd

from zonegeo.cli._common import as_of_date, date_format_option

__all__ = ["demo"]

#: The scenario the demo runs, kept with the package's worked scenarios.
DEMO_SCENARIO = "sauran_50ha_topsis.toml"


def _show(title: str, table: pd.DataFrame) -> None:
    click.echo(f"\n{title}")
    with pd.option_context("display.max_columns", 20, "display.width", 200):
        click.echo(table.to_string(index=False))


def _scenario_path() -> Path:
    """Return the worked scenario: installed with the package, or in the source tree."""
    package = Path(__file__).resolve().parents[1]
    for folder in (package / "_scenarios", package.parent / "scenarios"):
        if (folder / DEMO_SCENARIO).exists():
            return folder / DEMO_SCENARIO
    msg = f"the worked scenario {DEMO_SCENARIO} is missing from the installation"
    raise click.ClickException(msg)


@click.command()
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out/demo"),
    show_default=True,
    help="Folder for the demo's outputs.",
)
@click.option(
    "--as-of",
    default="2025-02-01",
    show_default=True,
    help="Reference date for idle plots, dd.mm.yyyy or YYYY-MM-DD (the date of "
    "the source articles).",
)
@click.option(
    "--basemap",
    type=click.Choice(["osm", "esri", "none"]),
    default="osm",
    show_default=True,
    help="Basemap of the atlas pages (tiles need the network).",
)
@date_format_option
def demo(
    out_dir: Path,
    as_of: str,
    basemap: Literal["osm", "esri", "none"],
    date_format: str | None,
) -> None:
    """Run the main job on the bundled demo data and say where the output is."""
    import zonegeo

    if out_dir.exists() and not out_dir.is_dir():
        msg = f"{out_dir}: is a file, not a folder; give -o a folder for the outputs"
        raise zonegeo.ValidationError(msg)
    ref = as_of_date(as_of, date_format)

    out_dir.mkdir(parents=True, exist_ok=True)
    ds = zonegeo.load_demo()
    click.echo(f"Loaded the demo dataset: {ds!r}")

    kpis = zonegeo.district_kpis(ds, as_of=ref)
    shown = kpis[
        [
            "district",
            "zones",
            "zones_ha",
            "plots",
            "plots_free",
            "occupancy_pct",
            "projects",
            "investment_kzt",
            "jobs_planned",
            "jobs_created",
            "idle_plots",
        ]
    ]
    shown = shown.assign(
        zones_ha=shown["zones_ha"].round(1),
        occupancy_pct=shown["occupancy_pct"].round(1),
        investment_kzt=(shown["investment_kzt"] / 1e9).round(2),
    ).rename(columns={"investment_kzt": "investment_bn_kzt"})
    _show(f"District KPIs (idle plots as of {ref:%Y-%m-%d})", shown)

    sauran = ds.district("Sauran")
    plots = zonegeo.connection_costs(
        zonegeo.infrastructure_distances(sauran.plots, sauran.infrastructure)
    )
    by_zone = (
        plots.groupby("zone_id", dropna=False)
        .agg(
            plots=("plot_id", "size"),
            gas_m=("dist_gas_m", "median"),
            electricity_m=("dist_electricity_m", "median"),
            water_m=("dist_water_m", "median"),
            cost_mn_kzt=("cost_total_kzt", "median"),
        )
        .reset_index()
    )
    by_zone["zone_id"] = by_zone["zone_id"].fillna("(outside zones)")
    by_zone["cost_mn_kzt"] = by_zone["cost_mn_kzt"] / 1e6
    _show(
        "Sauran district: median distance from plots to infrastructure (m) and cost to "
        "connect (million KZT)",
        by_zone.round(0),
    )
    distances_path = zonegeo.write_layer(plots, out_dir / "sauran_plot_distances.gpkg")

    scenario = zonegeo.load_scenario(_scenario_path())
    ranking = zonegeo.run_scenario(scenario, ds)
    top = ranking[ranking["eligible"]].head(5)
    _show(
        f"Scenario {scenario.name!r}: the five best candidate sites",
        top[
            [
                "rank",
                "candidate_id",
                "score",
                "dist_gas_m",
                "dist_electricity_m",
                "dist_water_m",
            ]
        ].round(3),
    )
    ranking_path = zonegeo.write_layer(ranking, out_dir / "sauran_ranking.gpkg")

    report_path = zonegeo.write_report(ds, out_dir / "kpi_report.xlsx", as_of=ref)
    index = zonegeo.write_atlas(
        ds, out_dir / "atlas", ranking=ranking, as_of=ref, basemap=basemap
    )

    click.echo("\nOutputs:")
    for label, path in (
        ("KPI report", report_path),
        ("Sauran distances", distances_path),
        ("Sauran ranking", ranking_path),
    ):
        click.echo(f"  {label:<17} {Path(path).resolve()}")
    click.echo(f"\nOpen the atlas (works offline): {Path(index).resolve()}")
