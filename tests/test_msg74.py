"""attack73 / diff73's message findings: refusals and advice that run (msg74).

(1) attack73 C1: ``dualgrad.scipy.optimize.newton`` with a complex ``x0`` (SciPy takes it)
gives the complex root's derivatives (it raised dualgrad.jvp's "expected real x ... pass
holomorphic=True"); a bracketing finder of a complex f raises TypeError naming the
finder (a SystemError from a dual's operator before), whose advised newton runs.
(2) attack73 M4: brentq on a triple root is refused without NumPy's RuntimeWarning.
Oracles: analytic derivatives of the roots, central differences.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.scipy import optimize as dopt


# --- (1) newton from a complex x0 ------------------------------------------------------

def test_newton_complex_x0_real_parameter():
    # s**2 + p = 0 from 1j: s = 1j sqrt(p), ds/dp = -1 / (2 s) = 0.25j at p = 4
    d = dg.derivative(lambda p: dopt.newton(lambda s: s ** 2 + p, 1.0j), 4.0)
    assert d == pytest.approx(0.25j, rel=1e-12)


def test_newton_complex_x0_value_is_scipys():
    import scipy.optimize as so
    root = dopt.newton(lambda s: s ** 2 + 4.0, 1.0j)
    assert root == so.newton(lambda s: s ** 2 + 4.0, 1.0j)


def test_newton_complex_x0_holomorphic_parameter():
    p0 = -4.0 + 0.1j
    d = dg.jacobian(lambda p: dopt.newton(lambda s: s ** 2 - p, 1.0 + 1.0j), p0,
                    holomorphic=True)
    assert complex(d) == pytest.approx(1 / (2 * np.sqrt(p0)), rel=1e-12)


def test_newton_complex_x0_second_derivative():
    # s = 1j sqrt(p): d2s/dp2 = -1j / (4 p**1.5) = -1j / 32 at p = 4
    d2 = dg.derivative(lambda q: dg.derivative(
        lambda p: dopt.newton(lambda s: s ** 2 + p, 1.0j), q), 4.0)
    assert complex(d2) == pytest.approx(-1j / 32, rel=1e-10)


def test_newton_complex_x0_array_form():
    p0 = np.array([4.0, 9.0])
    J = dg.jacobian(lambda p: dopt.newton(lambda s: s ** 2 + p, np.array([1j, 1j])), p0)
    np.testing.assert_allclose(J, np.diag(-1 / (2j * np.sqrt(p0))), rtol=1e-12, atol=1e-15)


def test_newton_complex_x0_against_central_differences():
    # the real and imaginary parts of the root of s**3 - p s - 2 from 1 + 1j
    def root(p):
        return dopt.newton(lambda s: s ** 3 - p * s - 2.0, 1.0 + 1.0j)
    p0, h = 0.7, 1e-5
    d = complex(dg.derivative(root, p0))
    cd = (-root(p0 + 2 * h) + 8 * root(p0 + h) - 8 * root(p0 - h) + root(p0 - 2 * h)) / (12 * h)
    assert abs(d - cd) < 1e-9 * abs(cd)


def test_newton_complex_x0_not_holomorphic_names_newton():
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda p: dopt.newton(lambda s: s + 0.1 * np.conj(s) + p, 1j), 4.0)
    text = str(info.value)
    assert text.startswith("dualgrad.scipy.optimize.newton: x0 is complex")
    assert "not holomorphic in s" in text and "Fix:" in text


@pytest.mark.parametrize("name", ["brentq", "brenth", "ridder", "bisect"])
def test_bracketed_complex_f_is_a_type_error_naming_the_finder(name):
    finder = getattr(dopt, name)
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda p: finder(lambda s: s - p, -5.0, 5.0), 0.7 + 0.3j,
                    holomorphic=True)
    assert type(info.value) is not SystemError
    text = str(info.value)
    assert text.startswith(f"dualgrad.scipy.optimize.{name}: f returned a complex dual")
    assert "newton with a complex x0" in text


def test_bracketed_complex_f_advice_runs():
    # the advice: newton(f, 1j) for the complex root s = p, ds/dp = 1
    p0 = 0.7 + 0.3j
    d = dg.jacobian(lambda p: dopt.newton(lambda s: s - p, 1j), p0, holomorphic=True)
    assert complex(d) == pytest.approx(1.0, rel=1e-12)
    d = dg.jacobian(lambda p: dopt.newton(lambda s: s * s - p, 1.0 + 1j), p0,
                    holomorphic=True)
    assert complex(d) == pytest.approx(1 / (2 * np.sqrt(p0)), rel=1e-12)


def test_bracketed_plain_complex_f_keeps_scipys_error():
    import scipy.optimize as so
    with pytest.raises(TypeError) as ours:
        dopt.brentq(lambda s: s - (0.7 + 0.3j), -5.0, 5.0)
    with pytest.raises(TypeError) as theirs:
        so.brentq(lambda s: s - (0.7 + 0.3j), -5.0, 5.0)
    assert str(ours.value) == str(theirs.value)


# --- (2) a multiple root: refused without NumPy's warning ---------------------------------

@pytest.mark.parametrize("name", ["brentq", "bisect", "ridder"])
def test_triple_root_refused_without_runtime_warning(name):
    finder = getattr(dopt, name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="not a simple root"):
            dg.derivative(lambda p: finder(lambda s: (s - p) ** 3, -1.0, 2.0), 0.5)


def test_triple_root_newton_array_refused_without_runtime_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="not a simple root"):
            dg.jacobian(lambda p: dopt.newton(lambda s: (s - p) ** 3, np.array([0.5, 0.5]),
                                              tol=1e-300, maxiter=400, disp=False),
                        np.array([0.5, 0.5]))


# --- (3) a jitted library's chain: the advice runs down to its last jitted call -------------

_CHAIN = '''
import numpy as np
from numba import njit


@njit
def inner(v):
    return np.sqrt(v @ v)


@njit
def norm(v):
    return inner(v) * 1.0


@njit
def accel(r, mu=2.0):
    return -mu * r / norm(r) ** 3


@njit
def deep(r):
    return r * accel(r)
'''


@pytest.mark.parametrize("name, call, grad", [
    ("accel", lambda f, r: f(r, 3.0),
     lambda r: -3.0 * (np.eye(3) / np.linalg.norm(r) ** 3
                       - 3 * np.outer(r, r) / np.linalg.norm(r) ** 5)),
    ("deep", lambda f, r: f(r), None),
])
def test_jitted_chain_advice_runs(tmp_path, name, call, grad):
    import re
    import types
    pytest.importorskip("numba")
    from _probes import module_from_source
    m = module_from_source(tmp_path, f"chain74_{name}", _CHAIN)
    r0 = np.array([1.0, 2.0, 2.5])
    fn = getattr(m, name)
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda r: call(fn, r), r0)
    text = str(info.value)
    found = re.search(rf"with import types and (g = dict\({name}\.py_func\.__globals__\)) "
                      r"make (g\.update\(\{.*?\}\)) and " rf"({name}_py = types\.FunctionType\("
                      rf".*?__defaults__\)), and call {name}_py\(\.\.\.\) for {name}\(\.\.\.\)",
                      text)
    assert found is not None, text
    space = {"types": types, name: fn}
    for statement in found.groups():
        exec(statement, space)                                   # noqa: S102
    copy = space[f"{name}_py"]
    J = dg.jacobian(lambda r: call(copy, r), r0)
    if grad is None:                                   # deep(r) = r * accel(r, 2.0)
        n = np.linalg.norm(r0)
        a = -2.0 * r0 / n ** 3
        da = -2.0 * (np.eye(3) / n ** 3 - 3 * np.outer(r0, r0) / n ** 5)
        want = np.diag(a) + r0[:, None] * da
    else:
        want = grad(r0)
    np.testing.assert_allclose(J, want, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(call(copy, r0), call(fn, r0), rtol=1e-15)
