"""Benchmark the printed atlas: time, CPU time, pages and size of the demo PDF.

Prints, for each language asked (English by default), the wall time and the
CPU time of :func:`zonegeo.print_atlas` on the bundled demo region (cover
plus 17 district pages), the page count and the file size; ``--page`` also
times one district page as PNG (:func:`zonegeo.printing.print_district`).
The PDF is written in one process on one core (matplotlib draws on one
thread); imports and reading the demo are not timed.

Targets (issue 16): the demo PDF in under 20 s on one core, under 20 MB.

Run from the repository root::

    python benchmarks/printing.py                         # English, 3 runs
    python benchmarks/printing.py --lang en kk ru --runs 1
    python benchmarks/printing.py --thumbnail docs/img/printed_page.png

``--thumbnail`` also renders the README picture: the demo's Sauran page as a
PNG (from the PDF's renderer, at 60 dpi).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target states

import zonegeo  # noqa: E402
from zonegeo.maps.printing import print_district  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", nargs="+", default=["en"], choices=["en", "kk", "ru"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page", action="store_true", help="also time one PNG page")
    parser.add_argument("--thumbnail", type=Path, default=None)
    args = parser.parse_args()

    import matplotlib
    import pypdf

    ds = zonegeo.load_demo()
    print(
        f"zonegeo {zonegeo.__version__}, matplotlib {matplotlib.__version__}; "
        f"demo: {len(ds.district_names)} districts, {len(ds.plots)} plots, "
        f"{len(ds.infrastructure)} infrastructure features"
    )
    print("| lang | run | wall s | CPU s | pages | size MB |")
    print("|------|----:|-------:|------:|------:|--------:|")
    with tempfile.TemporaryDirectory() as tmp:
        for lang in args.lang:
            walls, cpus = [], []
            for run in range(1, args.runs + 1):
                out = Path(tmp) / f"atlas-{lang}.pdf"
                w0, c0 = time.perf_counter(), time.process_time()
                zonegeo.print_atlas(
                    ds, out, lang=lang, as_of="2025-02-01", progress=False
                )
                wall, cpu = time.perf_counter() - w0, time.process_time() - c0
                walls.append(wall)
                cpus.append(cpu)
                pages = len(pypdf.PdfReader(out).pages)
                size = out.stat().st_size / 1e6
                print(
                    f"| {lang} | {run} | {wall:.1f} | {cpu:.1f} | {pages} | "
                    f"{size:.2f} |"
                )
            print(
                f"| {lang} | median | {statistics.median(walls):.1f} | "
                f"{statistics.median(cpus):.1f} | | |"
            )
        if args.page:
            out = Path(tmp) / "sauran.png"
            w0, c0 = time.perf_counter(), time.process_time()
            print_district(ds, "Sauran", out, as_of="2025-02-01")
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            size = out.stat().st_size / 1e6
            print(f"PNG page, 150 dpi: {wall:.1f} s, CPU {cpu:.1f} s, {size:.2f} MB")
    if args.thumbnail:
        print_district(ds, "Sauran", args.thumbnail, as_of="2025-02-01", dpi=60)
        print(f"thumbnail written to {args.thumbnail}")


if __name__ == "__main__":
    main()
