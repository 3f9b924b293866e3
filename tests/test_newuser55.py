"""newuser55: what a newcomer's scripts met (/work/newuser55/).

``scipy.special.zeta(s, q)`` with a dual ``s`` (the Hurwitz zeta has a derivative in
``q`` only) was told "scipy.special.zeta converts its input with np.asarray": false (the
wrapper hands the dual straight to the ``_zeta`` ufunc, whose rule refuses ``s``) and
no help.  The message names who, the argument, what is expected and the fix, and
``zeta(2.0, q)`` with a dual ``q`` still gives ``-2 zeta(3, q)`` (the closed form).
"""

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg


def test_zeta_dual_in_s_names_the_argument_not_a_conversion():
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda s: sc.zeta(s, 1.0), 2.5)
    msg = str(info.value)
    assert msg.startswith("dualgrad.derivative: scipy.special.zeta")          # who
    assert "not differentiable in argument 1" in msg and "in q only" in msg   # what
    assert "converts its input with np.asarray" not in msg
    assert "Fix: pass a plain number or array there" in msg                   # the fix
    assert "dg.stop_gradient(d)" in msg


def test_zeta_dual_in_q_is_the_closed_form():
    q = 1.5
    got = dg.derivative(lambda q: sc.zeta(2.0, q), q)
    assert got == pytest.approx(-2.0 * sc.zeta(3.0, q), rel=1e-14)


def test_polygamma_keeps_its_drop_in_advice():
    """The drop-in advice of a SciPy function that has one is unchanged."""
    with pytest.raises(TypeError, match="dualgrad.scipy.special.polygamma"):
        dg.derivative(lambda x: sc.polygamma(1, x), 2.5)
    got = dg.derivative(lambda x: np.sum(sc.zeta(2.0, x)), 2.5)
    assert got == pytest.approx(-2.0 * sc.zeta(3.0, 2.5), rel=1e-14)


@pytest.mark.parametrize("spelling", [
    lambda x: np.asarray(x, dtype=float),
    lambda x: np.array(x, np.float64),
    lambda x: x.astype(float),
])
def test_float_cast_at_the_top_of_f_names_the_spelling_that_keeps_duals(spelling):
    """SciPy-style objectives open with x = np.asarray(x, dtype=float): the fix named
    math.sin and buffers; it names leaving the cast out, and that spelling is exact
    (the closed form 2 x0, 3 x1**2)."""
    x0 = np.array([1.0, 2.0])
    with pytest.raises(TypeError) as info:
        dg.approx_fprime(x0, lambda x: np.sum(spelling(x) ** np.array([2, 3])))
    msg = str(info.value)
    assert "would drop the derivatives" in msg                          # what
    assert "Fix: leave the cast out" in msg and "x = x.copy()" in msg       # the fix
    assert "x = np.asarray(x);" not in msg     # an object array (attack57 07, newuser57)
    got = dg.approx_fprime(x0, lambda x: np.sum(np.asarray(x) ** np.array([2, 3])))
    np.testing.assert_allclose(got, [2.0, 12.0], rtol=1e-15)
