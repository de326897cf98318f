"""Where a dataset is kept: a folder of GeoPackages (the default) or a PostGIS schema.

A *store* is either

* a dataset **folder** laid out as :func:`zonegeo.read_dataset` reads it
  (``boundaries/districts.gpkg``, ``plots/zones.gpkg``, ``plots/plots.gpkg``,
  ``infrastructure/infrastructure.gpkg``, ``boundaries/settlements.gpkg``,
  ``boundaries/exclusions.gpkg``), GeoPackage being the embedded default; or
* a **PostGIS schema**, named by a ``postgresql://...?schema=NAME`` URL (see
  :mod:`zonegeo.postgis` for the URL convention), for many users at once.

The plot registry (:mod:`zonegeo.registry`) edits plots in either kind of
store; it also accepts a single plots ``.gpkg`` file.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from zonegeo import postgis
from zonegeo.errors import SchemaError, ValidationError

if TYPE_CHECKING:
    from zonegeo.dataset import Dataset

__all__ = ["FOLDER_LAYOUT", "Store", "resolve_store", "write_dataset"]

log = logging.getLogger(__name__)

#: Where :func:`write_dataset` puts each layer inside a dataset folder.
FOLDER_LAYOUT: dict[str, str] = {
    "districts": "boundaries/districts.gpkg",
    "zones": "plots/zones.gpkg",
    "plots": "plots/plots.gpkg",
    "infrastructure": "infrastructure/infrastructure.gpkg",
    "settlements": "boundaries/settlements.gpkg",
    "exclusions": "boundaries/exclusions.gpkg",
}


@dataclass(frozen=True)
class Store:
    """Where the plots of a store live, as :func:`resolve_store` found them.

    Attributes
    ----------
    kind : {"gpkg", "postgis"}
        The kind of store.
    location : str
        The GeoPackage file holding the plots, or the PostGIS URL.
    table : str
        The plots layer (GeoPackage) or table (PostGIS).
    display : str
        How messages name the store (a password in a URL is masked).
    """

    kind: Literal["gpkg", "postgis"]
    location: str
    table: str
    display: str


def resolve_store(target: str | os.PathLike[str]) -> Store:
    """Find the plots table of a store: a PostGIS URL, a dataset folder or a .gpkg file.

    Parameters
    ----------
    target : str or path-like
        ``postgresql://...?schema=NAME[&table=NAME]``, a dataset folder, or a
        GeoPackage holding the plots.

    Returns
    -------
    Store

    Raises
    ------
    ValidationError
        If the folder has no plots GeoPackage (a plots file in another format
        cannot be edited in place), the file does not exist or is not a
        GeoPackage, or the GeoPackage has no plots layer.
    """
    text = os.fspath(target)
    if postgis.is_url(text):
        parsed = postgis.parse_url(text)
        table = parsed.table or "plots"
        return Store("postgis", text, table, parsed.where(table))
    path = Path(text)
    if path.is_dir():
        from zonegeo.dataset import _find_layer

        found = _find_layer(path, "plots")
        if found is None:
            msg = (
                f"{path}: no plots layer in this folder (looked for "
                f"plots/plots.gpkg and plots.gpkg). Fix: point --store at a "
                f"dataset folder, a plots .gpkg or "
                f"a postgresql:// URL"
            )
            raise ValidationError(msg)
        path = found
    if not path.is_file():
        msg = f"{path}: no such file or folder"
        raise ValidationError(msg)
    if path.suffix.lower() != ".gpkg":
        msg = (
            f"{path}: plots in {path.suffix or 'this'} format cannot be edited in "
            f"place; the registry edits GeoPackages and PostGIS. Fix: convert the "
            f"dataset with "
            f"zonegeo.write_dataset(zonegeo.read_dataset(...), 'folder/')"
        )
        raise ValidationError(msg)
    table = gpkg_features_table(path, "plots")
    return Store("gpkg", str(path), table, f'{path} (layer "{table}")')


def gpkg_features_table(path: Path, layer: str) -> str:
    """Return the features table of a GeoPackage that holds ``layer``.

    The table named ``layer`` wins; otherwise the only features table.
    """
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    try:
        with _Closing(sqlite3.connect(uri, uri=True)) as con:
            rows = con.execute(
                "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' "
                "ORDER BY table_name"
            ).fetchall()
    except sqlite3.DatabaseError as exc:
        msg = f"{path}: not a GeoPackage ({exc})"
        raise ValidationError(msg) from None
    names = [r[0] for r in rows]
    if layer in names:
        return layer
    if len(names) == 1:
        return names[0]
    msg = (
        f"{path}: the GeoPackage has features tables {names} and none is called "
        f"{layer!r}. Fix: rename the plots layer to {layer!r}"
    )
    raise ValidationError(msg)


class _Closing:
    """Close a sqlite3 connection on exit (its own context manager only commits)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()


