"""The generated reference pages match the code (docs/generate.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", ["cli.md", "schema.md"])
def test_generated_page_is_current(page: str) -> None:
    gen = _generator()
    expected = gen.PAGES[page]() + "\n"
    current = (DOCS / page).read_text(encoding="utf-8")
    assert current == expected, f"docs/{page} is stale: run `python docs/generate.py`"
