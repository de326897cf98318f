"""``zonegeo report``: zone and district KPIs, idle plots and coverage, one file."""

from __future__ import annotations

from pathlib import Path

import click

from zonegeo.cli._common import (
    FiniteFloat,
    as_of_date,
    crs_option,
    data_option,
    date_format_option,
    echo_err,
    load_dataset,
    lock_timeout_option,
)

__all__ = ["report"]


@click.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Report file: .xlsx (workbook), .html (page), or .csv / a name "
    "without suffix (folder of CSV files).",
)
@data_option
@crs_option
@lock_timeout_option
@click.option(
    "--as-of",
    default=None,
    metavar="DATE",
    help="Reference date for idle plots, dd.mm.yyyy or YYYY-MM-DD [default: today].",
)
@click.option(
    "--within-m",
    type=FiniteFloat(min=0),
    default=None,
    metavar="METRES",
    help="Service distance for the coverage table, metres "
    "[default: the coverage module's].",
)
@date_format_option
def report(
    output: Path,
    data: str | None,
    crs: str | None,
    lock_timeout: float,
    as_of: str | None,
    within_m: float | None,
    date_format: str | None,
) -> None:
    """Write zone KPIs, district KPIs, idle plots and infrastructure coverage.

    \b
    Examples:
      zonegeo report -o kpis.xlsx --as-of 2025-02-01
      zonegeo report -o kpis.html --data data/
      zonegeo report -o kpis/ --data "postgresql:///zonegeo?host=/run/postgresql&schema=t"
    """  # noqa: D301 (click's \b marker)
    from zonegeo.errors import ValidationError
    from zonegeo.report import report_format, write_report

    try:
        report_format(output)
    except ValidationError as exc:
        raise click.BadParameter(str(exc), param_hint="'-o' / '--output'") from None
    ref = as_of_date(as_of, date_format)
    dataset = load_dataset(
        data, date_format, crs=crs, lock_timeout=lock_timeout
    )
    written = write_report(dataset, output, as_of=ref, within_m=within_m)
    echo_err(f"wrote {written}")