def _copy_history(old: Path, new: Path) -> None:
    """Copy the status history of GeoPackage ``old`` into ``new``, if it has one."""
    from zonegeo import registry

    if not old.exists():
        return
    uri = f"{old.resolve().as_uri()}?mode=ro"
    with _Closing(sqlite3.connect(uri, uri=True)) as src:
        have = src.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
            (postgis.HISTORY_TABLE,),
        ).fetchone()
        if have is None:
            return
        rows = src.execute(
            f"SELECT history_id, plot_id, changed_at, old_status, new_status, "
            f"action, note "
            f"FROM {postgis.HISTORY_TABLE} ORDER BY history_id"
        ).fetchall()
    with _Closing(sqlite3.connect(new, isolation_level=None)) as dst:
        dst.execute("BEGIN IMMEDIATE")
        registry.gpkg_ensure_history(dst)
        dst.executemany(
            f"INSERT INTO {postgis.HISTORY_TABLE} (history_id, plot_id, changed_at, "
            f"old_status, new_status, action, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        dst.execute("COMMIT")
    log.info("kept %d history rows of %s", len(rows), old)


def _index_plot_ids(path: Path, final: Path) -> None:
    """Add a unique index on plot_id: fast registry lookups, no duplicate ids."""
    with _Closing(sqlite3.connect(path)) as con:
        try:
            con.execute(
                'CREATE UNIQUE INDEX "plots_plot_id_idx" ON "plots" ("plot_id")'
            )
        except sqlite3.IntegrityError:
            msg = (
                f"{final}: plot_id values are not unique; nothing was written. Fix: "
                f"validate the plots (zonegeo.read_plots lists the duplicates)"
            )
            raise SchemaError(msg) from None
        con.commit()


def _write_folder(dataset: Dataset, folder: Path, *, overwrite: bool) -> None:
    import pyogrio

    from zonegeo.io import atomic_path

    if folder.exists() and not folder.is_dir():
        msg = (
            f"{folder}: exists and is not a folder; "
            f"write_dataset writes a dataset folder"
        )
        raise ValidationError(msg)
    present = [rel for rel in FOLDER_LAYOUT.values() if (folder / rel).exists()]
    if present and not overwrite:
        msg = (
            f"{folder}: already holds {present}; nothing was written. Fix: pass "
            f"overwrite=True or choose an empty folder"
        )
        raise ValidationError(msg)
    for layer, rel in FOLDER_LAYOUT.items():
        gdf = getattr(dataset, layer)
        final = folder / rel
        with atomic_path(final) as tmp:
            pyogrio.write_dataframe(gdf, tmp, layer=layer, driver="GPKG")
            if layer == "plots":
                _index_plot_ids(tmp, final)
                _copy_history(final, tmp)
        log.info("wrote %d rows to %s", len(gdf), final)


def write_dataset(
    dataset: Dataset, target: str | os.PathLike[str], *, overwrite: bool = False
) -> str:
    """Write every layer of a dataset to a folder of GeoPackages or a PostGIS schema.

    Parameters
    ----------
    dataset : Dataset
        The layers to write (usually validated by :func:`zonegeo.read_dataset`).
    target : str or path-like
        A folder (created if needed), or ``postgresql://...?schema=NAME``
        (the schema is created if needed; see :mod:`zonegeo.postgis`).
    overwrite : bool, default False
        Replace layers that already exist. Without it, an existing layer is
        an error and nothing is written.

    Returns
    -------
    str
        The target, as written (a URL's password masked).

    Raises
    ------
    ValidationError
        If a layer exists and ``overwrite`` is false.
    TypeError
        If ``dataset`` is not a :class:`~zonegeo.Dataset`.

    Notes
    -----
    *PostGIS*: all tables are written in one transaction; on any error the
    schema is left as it was. Plots get a unique ``plot_id`` and a CHECK on
    ``status``, so other clients cannot store an unknown status either. The
    ``plot_status_history`` table is created if missing and kept.

    *Folder*: each GeoPackage is written to a temporary file and renamed into
    place, so no file is ever half-written; a failure part-way leaves the
    layers before it new and those after it old. The status history inside
    an existing ``plots.gpkg`` is carried over to the new one.

    Examples
    --------
    >>> import tempfile, zonegeo
    >>> demo = zonegeo.load_demo()
    >>> folder = tempfile.mkdtemp()
    >>> _ = zonegeo.write_dataset(demo, folder)
    >>> len(zonegeo.read_dataset(folder).plots) == len(demo.plots)
    True
    """
    from zonegeo.dataset import Dataset

    if not isinstance(dataset, Dataset):
        msg = f"write_dataset expects a zonegeo.Dataset, got {type(dataset).__name__}"
        raise TypeError(msg)
    from zonegeo.integrity import check_links

    check_links(dataset)
    text = os.fspath(target)
    if postgis.is_url(text):
        postgis.write_layers(text, dict(dataset), overwrite=overwrite)
        return postgis.parse_url(text).display
    folder = Path(text)
    if folder.suffix.lower() == ".gpkg":
        msg = (
            f"{folder}: write_dataset writes a folder of GeoPackages (one per layer), "
            f"not one .gpkg file. Fix: give a folder name"
        )
        raise ValidationError(msg)
    _write_folder(dataset, folder, overwrite=overwrite)
    return str(folder)
