"""Shared pieces of the command line: error handling, logging, output paths."""

from __future__ import annotations

import logging
import math
import sys
import warnings
from pathlib import Path
from typing import Any, TextIO

import click

from zonegeo.errors import ZonegeoError

__all__ = [
    "RASTER_STYLES",
    "FiniteFloat",
    "ZonegeoGroup",
    "configure_logging",
    "echo_err",
    "raster_layer",
    "raster_options",
    "show_warning",
    "version_text",
]


def version_text() -> str:
    """Return the text of ``zonegeo --version``: zonegeo and its main dependencies."""
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for pkg in ("zonegeo", "geopandas", "shapely", "pyproj", "pyogrio", "folium"):
        try:
            parts.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            parts.append(f"{pkg} (not installed)")
    import pyproj

    parts.append(f"PROJ {pyproj.proj_version_str}")
    return "\n".join(parts)


def configure_logging(verbose: int) -> None:
    """Send zonegeo's log records to stderr at a level set by ``-v``."""
    level = (
        logging.WARNING
        if verbose == 0
        else logging.INFO
        if verbose == 1
        else logging.DEBUG
    )
    logger = logging.getLogger("zonegeo")
    logger.setLevel(level)
    if not any(getattr(h, "_zonegeo_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("zonegeo: %(message)s"))
        handler._zonegeo_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def echo_err(message: str) -> None:
    """Print a message to stderr."""
    click.echo(message, err=True)


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Print a warning as one line ``warning: <message>`` on stderr.

    Replaces :func:`warnings.showwarning` while a command runs, so users see
    what zonegeo found, not Python's ``file.py:775: DataWarning`` and a code
    line. The arguments are those of :func:`warnings.showwarning`.
    """
    del category, filename, lineno, line  # only the text matters to users
    text = " ".join(str(message).split())
    click.echo(f"warning: {text}", err=True, file=file)


class ZonegeoGroup(click.Group):
    """A click group that prints errors and warnings as one line each.

    Any :class:`zonegeo.ZonegeoError` (every data error, including files and
    databases that cannot be read) and any ``OSError`` (a database that cannot
    be reached, an output folder that cannot be written) prints
    ``error: <message>`` and exits 1; ``--debug`` shows the traceback instead.
    Other exceptions are bugs and keep their traceback. Warnings print as
    ``warning: <message>`` while the command runs (the previous
    :func:`warnings.showwarning` is restored afterwards).
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; print data errors without a traceback."""
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            try:
                return super().invoke(ctx)
            except (ZonegeoError, OSError) as exc:
                if ctx.obj and ctx.obj.get("debug"):
                    raise
                echo_err(f"error: {exc}")
                ctx.exit(1)


def output_format(path: str | Path, allowed: tuple[str, ...]) -> str:
    """Return the output format from a file name's extension, or raise a usage error."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in allowed:
        msg = (
            f"cannot tell the output format of {str(path)!r} from its extension "
            f"{'.' + suffix if suffix else '(none)'}; use one of: "
            + ", ".join("." + a for a in allowed)
        )
        raise click.BadParameter(msg, param_hint="'-o' / '--output'")
    return suffix


#: ``--data``: where a command reads its dataset (shared by every dataset command).
data_option = click.option(
    "--data",
    default=None,
    metavar="DIR|URL",
    help="Dataset folder or postgresql://...?schema=NAME URL "
    "[default: the bundled demo].",
)

#: ``--basemap``: the basemap of a map page.
basemap_option = click.option(
    "--basemap",
    type=click.Choice(("osm", "esri", "none")),
    default="osm",
    show_default=True,
    help="OpenStreetMap, Esri World Imagery or none (tiles need the network).",
)

#: ``--self-contained/--cdn``: inline every asset or load them from CDNs.
self_contained_option = click.option(
    "--self-contained/--cdn",
    default=True,
    show_default=True,
    help="Inline all scripts and styles (opens offline) or load them from CDNs.",
)

#: ``--as-of``: reference date for idle plots.
as_of_option = click.option(
    "--as-of",
    default=None,
    metavar="DATE",
    help="Reference date for idle plots, dd.mm.yyyy or YYYY-MM-DD [default: today].",
)

#: ``--date-format``: how dates in the input files and ``--as-of`` are written.
date_format_option = click.option(
    "--date-format",
    default=None,
    metavar="FORMAT",
    help="How dates in the data and --as-of are written, when not dd.mm.yyyy "
    "(day first) or YYYY-MM-DD, which are recognised: 'dd.mm.yyyy', 'iso', "
    "'excel' (serial day numbers) or a strptime pattern such as '%m/%d/%Y'.",
)


def _check_crs(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """Refuse a --crs value that pyproj does not know, as a usage error."""
    del ctx, param
    if value is None:
        return None
    import pyproj

    try:
        pyproj.CRS.from_user_input(value)
    except pyproj.exceptions.CRSError as exc:
        msg = f"{value!r} is not a CRS pyproj knows ({exc}); e.g. EPSG:32642"
        raise click.BadParameter(msg) from None
    return value


#: ``--crs``: the CRS of input files that carry none.
crs_option = click.option(
    "--crs",
    default=None,
    metavar="CRS",
    callback=_check_crs,
    help="CRS of input files that carry none (CSV with WKT, Shapefile without "
    ".prj), e.g. EPSG:32642; never overrides a CRS a file declares.",
)


def as_of_date(as_of: str | None, date_format: str | None) -> Any:
    """Read ``--as-of``: day first, ISO, or as ``--date-format`` says; None stays."""
    from zonegeo.dates import parse_date

    if as_of is None:
        return None
    return parse_date(as_of, date_format=date_format, what="as_of")


#: ``--lock-timeout``: how long a store command waits for another writer.
lock_timeout_option = click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Wait this long while another user or program writes the store, then "
    "stop with 'the store is busy' (exit 1).",
)


def load_dataset(
    data: str | None,
    date_format: str | None = None,
    *,
    crs: str | None = None,
    lock_timeout: float | None = None,
) -> Any:
    """Read the dataset named by ``--data``, or the bundled demo when it is absent.

    A store another program is writing is waited for up to ``lock_timeout``
    seconds (``--lock-timeout``), then refused as busy.
    """
    import zonegeo

    if data:
        return zonegeo.read_dataset(
            data, date_format=date_format, crs=crs, lock_timeout=lock_timeout
        )
    return zonegeo.load_demo()


class FiniteFloat(click.FloatRange):
    """A float option that refuses ``nan`` and ``inf`` (a usage error, exit 2).

    ``click.FloatRange`` lets ``nan`` through (it compares false with every
    bound), and ``inf`` would mean "no limit" only by accident; both are
    refused here, naming the option.
    """

    name = "finite float"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Any:
        """Convert like ``FloatRange``, then refuse a value that is not finite."""
        rv = super().convert(value, param, ctx)
        if not math.isfinite(rv):
            self.fail(f"{value!r} is not a finite number; give a number, e.g. 500")
        return rv


#: The styles ``--raster-style`` offers (those of :class:`zonegeo.RasterLayer`;
#: spelled out here so that ``zonegeo --help`` loads no map code).
RASTER_STYLES = ("slope", "hillshade", "classes")


def raster_options(command: Any) -> Any:
    """Add ``--raster``, ``--raster-style`` and ``--raster-opacity`` to a command."""
    command = click.option(
        "--raster-opacity",
        type=FiniteFloat(min=0.0, max=1.0),
        default=0.6,
        show_default=True,
        metavar="0-1",
        help="Opacity of the raster layer, from 0 (invisible) to 1 (opaque).",
    )(command)
    command = click.option(
        "--raster-style",
        type=click.Choice(RASTER_STYLES),
        default="slope",
        show_default=True,
        metavar="STYLE",
        help="How to draw --raster: 'slope', a slope raster in degrees, in classes "
        "0-2-5-8-15-90; 'hillshade', a DEM in metres, as shaded relief; 'classes', "
        "any raster (flood depth, hazard class), in five quantile classes or one "
        "class a value.",
    )(command)
    return click.option(
        "--raster",
        "raster_path",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help="A raster (GeoTIFF, any CRS) drawn as a layer of the map pages, "
        "clipped to each district; the image is embedded, so pages stay offline.",
    )(command)


def raster_layer(
    ctx: click.Context,
    path: Path | None,
    style: str,
    opacity: float,
    *,
    html: bool,
) -> Any:
    """Return the RasterLayer the ``--raster*`` options ask for, or None.

    ``html`` says whether the command writes HTML pages (``-o``): the printed
    pages have no raster layer, so ``--raster`` without them is a usage
    error, as are ``--raster-style`` and ``--raster-opacity`` without
    ``--raster``.
    """
    from click.core import ParameterSource

    if path is None:
        given = [
            f"--raster-{option}"
            for option in ("style", "opacity")
            if ctx.get_parameter_source(f"raster_{option}") != ParameterSource.DEFAULT
        ]
        if given:
            msg = f"{' and '.join(given)} need{'s' * (len(given) == 1)} --raster PATH"
            raise click.UsageError(msg)
        return None
    if not html:
        msg = "the printed pages have no raster layer; --raster needs -o (HTML)"
        raise click.UsageError(msg)
    import zonegeo

    return zonegeo.RasterLayer(path, style=style, opacity=opacity)  # type: ignore[arg-type]
