"""Time reading a column of text dates (zonegeo.dates.date_column).

Prints the wall time for columns of ``--rows`` dd.mm.yyyy dates drawn from
``--distinct`` different days, and, for comparison, pandas' own
``to_datetime(format="mixed")`` (the reader zonegeo used before, which guessed
month first). No time is asserted.

    python benchmarks/dates.py --rows 100000 1000000 --distinct 3000 20000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from zonegeo.dates import date_column


def _column(rows: int, distinct: int, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("1990-01-01") + pd.to_timedelta(
        rng.integers(0, distinct, rows), unit="D"
    )
    return pd.Series(days.strftime("%d.%m.%Y"))


def main() -> None:
    """Print one line per (rows, distinct days)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--distinct", type=int, nargs="+", default=[3_000, 20_000])
    args = parser.parse_args()
    print(f"{'rows':>9} {'distinct':>9} {'zonegeo s':>10} {'pandas mixed s':>15}")
    for rows in args.rows:
        for distinct in args.distinct:
            text = _column(rows, distinct)
            t0 = time.perf_counter()
            _, problems = date_column(text, column="build_by")
            t1 = time.perf_counter()
            pd.to_datetime(text, format="mixed")
            t2 = time.perf_counter()
            assert not problems
            print(f"{rows:>9} {distinct:>9} {t1 - t0:>10.2f} {t2 - t1:>15.2f}")


if __name__ == "__main__":
    main()
