"""The built wheel carries the demo data: load_demo works from an installed package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_bundles_demo(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "whl"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "whl").glob("zonegeo-*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    # An editable install of zonegeo here would quietly supply modules the wheel
    # lacks; drop its finder so only the wheel's files are importable.
    isolate = (
        "import sys; sys.meta_path[:] = [f for f in sys.meta_path "
        "if 'editable' not in repr(f).lower()]; "
    )
    env = {"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}
    code = isolate + (
        "import zonegeo, zonegeo.cli, zonegeo.datasets as d; ds = zonegeo.load_demo(); "
        "print(zonegeo.cli.__file__); print(d.get_path()); print(len(ds.plots))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    module, data, n = out.stdout.split()
    assert module.startswith(str(target))
    assert data.startswith(str(target))  # not the source tree's data/
    assert int(n) > 0
    run_cli = isolate + (
        "from zonegeo.cli import main; "
        "sys.argv = ['zonegeo', 'demo', '--basemap', 'none', '-o', "
        f"{str(tmp_path / 'out')!r}]; "
        "main()"
    )
    demo = subprocess.run(
        [sys.executable, "-c", run_cli],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert demo.returncode == 0, demo.stderr
    assert (tmp_path / "out" / "atlas" / "index.html").exists()
