"""attack42's findings on stop 41 (fix42): each against an independent oracle (closed forms,
central differences), both engines, dense and ``sparsity="auto"`` where it applies.
"""

import json
import os
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest

import dualgrad as dg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(dg.__file__)))


# ---- repro_03: a user's cache=True kernel after the rule table changed -----------------------
USER = """
import json, math, numba, numpy as np
import dualgrad as dg

@numba.njit(cache=True)
def kern(x):
    return np.sin(x[0]) * x[1]

g = dg.gradient(lambda x: kern(x), np.array([0.3, 2.0]))
print(json.dumps([float(g[0]), float(g[1]), sum(kern.stats.cache_hits.values())]))
"""


def _user_run(root, cache, user):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(root))
    run = subprocess.run([sys.executable, "kern.py"], capture_output=True, text=True,
                         env=env, cwd=user, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.engine_independent
# its subprocesses run numba's dual types, which no engine touches
def test_a_users_cached_kernel_compiles_again_when_the_table_changes(tmp_path):
    cache, user = tmp_path / "cache", tmp_path / "user"
    cache.mkdir()
    user.mkdir()
    (user / "kern.py").write_text(USER)
    c = np.cos(0.3)
    d0, d1, hits = _user_run(ROOT, cache, user)
    assert (d0, d1) == pytest.approx((c * 2.0, np.sin(0.3)), rel=1e-14) and hits == 0
    d0, _, hits = _user_run(ROOT, cache, user)         # the cache is read: the test can fail
    assert d0 == pytest.approx(c * 2.0, rel=1e-14) and hits > 0
    copy = tmp_path / "copy"
    shutil.copytree(os.path.join(ROOT, "dualgrad"), copy / "dualgrad",
                    ignore=shutil.ignore_patterns("__pycache__"))
    table = copy / "dualgrad" / "rules" / "_table.py"
    text = table.read_text()
    assert text.count('_smooth(np.sin, "np.cos(x)")') == 1
    table.write_text(text.replace('_smooth(np.sin, "np.cos(x)")',
                                  '_smooth(np.sin, "2.0 * np.cos(x)")'))
    subprocess.run([sys.executable, "-m", "dualgrad.jit._derivgen"], cwd=copy, check=True,
                   env=dict(os.environ, PYTHONPATH=str(copy)), capture_output=True,
                   timeout=600)
    d0, _, hits = _user_run(copy, cache, user)         # another table, the same user cache
    assert d0 == pytest.approx(2.0 * c * 2.0, rel=1e-14) and hits == 0
    d0, _, hits = _user_run(ROOT, cache, user)         # the real table's entry still there
    assert d0 == pytest.approx(c * 2.0, rel=1e-14) and hits > 0


# ---- repro_01 / repro_10: a complex plain operand beside a dual ------------------------------
_CD8 = [(-4, 1 / 280), (-3, -4 / 105), (-2, 1 / 5), (-1, -4 / 5), (1, 4 / 5), (2, -1 / 5),
        (3, 4 / 105), (4, -1 / 280)]


def _central(g, x, h=1e-4):
    """8th-order central differences of g (complex values: real and imaginary parts alike)
    along each coordinate of x, stacked as the Jacobian ``g(x).shape + x.shape``."""
    cols = []
    for e in np.eye(x.size):
        e = e.reshape(x.shape)
        cols.append(sum(c * np.asarray(g(x + k * h * e)) for k, c in _CD8) / h)
    return np.moveaxis(np.array(cols), 0, -1).reshape(np.shape(g(x)) + x.shape)


FPC = np.array([1.0, -2.0, 0.5, 3.0]) * (1 + 1j) + 0.5j
XP = np.array([0.0, 1.0, 2.5, 4.0])


@pytest.mark.parametrize("fp", [FPC, 2j * np.array([1.0, -2.0, 0.5, 3.0]), list(FPC)],
                         ids=["complex", "imaginary", "list"])
def test_interp_with_dual_knots_keeps_a_complex_fps_imaginary_part(fp):
    x = np.array([0.7, 1.5, 3.9])
    f = lambda p: np.interp(x, p, fp)                      # noqa: E731
    J = dg.jacobian(f, XP)
    assert J.dtype.kind == "c" and np.abs(J.imag).max() > 0.1
    np.testing.assert_allclose(J, _central(f, XP), rtol=0, atol=1e-8)


def test_interp_with_dual_x_and_knots_and_complex_fp():
    def f(p):
        return np.interp(p[:2], p[2:], FPC)
    p = np.concatenate([[0.7, 3.1], XP])
    J = dg.jacobian(f, p)
    assert np.abs(J.imag).max() > 0.1
    np.testing.assert_allclose(J, _central(f, p), rtol=0, atol=1e-8)


YC = np.array([1.0, 2.0, -1.0, 0.5]) * (1 + 1j) + 0.3j
X0 = np.array([0.0, 0.5, 1.7, 2.0])


@pytest.mark.parametrize("how", ["x", "dx", "2-D axis=1", "2-D x", "int y"])
def test_trapezoid_with_dual_sample_points_keeps_a_complex_ys_imaginary_part(how):
    if how == "x":
        f, p = (lambda p: np.trapezoid(YC, x=p)), X0
    elif how == "dx":
        f, p = (lambda p: np.trapezoid(YC, dx=p[0])), np.array([0.3])
    elif how == "2-D axis=1":
        Y = np.stack([YC, 2j * YC.conj()])
        f, p = (lambda p: np.trapezoid(Y, x=p, axis=1)), X0
    elif how == "2-D x":
        Y = np.stack([YC, 2j * YC.conj()])
        f, p = (lambda p: np.trapezoid(Y, x=p.reshape(2, 4), axis=1)), \
            np.concatenate([X0, 2 * X0])
    else:
        f, p = (lambda p: np.trapezoid([1, 2, -1, 5], x=p)), X0
    J = dg.jacobian(f, p)
    np.testing.assert_allclose(J, _central(f, p), rtol=0, atol=1e-8)
    assert (J.dtype.kind == "c") == (how != "int y")


def test_trapezoid_with_complex_sample_points_and_a_dual_y():
    xc = X0 * (1 + 0.5j)
    f = lambda y: np.trapezoid(y, x=xc)                    # noqa: E731
    y = np.array([1.0, 2.0, -1.0, 0.5])
    J = dg.jacobian(f, y)
    np.testing.assert_allclose(J, _central(f, y), rtol=0, atol=1e-8)
    assert np.abs(J.imag).max() > 0.1


def test_a_batched_jacobian_keeps_complex_values_and_aux():
    X = np.array([[0.1, 0.2], [0.3, 0.4]])
    with warnings.catch_warnings():           # the values were cast to float (imag dropped)
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        J = dg.jacobian(lambda x: np.exp(1j * x), X, batch_axis=0)
    for b in range(2):
        np.testing.assert_allclose(J[b], np.diag(1j * np.exp(1j * X[b])), rtol=1e-15)
    g, aux = dg.gradient(lambda x: (np.sum(x ** 2), np.array([1j, 2.0], dtype=object)),
                         np.array([1.0, 2.0]), has_aux=True)
    np.testing.assert_array_equal(aux, [1j, 2.0])
    np.testing.assert_allclose(g, [2.0, 4.0])


# ---- repro_05: stop_gradient's array is a copy ----------------------------------------------
def test_a_write_to_stop_gradients_array_changes_no_dual():
    def f(x):
        y = x * 1.0
        v = dg.stop_gradient(y)
        v[0] = 100.0
        v -= v.mean()
        return y ** 2
    x = np.array([0.3, 1.7, -0.4])
    np.testing.assert_array_equal(dg.jacobian(f, x), np.diag(2.0 * x))   # analytic 2 x

    def g(x):
        v = dg.stop_gradient(x)
        v *= 0.0
        assert not np.shares_memory(v, dg.stop_gradient(x))
        return np.sin(x) * 2.0
    np.testing.assert_allclose(dg.jacobian(g, x), np.diag(2.0 * np.cos(x)), rtol=1e-15)
    np.testing.assert_allclose(dg.hessian(lambda x: np.sum(g(x)), x),
                               np.diag(-2.0 * np.sin(x)), rtol=1e-15)


# ---- repro_11: a plain zero weight removes a sample, its infinite partials too ---------------
W0 = np.array([0.0, 1.0, 1.0])
X11 = np.array([0.0, 1.0, 4.0])          # sqrt's derivative at x[0] = 0 is infinite


def _cov_grad(x):
    """d/dx of cov(sqrt(x)) over samples 1, 2 (sample 0 removed): (s1 - s2)^2 / 2."""
    s1, s2 = np.sqrt(x[1]), np.sqrt(x[2])
    return np.array([0.0, (s1 - s2) / (2 * s1), -(s1 - s2) / (2 * s2)])


@pytest.mark.parametrize("how", ["aweights", "fweights", "both"])
def test_a_zero_weight_in_cov_removes_the_samples_partials(how):
    kw = {"aweights": W0} if how == "aweights" else {"fweights": W0.astype(int)} \
        if how == "fweights" else {"aweights": W0 + [0, 2, 0], "fweights": [0, 1, 3]}
    f = lambda x: np.cov(np.sqrt(x), **kw)                 # noqa: E731
    g = dg.gradient(f, X11)
    assert g[0] == 0.0
    inner = lambda q: f(np.concatenate([[0.0], q]))        # noqa: E731
    np.testing.assert_allclose(g[1:], _central(inner, X11[1:]), rtol=1e-9)
    if how == "aweights":
        np.testing.assert_allclose(g, _cov_grad(X11), rtol=1e-14)
        H = dg.hessian(f, X11)
        assert np.all(H[0] == 0.0) and np.all(H[:, 0] == 0.0)
        np.testing.assert_allclose(
            H[1:, 1:], _central(lambda q: _cov_grad(np.concatenate([[0.0], q]))[1:],
                                X11[1:]), rtol=1e-9)


def test_a_zero_weight_in_average_removes_the_elements_partials():
    f = lambda x: np.average(np.sqrt(x), weights=W0)       # noqa: E731
    np.testing.assert_allclose(dg.gradient(f, X11), [0.0, 0.25, 0.125], rtol=1e-15)
    np.testing.assert_allclose(dg.hessian(f, X11),
                               np.diag([0.0, -1 / 8, -1 / 8 / 8]), rtol=1e-15)
    # along an axis, dense and sparse: each row's zero-weight element is out of it
    x = np.array([0.0, 1.0, 4.0, 0.0, 9.0, 1.0])
    fa = lambda x: np.average(np.sqrt(x).reshape(2, 3), axis=1,  # noqa: E731
                              weights=[0.0, 1.0, 3.0])
    want = np.array([[0, 1 / 8, 3 / 16, 0, 0, 0], [0, 0, 0, 0, 1 / 24, 3 / 8]])
    np.testing.assert_allclose(dg.jacobian(fa, x), want, rtol=1e-15)
    np.testing.assert_allclose(dg.jacobian(fa, x, sparsity="auto").toarray(), want,
                               rtol=1e-15)
    x = np.array([1.0, 1.0, 4.0, 9.0, 0.0, 1.0])
    fb = lambda x: np.average(np.sqrt(x).reshape(2, 3), axis=1,  # noqa: E731
                              weights=[[2.0, 1.0, 0.0], [2.0, 0.0, 1.0]])
    np.testing.assert_allclose(dg.jacobian(fb, x), dg.jacobian(fb, x, sparsity="auto")
                               .toarray(), rtol=0, atol=0)
    np.testing.assert_allclose(dg.jacobian(fb, x, sparsity="auto")
                               .toarray(), [[2 / 3 / 2 / 1, 1 / 3 / 2, 0, 0, 0, 0],
                                            [0, 0, 0, 2 / 3 / 6, 0, 1 / 3 / 2]], rtol=1e-15)


# ---- repro_09: a long-double constant under a sparse Hessian --------------------------------
def test_a_sparse_hessian_with_a_long_double_constant_is_float64():
    ld = np.longdouble("0.1")
    x = np.array([0.3, 1.7, 0.5])
    H = dg.hessian(lambda x: np.sum(x ** 2 * ld), x, sparsity="auto")
    assert H.dtype == np.float64
    np.testing.assert_allclose(H.toarray(), np.diag([0.2] * 3), rtol=1e-15)
    H = dg.hessian(lambda x: np.sum(np.exp(x * ld)), x, sparsity="auto")
    np.testing.assert_allclose(H.toarray(), np.diag(0.01 * np.exp(0.1 * x)), rtol=1e-15)
    H = dg.hessian(lambda x: np.sum(np.sin(x) * ld * x[0]), x, sparsity="auto")
    want = np.diag(-0.1 * x[0] * np.sin(x))
    want[0, :] += 0.1 * np.cos(x)
    want[:, 0] += 0.1 * np.cos(x)
    want[0, 0] = 0.1 * (2 * np.cos(x[0]) - x[0] * np.sin(x[0]))
    assert H.dtype == np.float64
    np.testing.assert_allclose(H.toarray(), want, rtol=1e-14)


# ---- repro_04: numba's typing error on duals through a plain-Python f -----------------------
@pytest.fixture(scope="module")
def kernels():
    numba = pytest.importorskip("numba")

    @numba.njit
    def whole(x):
        return np.sum(np.sin(x) * x)

    @numba.njit
    def scaled(x):
        return x * 2.0

    @numba.njit
    def buffer(x):
        out = np.empty(x.size)
        for i in range(x.size):
            out[i] = x[i] * 2.0
        return out

    return whole, scaled, buffer


@pytest.mark.parametrize("k, construct", [(0, "an operation on a whole dual array"),
                                          (1, "an operation on a whole dual array"),
                                          (2, "storing a dual into a plain float array")])
def test_a_jitted_function_called_from_a_python_f_names_the_construct(kernels, k, construct):
    kern = kernels[k]
    x = np.linspace(0.0, 1.0, 4)
    helper = dg.gradient if k == 0 else dg.jacobian
    with pytest.raises(dg.DualTypeError) as direct:
        helper(kern, x)
    with pytest.raises(dg.DualTypeError) as through:
        helper(lambda p: kern(p), x)
    for e in (direct, through):
        msg = str(e.value)
        assert msg.startswith(f"dualgrad.{helper.__name__}: numba-jitted code uses "
                              f"{construct}") and "Fix: " in msg


# ---- repro_08 (d): the eager helpers without a point ---------------------------------------
@pytest.mark.parametrize("helper, missing, form, want", [
    ("derivative", "x", r"lambda x, \*a: dg\.derivative\(f, x, \*a\)", np.cos(0.4)),
    ("jvp", "x and v", r"lambda x, v, \*a: dg\.jvp\(f, x, v, \*a\)", None),
    ("sparsity", "x", r"lambda x, \*a: dg\.sparsity\(f, x, \*a\)", None),
    ("hessian_sparsity", "x", r"lambda x, \*a: dg\.hessian_sparsity\(f, x, \*a\)", None)])
def test_an_eager_helper_without_its_point_names_the_call(helper, missing, form, want):
    import re
    with pytest.raises(dg.DualTypeError) as info:
        getattr(dg, helper)(np.sin)
    text = str(info.value)
    assert text.startswith(f"dualgrad.{helper}: ") and f"without {missing} " in text
    f = (lambda x: np.sum(np.sin(x))) if helper == "hessian_sparsity" else np.sin
    g = eval(re.search(form, text).group(0), {"dg": dg, "f": f})        # the form runs
    if helper == "derivative":
        assert g(0.4) == pytest.approx(want, rel=1e-15)
    elif helper == "jvp":
        y, t = g(np.array([0.4]), np.array([2.0]))
        np.testing.assert_allclose(t, 2.0 * np.cos([0.4]), rtol=1e-15)
    else:
        assert g(np.array([0.4, 0.5])).toarray().tolist() == [[True, False], [False, True]]
    if helper == "jvp":
        with pytest.raises(dg.DualTypeError, match="called without v "):
            dg.jvp(np.sin, 0.4)


# ---- repro_08: refusals of correct code ------------------------------------------------------
def _no_nan_mismatch(J, O):
    """J against central differences O where the oracle is finite (an all-NaN slice: NumPy's
    NaN value, zero partials by the NaN-slice convention)."""
    ok = np.isfinite(O)
    np.testing.assert_allclose(J[ok], O[ok], rtol=0, atol=1e-8)


@pytest.mark.parametrize("ufunc", [np.fmax, np.fmin])
def test_fmax_fmin_reduce_skip_nan(ufunc):
    x = np.array([1.0, np.nan, 0.5, 3.0, -2.0])
    f = lambda x: ufunc.reduce(x)                          # noqa: E731
    g = dg.gradient(f, x)
    np.testing.assert_allclose(g, _central(f, x), rtol=0, atol=1e-9)
    assert g.tolist() == ([0, 0, 0, 1, 0] if ufunc is np.fmax else [0, 0, 0, 0, 1])
    X = np.array([1.0, np.nan, 2.0, np.nan, 4.0, 3.0, 0.5, 6.0, np.nan])
    for axis, keepdims in ((0, False), (1, True), (None, False)):
        f = lambda x: ufunc.reduce(x.reshape(3, 3), axis=axis, keepdims=keepdims)  # noqa
        J = dg.jacobian(f, X)
        np.testing.assert_allclose(J, _central(f, X), rtol=0, atol=1e-9)
        value = dg.jvp(f, X, np.ones_like(X))[0]
        np.testing.assert_array_equal(value, ufunc.reduce(X.reshape(3, 3), axis=axis,
                                                          keepdims=keepdims))
        if np.ndim(value) == 1:
            np.testing.assert_array_equal(dg.jacobian(f, X, sparsity="auto").toarray(), J)
    # a tie splits as np.max's (rules/_table.py, TIES)
    t = np.array([1.0, 1.0, 0.5])
    np.testing.assert_array_equal(dg.gradient(lambda x: np.fmax.reduce(x), t),
                                  dg.gradient(lambda x: np.max(x), t))


XP8 = np.array([10.0, 100.0, 200.0, 350.0, 395.0])    # 395 mod 360 = 35: unsorted knots
FP8 = np.array([0.0, 1.0, -2.0, 0.5, 3.0])
X8 = np.array([5.0, 50.0, 365.0, -20.0, 870.0])


@pytest.mark.parametrize("which", ["x", "xp", "fp", "all", "complex fp"])
def test_interp_with_period_on_duals(which):
    f = {"x": lambda p: np.interp(p, XP8, FP8, period=360.0),
         "xp": lambda p: np.interp(X8, p, FP8, period=360.0),
         "fp": lambda p: np.interp(X8, XP8, p, period=-360.0, left=7.0),
         "all": lambda p: np.interp(p[:5], p[5:10], p[10:], period=360.0),
         "complex fp": lambda p: np.interp(X8, p, FP8 * (1 + 2j), period=360.0)}[which]
    p = {"x": X8, "xp": XP8, "fp": FP8, "all": np.concatenate([X8, XP8, FP8]),
         "complex fp": XP8}[which]
    J = dg.jacobian(f, p)
    np.testing.assert_allclose(J, _central(f, p), rtol=0, atol=1e-9)
    np.testing.assert_array_equal(dg.jvp(f, p, np.ones_like(p))[0], f(p))   # NumPy's value
    if which != "complex fp":
        np.testing.assert_array_equal(dg.jacobian(f, p, sparsity="auto").toarray(), J)
        s = lambda p: np.sum(f(p) ** 2)                    # noqa: E731
        H = dg.hessian(s, p)
        np.testing.assert_allclose(H, _central(lambda q: dg.gradient(s, q), p),
                                   rtol=0, atol=1e-7)
        np.testing.assert_allclose(dg.hessian(s, p, sparsity="auto").toarray(), H,
                                   rtol=0, atol=1e-12)
    assert dg.derivative(lambda t: np.interp(t, [10.0, 350.0], [0.0, 1.0], period=360.0),
                         5.0) == pytest.approx(-1.0 / 20.0, rel=1e-14)
    with pytest.raises(ValueError, match="period must be a non-zero value"):
        dg.derivative(lambda t: np.interp(t, [1.0, 2.0], [1.0, 2.0], period=0.0), 1.0)


def test_nanquantile_with_nan_data_and_a_dual_q():
    a = np.array([1.0, np.nan, 3.0, 2.0])
    assert dg.derivative(lambda q: np.nanquantile(a, q), 0.4) == pytest.approx(2.0, rel=1e-12)
    A = np.array([[1.0, np.nan, 3.0, 2.0], [np.nan] * 4, [5.0, 0.5, np.nan, np.nan],
                  [4.0, 1.0, 7.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)       # NumPy's all-NaN slice
        for f, p in [(lambda q: np.nanquantile(A, q, axis=1), np.array([0.3, 0.8])),
                     (lambda q: np.nanpercentile(A, q, axis=1, method="weibull"),
                      np.array([30.0, 70.0])),
                     (lambda q: np.nanquantile(A, q), np.array([0.3, 0.8])),
                     (lambda p: np.nanquantile(p[:16].reshape(4, 4) + A * 0, p[16:], axis=0),
                      np.concatenate([np.arange(16.0) * 0.37 % 5, [0.3, 0.7]]))]:
            J = dg.jacobian(f, p)
            _no_nan_mismatch(J, _central(f, p))
            assert np.abs(J[np.isfinite(J)]).max() > 0.01      # q moves it
            np.testing.assert_array_equal(dg.jvp(f, p, np.ones_like(p))[0], f(p))
            np.testing.assert_array_equal(
                dg.jacobian(lambda x: np.ravel(f(x)), p, sparsity="auto").toarray(),
                J.reshape(-1, p.size))


@pytest.mark.parametrize("case", range(5))
def test_geomspace_with_complex_ends(case):
    f, p = [(lambda p: np.geomspace(1j * p[0], 4j, 5), np.array([1.3])),
            (lambda p: np.geomspace(1 + 1j * p[0], p[1] - 2j, 4, endpoint=False),
             np.array([0.7, 3.0])),
            (lambda p: np.geomspace(-p[0] + 0j, p[1], 6), np.array([0.7, 3.0])),
            (lambda p: np.geomspace(p[:2] * (1 + 1j), [1j, -2.0], 3, axis=1),
             np.array([0.7, 3.0])),
            (lambda p: np.geomspace(1j, p[0] * (1 + 1j), 3), np.array([0.7]))][case]
    J = dg.jacobian(f, p)
    assert J.dtype.kind == "c"
    np.testing.assert_allclose(J, _central(f, p), rtol=0, atol=1e-9)
    np.testing.assert_allclose(dg.jvp(f, p, np.ones_like(p))[0], f(p), rtol=1e-15, atol=0)


def test_divmod_on_duals_in_jitted_code(kernels):
    numba = pytest.importorskip("numba")

    @numba.njit
    def k(x):
        q, r = divmod(x[0], 0.3)
        q2, r2 = divmod(2.5, x[1])
        q3, r3 = divmod(x[0], x[1])
        return q + r * x[1] + q2 * x[0] + r2 + q3 + r3 * 2.0

    x = np.array([1.0, 0.7])
    # q = 3, r = 0.1 (dr/dx0 = 1); q2 = 3, dr2/dx1 = -3; q3 = 1, dr3 = (1, -1)
    np.testing.assert_allclose(dg.gradient(k, x), [0.7 + 3.0 + 2.0, 0.1 - 3.0 - 2.0],
                               rtol=1e-14)
    np.testing.assert_allclose(dg.gradient(k, x), _central(k.py_func, x), rtol=1e-9)
