"""Small arrays in fewer steps (issue 13, small47): ``u ** 3``'s lean path asks
``backend.lean_work`` only from ``SMALL_BELOW``'s size on and hushes NumPy's reports with
the error state's context variable written out (``_hush`` / ``_unhush`` were two Python
calls); ``u[j]`` (an int) and ``u[a:b]`` test their own case first.

Oracles, independent of the code under test: the closed form ``d(x**3) = 3 x**2 dx``
on floats to rounding, NumPy's value bits (``np.power``), the general path under
``_kernels.use("numpy")`` (whose bits the lean path must reproduce), the element and
row of the value and partials arrays themselves for ``u[j]`` (what an element is), and
NumPy's errors and error state.
"""

import threading
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels, _loader
from dualgrad.dual._base import new_tag
from _probes import python_calls, same_duals

RNG = np.random.default_rng(47)


def _dual(x, n=3, layout="C"):
    p = RNG.standard_normal((len(x), n))
    if layout == "F":
        p = np.asfortranarray(p)
    elif layout == "reversed":
        p = p[::-1]
    elif layout == "strided":
        p = np.repeat(p, 2, axis=0)[::2]
    return dg.Dual(np.asarray(x, dtype=float), p, tag=new_tag())


# ---- u ** 3 ---------------------------------------------------------------------------

def test_cube_calls_no_hush_or_work_function():
    _loader.load()
    u = _dual(RNG.uniform(0.5, 2.0, 10), 4)
    u ** 3                                    # (its entry point made)
    calls = python_calls(lambda: u ** 3)
    assert "_hush" not in calls and "_unhush" not in calls and "lean_work" not in calls, calls
    # (small50: no "<lambda>", the table's compiled regular branch, between lean_power
    # and make_real: the factor 3.0 * (x * x) is computed in lean_power itself)
    assert calls == ["<lambda>", "__pow__", "lean_power", "make_real"], calls


@pytest.mark.parametrize("layout", ["C", "F", "reversed", "strided"])
@pytest.mark.parametrize("N, n", [(1, 1), (10, 4), (10, 10), (37, 16)])
@pytest.mark.parametrize("numba", [False, True])
def test_cube_closed_form_and_the_general_path_bits(layout, N, n, numba, monkeypatch):
    if numba:
        _loader.load()
    elif not _loader.READY:
        monkeypatch.setattr(_loader, "LOAD_AFTER", float("inf"))
    x = RNG.uniform(-2.0, 2.0, N)
    u = _dual(x, n, layout)
    got = u ** 3
    assert got.value.tobytes() == np.power(x, 3.0).tobytes()
    want = 3.0 * x[:, None] ** 2 * np.asarray(u.partials)
    np.testing.assert_allclose(got.partials, want, rtol=1e-14, atol=1e-300)
    with _kernels.use("numpy"):
        general = u ** 3
    same_duals(got, general)


@pytest.mark.parametrize("x", [
    [0.0, 1.5, -2.0], [-0.0, 0.5, 3.0], [np.nan, 1.0, 2.0], [np.inf, 1.0, 2.0],
    [-np.inf, 1.0, 2.0], [1e-110, 1.0, 2.0], [5e-324, 1.0, 2.0], [1e103, 1.0, 2.0]])
