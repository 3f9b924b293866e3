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
