"""The sparse examples run on small grids and agree with SciPy's differences."""

import runpy
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("scipy")
ROOT = Path(__file__).resolve().parents[1]


def load(name):
    path = ROOT / "examples" / name
    if not path.exists():
        pytest.skip("examples/ not present")
    return runpy.run_path(str(path))


def test_brusselator_bdf_with_sparse_jac_matches_finite_differences(capsys):
    P, results = load("sparse_brusselator.py")["integrate"](8, t_end=0.5)
    assert P.shape == (128, 128) and P.nnz == 8 * 8 * 12           # 5-point stencil + the other species
    (a, _), (b, _) = results.values()
    assert a.success and b.success and a.njev <= b.njev
    np.testing.assert_allclose(a.y[:, -1], b.y[:, -1], rtol=1e-5)
    assert "colors" in capsys.readouterr().out


def test_least_squares_with_sparse_jac_converges(capsys):
    runs = load("sparse_least_squares.py")["solve"](200)
    (r, _), _ = runs.values()
    assert r.success and np.abs(r.fun).max() < 1e-10
    assert "Jacobians" in capsys.readouterr().out
