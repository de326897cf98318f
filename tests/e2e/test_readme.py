"""The README's ten-line example runs as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_example_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no Python example"
    example = blocks[0]
    assert len(example.strip().splitlines()) <= 12
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        exec(compile(example, str(README), "exec"), {})  # noqa: S102
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert "cost_total_kzt" in out and "Region total" not in out
    assert (tmp_path / "sauran.html").stat().st_size > 10_000
