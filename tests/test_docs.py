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


@pytest.mark.engine_independent
# its subprocess runs without DUALGRAD_ENGINE, as README's docs command does: the gallery's
# examples run under each engine in tests/test_examples.py
def test_the_site_builds_without_warnings_and_every_gallery_example_runs(tmp_path):
    """The README's docs command (Sphinx, warnings as errors) on this checkout: the
    API reference has every public name and each gallery page its output and figures.
    It runs in one half of README's test command (tests/conftest.py), the engine left
    to its default as in README's docs command."""
    import os
    import subprocess
    import sys

    import dualgrad
    if not (DOCS / "conf.py").exists():
        pytest.skip("docs/ not present")
    for module in ("sphinx", "numpydoc", "myst_parser", "matplotlib"):
        if importlib.util.find_spec(module) is None:
            pytest.fail(f"{module} is missing: install the test extra, pip install '.[test]'")
    out = tmp_path / "html"
    env = dict(os.environ)
    env.pop("DUALGRAD_ENGINE", None)
    run = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b",
                          "html", "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    api = (out / "api.html").read_text()
    for name in dualgrad.__all__:
        assert f'id="dualgrad.{name}"' in api, name
    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import gallery
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    for example in gallery.EXAMPLES:
        page = (out / "gallery" / f"{example}.html").read_text()
        assert "Output:" in page and f"examples/{example}.py" in page, example
    for example in ("grid_field", "ode_sensitivity", "sparse_pattern"):
        assert (out / "_images" / f"{example}_1.png").stat().st_size > 10_000, example
