"""The ``zonegeo`` command line: a click group of thin wrappers over the library.

Each subcommand lives in its own module of this package and is registered
below. Exit codes: 0 success, 1 a data error (the message, no traceback unless
``--debug``), 2 a usage error.
"""

from __future__ import annotations

import click

from zonegeo.cli._common import ZonegeoGroup, configure_logging, version_text

__all__ = ["cli", "main"]


@click.group(
    cls=ZonegeoGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 success; 1 a data error, printed as one 'error: ...' line "
    "naming the file (a missing, empty or damaged file, bad data, a database that "
    "refuses access); 2 a usage error. Warnings print as one 'warning: ...' line. "
    "Files without a CRS take --crs.",
)
@click.version_option(message=version_text(), version="")
@click.option("--debug", is_flag=True, help="Show tracebacks for data errors.")
@click.option(
    "-v", "--verbose", count=True, help="More log output (-v info, -vv debug)."
)
@click.pass_context
def cli(ctx: click.Context, debug: bool, verbose: int) -> None:
    """Plan industrial zones: plots, infrastructure access, site ranking and maps."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    configure_logging(verbose)


# Subcommands: one module each, registered here (keep this list sorted).
from zonegeo.cli import atlas as _atlas  # noqa: E402
from zonegeo.cli import demo as _demo  # noqa: E402
from zonegeo.cli import distances as _distances  # noqa: E402
from zonegeo.cli import map as _map  # noqa: E402
from zonegeo.cli import osm as _osm  # noqa: E402
from zonegeo.cli import plot as _plot  # noqa: E402
from zonegeo.cli import rank as _rank  # noqa: E402
from zonegeo.cli import reclaim as _reclaim  # noqa: E402
from zonegeo.cli import report as _report  # noqa: E402

cli.add_command(_atlas.atlas)
cli.add_command(_demo.demo)
cli.add_command(_distances.distances)
cli.add_command(_map.map_command)
cli.add_command(_osm.osm)
cli.add_command(_plot.plot)
cli.add_command(_rank.rank)
cli.add_command(_reclaim.reclaim)
cli.add_command(_report.report)


def main() -> None:
    """Run the ``zonegeo`` command."""
    cli(prog_name="zonegeo")