def test_cube_zeros_nan_inf_tiny_huge_as_the_general_path(x):
    _loader.load()
    u = _dual(x, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = u ** 3
        with _kernels.use("numpy"):
            general = u ** 3
    same_duals(got, general)
    assert got.value.tobytes() == np.power(np.asarray(x), 3.0).tobytes()


def test_cube_error_state_restored_and_numpy_reports():
    _loader.load()
    u = _dual([1.0, 2.0, 3.0], 2)
    before = np.geterr()
    with np.errstate(all="raise"):
        got = u ** 3                  # the factor's hush leaves "raise" in force after it
        assert np.geterr() == {k: "raise" for k in before}
        with pytest.raises(FloatingPointError):
            _dual([1e200, 1.0, 2.0], 2) ** 3          # the value's overflow: NumPy's report
    assert np.geterr() == before
    np.testing.assert_allclose(got.partials, 3.0 * np.array([1.0, 4.0, 9.0])[:, None]
                               * np.asarray(u.partials), rtol=1e-15)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _dual([1e200, 1.0, 2.0], 2) ** 3
    assert [str(w.message) for w in seen] == ["overflow encountered in power"]


def test_cube_inside_an_outer_hush():
    """The lean power inside another lean operation's hush (the state already quiet):
    that state is kept and restored."""
    from dualgrad.dispatch._ufuncs import _hush, _unhush
    _loader.load()
    u = _dual(RNG.uniform(0.5, 2.0, 10), 4)
    token = _hush()
    try:
        quiet = np.geterr()
        got = u ** 3
        assert np.geterr() == quiet
    finally:
        _unhush(token)
    with _kernels.use("numpy"):
        same_duals(got, u ** 3)


def test_cube_gradient_and_hessian_closed_forms():
    x = RNG.uniform(0.5, 2.0, 6)
    g = dg.gradient(lambda v: np.sum(v ** 3), x)
    np.testing.assert_allclose(g, 3.0 * x ** 2, rtol=1e-15)
    h = dg.hessian(lambda v: np.sum(v ** 3), x)
    np.testing.assert_allclose(h, np.diag(6.0 * x), rtol=1e-14)


def test_cube_threads_each_their_closed_form():
    _loader.load()
    out, errors = {}, []

    def work(i):
        try:
            x = np.linspace(0.5, 2.0, 10) + i
            u = _dual(x, 4)
            for _ in range(200):
                got = u ** 3
            out[i] = np.allclose(got.partials, 3.0 * x[:, None] ** 2 * u.partials,
                                 rtol=1e-14)
        except Exception as exc:          # noqa: BLE001 (reported below)
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and all(out.values()) and len(out) == 8


# ---- u[j], u[a:b] ---------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["C", "F", "reversed", "strided"])
@pytest.mark.parametrize("n", [1, 4, 10, 16, 17])
def test_element_is_the_value_and_the_row(layout, n):
    x = RNG.standard_normal(10)
    u = _dual(x, n, layout)
    p = np.asarray(u.partials)
    for j in (0, 3, 9, -1, -10, np.int64(4), np.intp(-2)):
        e = u[j]
        assert type(e.value) is float and e.value == x[j]
        assert np.asarray(e.partials).tobytes() == p[j].tobytes()
        assert e.tag == u.tag
    for j in (10, -11):
        with pytest.raises(IndexError):
            u[j]


def test_element_of_other_kinds_left_to_the_general_path():
    z = dg.Dual(np.array([1.0 + 2.0j, 3.0]), np.array([[1.0, 0.0], [0.0, 1j]]),
                tag=new_tag())
    e = z[0]
    assert e.value == 1.0 + 2.0j and list(np.asarray(e.partials)) == [1.0, 0.0]
    assert np.asarray(z[1].partials)[1] == 1j
    w = _dual(RNG.standard_normal((3, 4)).ravel(), 2)
    m = dg.Dual(w.value.reshape(3, 4), np.asarray(w.partials).reshape(3, 4, 2), tag=w.tag)
    row = m[1]
    assert row.value.tobytes() == m.value[1].tobytes()
    with pytest.raises(IndexError):                # NumPy's
        _dual([1.0, 2.0], 2)[1.0]


def test_elements_in_a_pass_and_a_nested_level():
    def f(v):
        return v[0] * v[1] + v[2] ** 2 - v[-1] * v[0]
    x = np.array([1.5, -0.5, 2.0, 0.25])
    want = np.array([x[1] - x[3], x[0], 2 * x[2], -x[0]])
    np.testing.assert_allclose(dg.gradient(f, x), want, rtol=1e-15)
    h = dg.hessian(f, x)
    H = np.zeros((4, 4))
    H[0, 1] = H[1, 0] = 1.0
    H[2, 2] = 2.0
    H[0, 3] = H[3, 0] = -1.0
    np.testing.assert_allclose(h, H, atol=1e-15)


@pytest.mark.parametrize("index", [slice(2, 5), slice(None, None, -1), slice(1, None, 3),
                                   slice(0, 0)])
def test_slices_are_views_of_both(index):
    x = RNG.standard_normal(10)
    u = _dual(x, 3)
    s = u[index]
    assert s.value.tobytes() == x[index].tobytes()
    assert np.asarray(s.partials).tobytes() == np.asarray(u.partials)[index].tobytes()
    if s.value.size:
        assert np.shares_memory(s.value, u.value)


def test_one_element_tuples_still_elements():
    u = _dual(RNG.standard_normal(6), 3)
    e = u[(2,)]
    assert type(e.value) is float and e.value == u.value[2]
    m = dg.Dual(RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3, 2)), tag=new_tag())
    e = m[1, 2]
    assert e.value == m.value[1, 2]
    assert np.asarray(e.partials).tobytes() == np.asarray(m.partials)[1, 2].tobytes()


