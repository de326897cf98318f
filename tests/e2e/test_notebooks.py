"""Every notebook runs top to bottom on the demo data; an error fails the build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests._need import need

pytestmark = [pytest.mark.notebook, pytest.mark.e2e]

NOTEBOOKS = sorted(
    (Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb")
)


def test_five_notebooks_present() -> None:
    names = [p.stem for p in NOTEBOOKS]
    assert names == [
        "01_quickstart",
        "02_infrastructure",
        "03_site_proposals",
        "04_idle_plots",
        "05_terrain_and_travel",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    nbformat = need("nbformat")
    nbclient = need("nbclient")
    need("ipykernel")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    ]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    warned = [
        o["text"]
        for o in outputs
        if o.get("name") == "stderr" and "Warning" in o["text"]
    ]
    assert not warned, f"{path.name} printed warnings: {warned}"
    assert outputs, "the notebook printed nothing"
