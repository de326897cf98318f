"""``zonegeo demo``: the main job on the bundled demo data of Turkistan region."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

__all__ = ["demo"]


def _show(title: str, table: pd.DataFrame) -> None:
    click.echo(f"\n{title}")
    with pd.option_context("display.max_columns", 20, "display.width", 160,
                           "display.float_format", "{:,.1f}".format):
        click.echo(table.to_string(index=False))


@click.command()
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out/demo"), show_default=True,
              help="Folder for the demo's outputs.")
@click.option("--as-of", default="2025-02-01", show_default=True,
              help="Reference date for idle plots (the articles' date by default).")
def demo(out_dir: Path, as_of: str) -> None:
    """Run the main job on the bundled demo data and say where the output is."""
    import zonegeo

    ds = zonegeo.load_demo()
    click.echo(f"Loaded the demo dataset: {ds!r}")
    districts = zonegeo.district_kpis(ds, as_of=as_of)
    _show("District KPIs (as of " + as_of + ")",
          districts[["district", "zones", "zones_ha", "plots", "plots_free", "occupancy_pct",
                     "projects", "investment_kzt", "jobs_planned", "jobs_created",
                     "idle_plots"]])
    out_dir.mkdir(parents=True, exist_ok=True)
    zone_path = out_dir / "zone_kpis.csv"
    zonegeo.write_layer(zonegeo.zone_kpis(ds, as_of=as_of), zone_path)
    click.echo(f"\nZone KPI table written to {zone_path.resolve()}")
