"""``ArrayDual.__array_ufunc__``'s first branch without its arity test (issue 13, small49):
NumPy parses a ufunc call's arguments before it asks the override, and an output given in
position reaches the override as ``out=``, so a call without keywords brings exactly
``ufunc.nin`` inputs and the lean function is called without asking ``ufunc.nin``.

Oracles, independent of the code under test: NumPy's value bits, closed forms of the
local derivatives on floats, the general path under ``_kernels.use("numpy")`` (whose bits
every path must reproduce), NumPy's own errors for calls of the wrong arity, and closed
forms of a gradient and a Hessian.
"""


import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels, _loader
from dualgrad.dual._base import new_tag
from _probes import python_calls, same_duals

RNG = np.random.default_rng(49)


def _dual(x, n=3, layout="C", tag=None):
    p = RNG.standard_normal((len(x), n))
    if layout == "F":
        p = np.asfortranarray(p)
    elif layout == "reversed":
        p = p[::-1]
    elif layout == "strided":
        p = np.repeat(p, 2, axis=0)[::2]
    return dg.Dual(np.asarray(x, dtype=float), p, tag=new_tag() if tag is None else tag)


UNARY = [(np.sin, np.cos), (np.exp, np.exp), (np.log, lambda x: 1.0 / x),
         (np.sqrt, lambda x: 0.5 / np.sqrt(x)), (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2)]
BINARY = [(np.add, lambda x, y: (1.0, 1.0)), (np.multiply, lambda x, y: (y, x)),
          (np.true_divide, lambda x, y: (1.0 / y, -x / y ** 2)),
          (np.arctan2, lambda x, y: (y / (x * x + y * y), -x / (x * x + y * y))),
          (np.hypot, lambda x, y: (x / np.hypot(x, y), y / np.hypot(x, y)))]


@pytest.mark.parametrize("layout", ["C", "F", "reversed", "strided"])
@pytest.mark.parametrize("N, n", [(1, 1), (10, 4), (10, 10), (37, 17)])
@pytest.mark.parametrize("numba", [False, True])
@pytest.mark.parametrize("ufunc, slope", UNARY, ids=lambda v: getattr(v, "__name__", ""))
def test_unary_closed_form_and_the_general_path_bits(ufunc, slope, layout, N, n, numba,
                                                     monkeypatch):
    if numba:
        _loader.load()
    elif not _loader.READY:
        monkeypatch.setattr(_loader, "LOAD_AFTER", float("inf"))
    x = RNG.uniform(0.5, 2.0, N)
    u = _dual(x, n, layout)
    got = ufunc(u)
    assert got.value.tobytes() == ufunc(x).tobytes()
    np.testing.assert_allclose(got.partials, slope(x)[:, None] * np.asarray(u.partials),
                               rtol=1e-14, atol=1e-300)
    with _kernels.use("numpy"):
        general = ufunc(u)
    same_duals(got, general)


@pytest.mark.parametrize("layout", ["C", "reversed", "strided"])
@pytest.mark.parametrize("N, n", [(1, 1), (10, 4), (37, 17)])
@pytest.mark.parametrize("ufunc, slopes", BINARY, ids=lambda v: getattr(v, "__name__", ""))
def test_binary_closed_form_and_the_general_path_bits(ufunc, slopes, layout, N, n):
    _loader.load()
    x, y = RNG.uniform(0.5, 2.0, N), RNG.uniform(0.5, 2.0, N)
    tag = new_tag()
    u, v = _dual(x, n, layout, tag), _dual(y, n, "C", tag)
    got = ufunc(u, v)
    assert got.value.tobytes() == ufunc(x, y).tobytes()
    f, g = (np.broadcast_to(s, x.shape) for s in slopes(x, y))
    fp, gq = f[:, None] * np.asarray(u.partials), g[:, None] * np.asarray(v.partials)
    scale = np.abs(fp) + np.abs(gq)          # (the two terms may cancel: rounding of each)
    assert np.all(np.abs(got.partials - (fp + gq)) <= 1e-14 * scale + 1e-300)
    with _kernels.use("numpy"):
        general = ufunc(u, v)
    same_duals(got, general)


def test_lean_function_called_once():
    _loader.load()
    u = _dual(RNG.uniform(0.5, 2.0, 10), 4)
    np.sin(u)
    calls = python_calls(lambda: np.sin(u))
    assert calls[:3] == ["<lambda>", "__array_ufunc__", "_lean_sin"], calls
    assert "small" not in calls and "apply" not in calls, calls


@pytest.mark.parametrize("call", [lambda u: np.add(u), lambda u: np.sin(u, u, u),
                                  lambda u: np.arctan2(u)])
