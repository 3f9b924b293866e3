"""user74: real functions from public scientific code (bench/corpus74.py) against
independent oracles, and what a new user met on the way.

Mogi's source, the van Genuchten-Mualem conductivity, the Bethe-Bloch stopping power and
the titration's cubic (through the companion matrix's eigenvalues, which are analytic at
simple roots): complex steps.  The leaf's coupled photosynthesis (comparisons of the
quadratic's discriminant, ``np.isclose``, ``max``: no complex numbers there): 8th-order
central differences with relative steps, the kinks checked to lie outside them.  The
refusals the rows' sources met name fixes that run (``np.sqrt`` for ``math.sqrt``,
``np.zeros_like(Z, shape=nstep)`` for ``np.zeros(nstep)``, the companion matrix for
``np.roots``).
"""

import functools
import math

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.testing import complex_step
from _probes import bench_module, close_by_column, module_from_source, relative_jacobian

c = bench_module("corpus74")
_close = functools.partial(close_by_column, zero_tol=0)


def _row(name):
    f, x0 = c.PROBLEMS74[name]
    return f, x0.copy()


def test_mogi_displacements_match_complex_steps():
    f, x0 = _row("Mogi source, pow and array((...)) (4)")
    _close(dg.jacobian(f, x0), complex_step(f, x0), 1e-13)


def test_van_genuchten_conductivity_matches_complex_steps():
    """K depends on theta_R and theta_S only through se = (theta - R) / (S - R), which
    is g(h) exactly: those columns are 0, and both dualgrad's and the complex step's
    read the rounding of ``theta - R`` times dK/dse (large near saturation), ~1e-13 of K."""
    f, x0 = _row("van Genuchten-Mualem K(h), math (5)")
    J = dg.jacobian(f, x0)
    _close(J[:, 2:], complex_step(f, x0)[:, 2:], 1e-12)
    assert np.all(np.abs(J[:, :2]) <= 1e-12 * np.max(np.abs(f(x0))))


def test_bethe_bloch_matches_complex_steps():
    f, x0 = _row("Bethe-Bloch, np.zeros loop (4)")
    _close(dg.jacobian(f, x0), complex_step(f, x0), 1e-13)


def test_titration_matches_complex_steps_through_the_cubic():
    f, x0 = _row("weak-acid titration, np.roots (3)")
    J = dg.jacobian(f, x0)
    _close(J, complex_step(f, x0), 1e-10)
    # the equivalence point's pH rises with Ka's pKa falling: d pH / d Ka < 0 before it
    assert J[10, 0] < 0


def test_leaf_light_curve_matches_central_differences():
    f, x0 = _row("leaf A-gs light curve, FarquharC3 (4)")
    J = dg.jacobian(f, x0)
    ref = relative_jacobian(f, x0, rel=1e-4)
    _close(J, ref, 1e-8)
    # the rows where gsc = max(g0, g0 + gs_over_a An) took g0 (An < 0) are constant
    An = f(x0)[0::2]
    assert An[0] < 0 < An[1]
    assert np.all(J[1, :] == 0.0)
    # away from the kinks: no branch changes within the differences' steps
    for s in (1 - 4e-4, 1 + 4e-4):
        assert np.array_equal(np.sign(f(x0 * s)[0::2]), np.sign(An))


def _sources(tmp_path, name, text):
    return module_from_source(tmp_path, name, text)


def test_math_sqrt_refusal_names_np_sqrt_which_runs(tmp_path):
    src = c.__file__
    text = open(src).read().replace(
        "sp.Ksat * np.sqrt(se) *", "sp.Ksat * math.sqrt(se) *")
    m = _sources(tmp_path, "vg_math74", text)
    f, x0 = m.PROBLEMS74["van Genuchten-Mualem K(h), math (5)"]
    with pytest.raises(TypeError, match=r"np\.sqrt for math\.sqrt"):
        dg.jacobian(f, x0)


def test_zeros_buffer_refusal_names_a_buffer_that_runs(tmp_path):
    text = open(c.__file__).read().replace(
        "SP = np.zeros_like(Z, shape=nstep)", "SP = np.zeros(nstep)")
    m = _sources(tmp_path, "bethe_zeros74", text)
    f, x0 = m.PROBLEMS74["Bethe-Bloch, np.zeros loop (4)"]
    with pytest.raises(TypeError, match=r"SP = np\.zeros_like\(Z, shape=nstep\)"):
        dg.jacobian(f, x0)


def test_roots_refusal_names_the_companion_matrix(tmp_path):
    text = open(c.__file__).read().replace(
        """        p = np.stack(polyCoeffs)                    # dualgrad: np.roots(polyCoeffs)
        eqH3OConcs[i] = np.max(np.linalg.eigvals(
            np.vstack([-p[1:] / p[0], np.eye(len(p) - 2, len(p) - 1)])))""",
        """        eqH3OConcs[i] = np.max(np.roots(polyCoeffs))""")
    assert "np.roots(polyCoeffs))" in text
    m = _sources(tmp_path, "titration_roots74", text)
    f, x0 = m.PROBLEMS74["weak-acid titration, np.roots (3)"]
    with pytest.raises(TypeError, match=r"np\.linalg\.eigvals\(np\.vstack"):
        dg.jacobian(f, x0)
    # the source's roots on floats: the row's rewrite gives the same pH
    assert np.allclose(m.titration_row(x0), c.titration_row(x0), rtol=1e-13, atol=0)
