"""Numbers on the command line and in scenario files: refused when not finite."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from zonegeo.cli import cli

pytestmark = pytest.mark.e2e


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def files(tmp_path: Path, tiny_plots, tiny_infrastructure) -> tuple[Path, Path]:
    plots = tmp_path / "plots.gpkg"
    infra = tmp_path / "infra.gpkg"
    tiny_plots.to_file(plots, layer="plots")
    tiny_infrastructure.to_file(infra, layer="infrastructure")
    return plots, infra


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e400"])
def test_max_distance_must_be_finite(files, tmp_path, value) -> None:
    """``--max-distance nan`` used to run and leave every distance empty."""
    plots, infra = files
    out = tmp_path / "d.csv"
    result = run("distances", plots, infra, "-o", out, "--max-distance", value)
    assert result.exit_code == 2, result.output  # a usage error, like -3
    assert "Invalid value for '--max-distance'" in result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert not out.exists()
    ok = run("distances", plots, infra, "-o", out, "--max-distance", "500")
    assert ok.exit_code == 0, ok.output
    assert out.exists()


def test_report_within_m_must_be_finite(tmp_path) -> None:
    out = tmp_path / "k.xlsx"
    result = run("report", "-o", out, "--within-m", "nan")
    assert result.exit_code == 2
    assert "'--within-m': 'nan' is not a finite number" in result.output
    assert not out.exists()


def test_rank_lists_every_problem_of_the_scenario_at_once(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'district = "Sauron"\narea_ha = 50\n'
        '[[criteria]]\ncolumn = "dist_gas_m"\nbetter = "less"\nweight = -1\n'
        "[stability]\nn = 1e9\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.gpkg"
    result = run("rank", "--scenario", bad, "-o", out)
    assert result.exit_code == 1, result.output
    text = result.output
    assert "Traceback" not in text
    assert f"{bad}: 4 problems in the scenario" in text
    assert "- district: unknown district 'Sauron'" in text and "'Sauran'" in text
    assert '- criteria[0].better: must be "lower" or "higher", got \'less\'' in text
    assert "- criteria[0].weight: must be a number >= 0 and <= 1,000,000" in text
    assert "- stability.n: must be a whole number > 0 and <= 100,000" in text
    assert not out.exists()
