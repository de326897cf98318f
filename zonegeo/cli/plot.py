"""``zonegeo plot``: edit land plots in a store (``plot set-status``)."""

from __future__ import annotations

import click

from zonegeo.cli._common import (
    as_of_date,
    date_format_option,
    echo_err,
    lock_timeout_option,
)
from zonegeo.schema import PLOT_STATUSES

__all__ = ["lock_timeout_option", "plot"]

STORE_HELP = (
    "Dataset folder, plots .gpkg, or postgresql://...?schema=NAME URL "
    "(see zonegeo.io.postgis for the URL convention)."
)



@click.group()
def plot() -> None:
    """Edit land plots (parcels) in a GeoPackage or PostGIS store."""


@plot.command("set-status")
@click.option("--store", "target", required=True, metavar="TARGET", help=STORE_HELP)
@click.option(
    "--as-of",
    default=None,
    metavar="DATE",
    help="When the change takes effect, dd.mm.yyyy or YYYY-MM-DD, optionally "
    "with a time HH:MM, in UTC [default: now].",
)
@lock_timeout_option
@date_format_option
@click.argument("plot_id")
@click.argument("status", type=click.Choice(PLOT_STATUSES))
def set_status(
    target: str,
    as_of: str | None,
    lock_timeout: float,
    date_format: str | None,
    plot_id: str,
    status: str,
) -> None:
    """Set PLOT_ID's STATUS, recording the change in plot_status_history.

    The change and its history row are one transaction: a failure leaves the
    store unchanged, and concurrent writers never lose an update.

    \b
    Example:
      zonegeo plot set-status --store data/ TRK-014 construction
    """  # noqa: D301 (click's \b marker)
    from zonegeo.registry import set_plot_status

    when = as_of_date(as_of, date_format)
    change = set_plot_status(
        target, plot_id, status, as_of=when, lock_timeout=lock_timeout
    )
    if change.changed:
        click.echo(
            f"{change.plot_id}: {change.old_status} -> {change.new_status} "
            f"(as of {change.changed_at:%Y-%m-%d %H:%M} UTC)"
        )
    else:
        click.echo(f"{change.plot_id}: already {change.new_status}; nothing changed")
    echo_err(f"store: {change.store}")
