"""Merging status histories: which rows a copy or an overwrite of a store adds."""

from __future__ import annotations

import collections
import datetime as dt
import json
import logging
from typing import TYPE_CHECKING

import pandas as pd

from zonegeo.schema import empty_history, history_frame

if TYPE_CHECKING:
    from collections.abc import Mapping

    import geopandas as gpd


log = logging.getLogger(__name__)


def history_to_add(
    existing: pd.DataFrame,
    carried: pd.DataFrame | None,
    old_statuses: Mapping[str, str],
    plots: gpd.GeoDataFrame,
    *,
    when: dt.datetime,
) -> pd.DataFrame:
    """Plan the history rows a write of ``plots`` adds to a store's history.

    Parameters
    ----------
    existing : DataFrame
        The history already in the store (kept as it is).
    carried : DataFrame or None
        The history the dataset carries (:attr:`zonegeo.Dataset.history`);
        its rows that the store lacks are added, in their order.
    old_statuses : mapping
        plot_id -> status of the plots the write replaces.
    plots : GeoDataFrame
        The plots being written.
    when : datetime
        ``changed_at`` of the rows the write itself adds.

    Returns
    -------
    DataFrame
        Rows to append (``history_id`` numbered after the store's, or the
        carried ids when the store has no history yet): the carried rows the
        store lacks, then one ``write-dataset`` row for each plot whose status
        the write changes, so the last history row of every plot names its
        status.
    """
    existing = history_frame(existing)
    carried = empty_history() if carried is None else history_frame(carried)

    def keys(frame: pd.DataFrame) -> list[tuple[object, ...]]:
        when_ms = frame["changed_at"].dt.floor("ms")
        cols = [
            frame[c].astype(object).where(frame[c].notna(), None)
            for c in ("plot_id", "old_status", "new_status", "action", "note")
        ]
        return list(zip(cols[0], when_ms, *cols[1:], strict=True))

    have = collections.Counter(keys(existing))
    keep = []
    for key in keys(carried):
        keep.append(have[key] == 0)
        if have[key]:
            have[key] -= 1
    added = carried[pd.Series(keep, index=carried.index, dtype=bool)]
    added = added.reset_index(drop=True)
    ids = added["history_id"]
    if not (
        existing.empty
        and ids.is_unique
        and ids.is_monotonic_increasing
        and (len(ids) == 0 or ids.iloc[0] > 0)
    ):
        start = int(existing["history_id"].max()) + 1 if len(existing) else 1
        added["history_id"] = range(start, start + len(added))
    last = (
        pd.concat([existing, added])
        .sort_values("history_id")
        .groupby("plot_id", sort=False)["new_status"]
        .last()
    )
    rows = []
    next_id = (
        int(
            max(
                existing["history_id"].max() if len(existing) else 0,
                added["history_id"].max() if len(added) else 0,
            )
        )
        + 1
    )
    note = json.dumps({"reason": "write_dataset replaced the plots layer"})
    if {"plot_id", "status"} <= set(plots.columns):
        for pid, status in zip(plots["plot_id"], plots["status"], strict=True):
            if pid is None or status is None or pd.isna(status):
                continue
            before = last.get(str(pid), old_statuses.get(str(pid)))
            if before is None or pd.isna(before) or str(before) == str(status):
                continue
            rows.append(
                (
                    next_id,
                    str(pid),
                    when,
                    str(before),
                    str(status),
                    "write-dataset",
                    note,
                )
            )
            next_id += 1
    return history_frame(pd.concat([added, history_frame(rows)]) if rows else added)