def test_wrong_arity_is_numpys_error(call):
    u = _dual(RNG.uniform(0.5, 2.0, 4), 2)
    x = np.ones(4)
    with pytest.raises(TypeError) as expected:
        call(x)
    with pytest.raises(TypeError) as got:
        call(u)
    assert str(got.value) == str(expected.value)


def test_output_in_position_is_the_keyword_output():
    _loader.load()
    x = RNG.uniform(0.5, 2.0, 10)
    tag = new_tag()
    u = _dual(x, 3, tag=tag)
    out1 = dg.Dual(np.zeros(10), np.zeros((10, 3)), tag=tag)
    out2 = dg.Dual(np.zeros(10), np.zeros((10, 3)), tag=tag)
    r1 = np.sin(u, out1)
    r2 = np.sin(u, out=out2)
    assert r1 is out1 and r2 is out2
    same_duals(out1, out2)
    same_duals(out1, np.sin(u))
    same_duals(np.sin(u, None), np.sin(u))
    np.testing.assert_allclose(out1.partials, np.cos(x)[:, None] * u.partials, rtol=1e-15)


def test_two_outputs_closed_forms():
    _loader.load()
    x, y = RNG.uniform(2.0, 9.0, 10), RNG.uniform(0.5, 2.0, 10)
    tag = new_tag()
    u, v = _dual(x, 3, tag=tag), _dual(y, 3, tag=tag)
    frac, whole = np.modf(u)
    assert frac.value.tobytes() == np.modf(x)[0].tobytes()
    np.testing.assert_array_equal(frac.partials, u.partials)
    np.testing.assert_array_equal(whole.partials, 0.0)
    q, r = np.divmod(u, v)
    assert q.value.tobytes() == np.floor_divide(x, y).tobytes()
    np.testing.assert_array_equal(q.partials, 0.0)
    np.testing.assert_allclose(r.partials, u.partials - q.value[:, None] * v.partials,
                               rtol=1e-13, atol=1e-15)


def test_complex_values_closed_form():
    _loader.load()
    z = RNG.uniform(0.5, 2.0, 6) + 1j * RNG.uniform(-1.0, 1.0, 6)
    u = dg.Dual(z, RNG.standard_normal((6, 2)))
    got = np.exp(u)
    np.testing.assert_allclose(got.value, np.exp(z), rtol=1e-15)
    np.testing.assert_allclose(got.partials, np.exp(z)[:, None] * u.partials, rtol=1e-14)


def test_gradient_and_hessian_closed_forms():
    x = RNG.uniform(0.5, 2.0, 5)

    def f(t):
        return np.sum(np.sin(t) * np.exp(t))

    np.testing.assert_allclose(dg.gradient(f, x), np.exp(x) * (np.cos(x) + np.sin(x)),
                               rtol=1e-13)
    np.testing.assert_allclose(dg.hessian(f, x), np.diag(2.0 * np.exp(x) * np.cos(x)),
                               rtol=1e-13, atol=1e-15)


# ---- the lean sum's error state: a sum that is not finite is NumPy's, which reports ------
def _reports(op):
    import warnings
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        got = op()
    return got, [str(w.message) for w in seen]


SUM_CASES = {"inf - inf": [1.0, 1.0, np.inf, -np.inf, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
             "overflow": [1e308] * 10, "nan": [np.nan] + [1.0] * 9,
             "inf": [np.inf] + [1.0] * 9, "finite": list(np.linspace(0.5, 2.0, 10))}


@pytest.mark.parametrize("N", [8, 10, 37, 128])
@pytest.mark.parametrize("case", list(SUM_CASES))
@pytest.mark.parametrize("spelling", ["np.sum", "method"])
def test_small_sum_reports_as_numpy(case, spelling, N):
    _loader.load()
    x = np.resize(np.array(SUM_CASES[case]), N)
    u = _dual(x, 3)
    op = (lambda: np.sum(u)) if spelling == "np.sum" else (lambda: u.sum())
    (want, expected), (got, reported) = _reports(lambda: np.sum(x)), _reports(op)
    assert reported == expected
    assert np.float64(got.value).tobytes() == np.float64(want).tobytes()
    np.testing.assert_allclose(got.partials, np.asarray(u.partials).sum(axis=0), rtol=1e-13,
                               atol=1e-13)
    with _kernels.use("numpy"):
        general, general_reported = _reports(op)
    assert general_reported == expected
    same_duals(got, general)


def test_small_sum_raises_under_errstate_as_numpy():
    _loader.load()
    x = np.array(SUM_CASES["inf - inf"])
    u = _dual(x, 2)
    with np.errstate(invalid="raise"):
        with pytest.raises(FloatingPointError):
            np.sum(x)
        with pytest.raises(FloatingPointError):
            np.sum(u)
        with pytest.raises(FloatingPointError):
            u.sum()
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            np.sum(_dual([1e308] * 10, 2))
