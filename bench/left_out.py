"""A pytest plugin for bench/halves_fixed.sh (issue 13|14, stop 63, fastci63): keeps only
the tests that tests/conftest.py marked to skip, deselecting every other one, so that a
run of README's eager half costs its start, its collection and the skips alone (a tree
whose conftest deselects instead runs nothing).  Loaded with ``PYTHONPATH=bench
python -m pytest -p left_out``; xdist's workers load it too.
"""

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    kept = [item for item in items if item.get_closest_marker("skip") is not None]
    ids = {id(item) for item in kept}
    config.hook.pytest_deselected(items=[item for item in items if id(item) not in ids])
    items[:] = kept