# ---- M @ u, M a float matrix ----------------------------------------------------------

PRODUCTS = [("M @ u", lambda M, u: M @ u), ("np.matmul", lambda M, u: np.matmul(M, u)),
            ("np.dot", lambda M, u: np.dot(M, u)), ("np.inner", lambda M, u: np.inner(M, u)),
            ("np.vecdot", lambda M, u: np.vecdot(M, u)),
            ("np.linalg.matmul", lambda M, u: np.linalg.matmul(M, u))]


@pytest.mark.parametrize("name, op", PRODUCTS, ids=[p[0] for p in PRODUCTS])
def test_matrix_times_dual_in_one_function(name, op):
    _loader.load()
    M = RNG.standard_normal((10, 10))
    u = _dual(RNG.standard_normal(10), 3)
    calls = python_calls(lambda: op(M, u))
    assert "_operands" not in calls and "_finish" not in calls and "_mv" not in calls, calls


@pytest.mark.parametrize("name, op", PRODUCTS, ids=[p[0] for p in PRODUCTS])
@pytest.mark.parametrize("m, K, n", [(10, 10, 1), (10, 10, 4), (7, 10, 10), (1, 3, 16),
                                     (65, 5, 3), (300, 20, 4), (40, 40, 4)])
@pytest.mark.parametrize("layout", ["C", "F", "reversed"])
def test_matrix_times_dual_closed_form_and_the_old_path_bits(name, op, m, K, n, layout):
    from dualgrad.dispatch._lean_products import _finish
    _loader.load()
    M = RNG.standard_normal((m, K))
    if layout == "F":
        M = np.asfortranarray(M)
    elif layout == "reversed":
        M = M[::-1, ::-1]
    u = _dual(RNG.standard_normal(K), n)
    got = op(M, u)
    value = op(M, u.value)                                          # NumPy's own
    assert got.value.tobytes() == value.tobytes()
    np.testing.assert_allclose(got.partials, M @ np.asarray(u.partials), rtol=1e-12,
                               atol=1e-13)
    old = _finish("mv", value, u.tag, M, None, u.value, u._p)     # the path before
    same_duals(got, old)
    with _kernels.use("numpy"):
        general = op(M, u)
    assert general.value.tobytes() == got.value.tobytes()
    np.testing.assert_allclose(general.partials, got.partials, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_matrix_times_dual_not_finite_as_the_general_path(bad):
    _loader.load()
    M = RNG.standard_normal((4, 4))
    M[2, 1] = bad
    u = _dual([1.0, 0.0, 2.0, -1.0], 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got = M @ u
        with _kernels.use("numpy"):
            general = M @ u
    assert got.value.tobytes() == general.value.tobytes()
    assert np.asarray(got.partials).tobytes() == np.asarray(general.partials).tobytes()


def test_matrix_times_dual_other_operands_left_alone():
    _loader.load()
    M = RNG.standard_normal((3, 3))
    u = _dual(RNG.standard_normal(3), 2)
    Mi = np.arange(9).reshape(3, 3)                    # integer matrix: general path
    np.testing.assert_allclose((Mi @ u).partials, Mi @ np.asarray(u.partials), rtol=1e-14)
    Mc = M + 1j                                        # complex
    np.testing.assert_allclose((Mc @ u).partials, Mc @ np.asarray(u.partials), rtol=1e-14)
    U = dg.Dual(RNG.standard_normal((3, 2)), RNG.standard_normal((3, 2, 2)), tag=u.tag)
    np.testing.assert_allclose((M @ U).partials, np.einsum("ij,jkn->ikn", M,
                                                           np.asarray(U.partials)),
                               rtol=1e-13)
    with pytest.raises(ValueError):
        RNG.standard_normal((3, 4)) @ u                # NumPy's shape error
    g = dg.jacobian(lambda v: M @ (v * v), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g, M * (2.0 * np.array([1.0, 2.0, 3.0]))[None, :],
                               rtol=1e-14)
    h = dg.hessian(lambda v: np.sum(M @ (v * v)), np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(h, np.diag(2.0 * M.sum(axis=0)), rtol=1e-14, atol=1e-14)
