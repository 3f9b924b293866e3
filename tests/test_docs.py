"""The generated documentation is up to date with the rule table and registry."""

import importlib.util
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_supported_page_is_generated_from_the_table():
    if not (DOCS / "make_supported.py").exists():
        pytest.skip("docs/ not present")
    spec = importlib.util.spec_from_file_location("make_supported", DOCS / "make_supported.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (DOCS / "supported.md").read_text() == module.render(), \
        "docs/supported.md is stale: run python docs/make_supported.py"
