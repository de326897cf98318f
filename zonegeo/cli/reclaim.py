"""``zonegeo reclaim``: mark idle plots free again (list them with ``--dry-run``)."""

from __future__ import annotations

import click
import pandas as pd

from zonegeo.cli._common import as_of_date, date_format_option, echo_err
from zonegeo.cli.plot import STORE_HELP, lock_timeout_option

__all__ = ["reclaim"]

_SHOWN = (
    "plot_id",
    "investor",
    "project",
    "zone_id",
    "district",
    "area_ha",
    "build_by",
    "days_overdue",
)


@click.command()
@click.option("--store", "target", required=True, metavar="TARGET", help=STORE_HELP)
@click.option(
    "--as-of",
    required=True,
    metavar="DATE",
    help="Reference date, dd.mm.yyyy or YYYY-MM-DD: plots whose build_by is "
    "before it are idle.",
)
@click.option(
    "--grace-days",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Days allowed after build_by.",
)
@click.option(
    "--dry-run", is_flag=True, help="Only list the idle plots; change nothing."
)
@lock_timeout_option
@date_format_option
def reclaim(
    target: str,
    as_of: str,
    grace_days: int,
    dry_run: bool,
    lock_timeout: float,
    date_format: str | None,
) -> None:
    """Free the allocated plots whose build_by date has passed, keeping the history.

    Each reclaimed plot becomes 'free' and loses its investor, project and
    dates; the history row keeps them. Run with --dry-run first.

    \b
    Example:
      zonegeo reclaim --store data/ --as-of 01.02.2025 --dry-run
    """  # noqa: D301 (click's \b marker)
    from zonegeo.registry import reclaim as reclaim_plots

    ref = as_of_date(as_of, date_format)
    idle = reclaim_plots(
        target,
        as_of=ref,
        grace_days=grace_days,
        dry_run=dry_run,
        lock_timeout=lock_timeout,
        date_format=date_format,
    )
    when = f"{ref:%Y-%m-%d}"
    if len(idle):
        table = pd.DataFrame(idle[list(_SHOWN)])
        table["build_by"] = table["build_by"].dt.strftime("%Y-%m-%d")
        with pd.option_context(
            "display.width",
            160,
            "display.max_columns",
            20,
            "display.float_format",
            "{:,.2f}".format,
        ):
            click.echo(table.to_string(index=False))
    hectares = float(idle["area_ha"].sum()) if len(idle) else 0.0
    if dry_run:
        echo_err(
            f"dry run: {len(idle)} idle plot(s), {hectares:,.2f} ha would be "
            f"reclaimed as of {when}; nothing changed"
        )
    else:
        echo_err(f"reclaimed {len(idle)} plot(s), {hectares:,.2f} ha, as of {when}")
