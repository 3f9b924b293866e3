"""One test per user-facing error message: who, what was expected, the fix."""

import collections.abc
import functools
import math
import re
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import errors
from _oracles import central

FIX = "np.zeros_like"


@pytest.fixture
def s():
    return dg.Dual(1.5, [1.0])


@pytest.fixture
def a():
    return dg.Dual(np.array([1.0, 2.0]), np.eye(2))


@pytest.mark.parametrize("action", [float, math.sin, np.float64, complex])
def test_scalar_conversions_raise_with_the_fix(s, action):
    with pytest.raises(TypeError, match=FIX):
        action(s)


@pytest.mark.parametrize("action", [int, round, math.floor, math.ceil, math.trunc])
def test_integer_conversions_name_the_value(s, action):
    with pytest.raises(TypeError, match=r"expected the integer taken from its value"):
        action(s)


def test_array_conversions_raise_with_the_fix(a):
    with pytest.raises(TypeError, match="drop the derivatives"):
        np.asarray(a, dtype=float)
    for target in (a, a[0]):
        for dtype in (float, np.float64):
            with pytest.raises(TypeError,
                               match=r"astype.*copy\(\) keeps a dual.*drop the derivatives"):
                target.astype(dtype)
        with pytest.raises(TypeError, match=r"astype\(float32\).*narrowing cast"):
            target.astype(np.float32)           # (refuse41: says what it is)
    with pytest.raises(TypeError, match="drop the derivatives"):
        float(a[0])


def test_storing_into_a_plain_array_raises_ours(s, a):
    buf = np.zeros(3)
    with pytest.raises((TypeError, ValueError)) as info:
        buf[0] = s
    err = info.value if isinstance(info.value, TypeError) else info.value.__cause__
    assert isinstance(err, dg.DualTypeError) and FIX in str(err)
    with pytest.raises(TypeError, match=FIX):
        buf[:2] = a
    with pytest.raises(TypeError, match=FIX):
        np.add(a, a, out=np.zeros(2))
    with pytest.raises(TypeError, match=FIX):
        buf[:2] += a


def test_dual_used_as_an_index_raises(s, a):
    with pytest.raises(TypeError, match="as an index"):
        a[dg.Dual(np.array([0.0]), np.ones((1, 1)))]


def test_unsupported_numpy_function_names_itself(a):
    with pytest.raises(TypeError, match=r"np\.histogram2d is not supported"):
        np.histogram2d(a, a)
    with pytest.raises(TypeError, match=r"np\.linalg\.tensorinv is not supported"):
        np.linalg.tensorinv(np.outer(a, a))


def test_svd_where_its_vectors_have_no_derivative(a):
    with pytest.raises(TypeError, match=r"full_matrices=True of a non-square.*"
                                        r"full_matrices=False"):
        np.linalg.svd(np.stack([a, a, a]))
    with pytest.raises(TypeError, match=r"rank-deficient.*compute_uv=False"):
        np.linalg.svd(np.outer(a, a))


def test_qr_where_it_has_no_derivative(a):
    with pytest.raises(TypeError, match=r"mode='complete' of a 3 x 2 matrix"):
        np.linalg.qr(np.stack([a, a * a, a + 1.0]), mode="complete")
    with pytest.raises(TypeError, match=r"of a 2 x 3 matrix"):
        np.linalg.qr(np.stack([a, a * a, a + 1.0]).T)
    with pytest.raises(TypeError, match=r"qr of a rank-deficient matrix"):
        np.linalg.qr(np.outer(a, a))


def test_unsupported_ufunc_method_names_itself(a):
    with pytest.raises(TypeError, match=r"np\.multiply\.at does not support"):
        np.multiply.at(a, [0], 1.0)
    with pytest.raises(TypeError, match=r"np\.power\.reduce"):
        np.power.reduce(a)


@pytest.mark.parametrize("call, message", [
    # (where= and initial= of the reductions work: tests/test_refuse41.py)
    (lambda a: np.var(a, out=np.zeros(())), r"np\.var .*out= is not supported"),
    (lambda a: np.mean(a, dtype=np.float32), r"np\.mean\(\.\.\., dtype=float32\).*narrowing"),
    # (a float or complex dtype= is the join cast: tests/test_joins_lean.py)
    (lambda a: np.concatenate([a, a], dtype=np.int32),
     r"np\.concatenate\(\.\.\., dtype=int32\) makes an integer"),
    (lambda a: np.clip(a, 0, 1, where=[True, False]), r"np\.clip .*where="),
    (lambda a: np.take(a, [0], out=np.zeros(1)), r"np\.take with out= is not supported"),
    # a dual out= is filled (tests/test_raw_errors_attack28.py); a plain one would
    # drop the derivatives
    (lambda a: np.concatenate([a, a], out=np.zeros(4)), r"storing a dual number into a plain"),
])
def test_keywords_that_would_change_a_result_raise(a, call, message):
    with pytest.raises(TypeError, match=message):
        call(a)


def test_not_differentiable_argument_names_the_ufunc():
    with pytest.raises(TypeError, match=r"np\.ldexp .*argument 2"):
        np.ldexp(2.0, dg.Dual(np.array([1.0]), np.ones((1, 1))))


def test_helpers_reject_non_callables():
    for helper in (dg.gradient, dg.jacobian, dg.hessian, dg.derivative):
        with pytest.raises(TypeError, match="callable"):
            helper(3.0, 1.0)
    with pytest.raises(TypeError, match="callable"):
        dg.jvp([1.0], [1.0], [1.0])
    with pytest.raises(TypeError, match="callable"):
        dg.grad(None)


def test_gradient_of_array_valued_f_points_to_jacobian():
    with pytest.raises(ValueError, match="dg.jacobian"):
        dg.gradient(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match="dg.jacobian"):
        dg.hessian(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match="dg.jacobian"):
        dg.grad(lambda x: x * 2)(np.ones(3))


def test_non_numeric_outputs_and_complex_inputs():
    with pytest.raises(TypeError, match="return numbers"):
        dg.jacobian(lambda x: "text", 1.0)
    with pytest.raises(TypeError, match="real x.*holomorphic=True"):
        dg.gradient(lambda x: x, 1j)


def test_ragged_list_output_names_the_shapes_and_the_fix():
    with pytest.raises(TypeError, match=r"shapes \[\(1,\), \(2,\)\].*np\.concatenate"):
        dg.jacobian(lambda x: [x[:2] * 2, x[2:]], np.ones(3))


def test_jvp_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        dg.jvp(lambda x: x, np.ones(3), np.ones(2))


@pytest.mark.parametrize("chunk", [0, -1, 2.5, "4", True])
def test_bad_chunk(chunk):
    with pytest.raises(ValueError, match="chunk as a positive integer"):
        dg.gradient(lambda x: np.sum(x), np.ones(3), chunk=chunk)


def test_large_chunk_is_clipped():
    np.testing.assert_array_equal(dg.gradient(lambda x: np.sum(x), np.ones(3), chunk=99),
                                  np.ones(3))


@pytest.mark.parametrize("argnums", [3, (0, 5), "0", 1.0])
def test_bad_argnums(argnums):
    with pytest.raises(ValueError, match="argnums"):
        dg.grad(lambda a, b, c: a * b * c, argnums=argnums)(1.0, 2.0, 3.0)


def test_derivative_needs_a_scalar():
    with pytest.raises(ValueError, match="dg.jacobian"):
        dg.derivative(np.sin, np.ones(2))


def test_dual_constructor_checks_shapes():
    with pytest.raises(ValueError, match=r"shape \(2,\) \+ \(n,\)"):
        dg.Dual(np.ones(2), np.ones(3))


@pytest.mark.parametrize("value, partials", [(1.0, []), (np.ones(3), np.zeros((3, 0))),
                                             (np.ones((2, 3)), np.ones((2, 3, 0)))])
def test_dual_constructor_refuses_no_directions(value, partials):
    """A dual with zero directions carries no derivative, and the helpers never make
    one (f gets x itself for an empty x); built by hand it reached generated code as a
    SyntaxError, LLVM as an empty vector, and ~30 functions as a reshape error
    (attack22): refused by name."""
    with pytest.raises(ValueError, match=r"at least one direction.*Fix: .*plain value"):
        dg.Dual(value, partials)


def test_inner_dual_stored_into_outer_buffer():
    def outer(x):
        buf = np.zeros_like(x)

        def inner(y):
            buf[0] = y * 2.0
            return y
        dg.derivative(inner, 1.0)
        return buf
    with pytest.raises(TypeError, match="inner derivative call"):
        dg.jacobian(outer, np.ones(2))


@pytest.mark.parametrize("fmt", [lambda d: f"{d:.3f}", lambda d: format(d, ".2e"),
                                 lambda d: "{:>8.1f}".format(d)])
def test_formatting_a_dual_names_the_value(fmt):
    """A format spec is for numbers; the message points at d.value."""
    def f(x):
        fmt(x[0])
        return x.sum()
    with pytest.raises(TypeError, match=r"format\(d, .*expected a plain number, got a dual"
                                        r".*Fix: format its value, f\"\{d\.value:"):
        dg.gradient(f, np.ones(2))
    with pytest.raises(TypeError, match=r"x\[0\]\.value"):
        fmt(dg.Dual(1.0, [1.0]))


def test_formatting_a_dual_without_a_spec_prints_it():
    d = dg.Dual(2.0, [1.0, 0.0])
    assert f"{d}" == str(d) == format(d) and "2.0" in str(d)


def _scipy_cases():
    stats = pytest.importorskip("scipy.stats")
    special = pytest.importorskip("scipy.special")
    integrate = pytest.importorskip("scipy.integrate")
    return {
        "scipy.stats.norm.cdf": lambda x: np.sum(stats.norm.cdf(x)),
        "scipy.stats.norm.pdf": lambda x: np.sum(stats.norm.pdf(x, 0.5, 2.0)),
        "scipy.special.logsumexp": lambda x: special.logsumexp(x),
        "scipy.special.polygamma": lambda x: np.sum(special.polygamma(1, x)),
        "scipy.special.multigammaln": lambda x: special.multigammaln(x[0] + 3.0, 2),
        "scipy.integrate.odeint":
            lambda x: integrate.odeint(lambda y, t: -x[0] * y, 1.0, [0.0, 1.0])[-1, 0],
    }


@pytest.mark.parametrize("name", ["scipy.stats.norm.cdf", "scipy.stats.norm.pdf",
                                  "scipy.special.logsumexp", "scipy.special.polygamma",
                                  "scipy.special.multigammaln", "scipy.integrate.odeint"])
def test_scipy_functions_that_call_asarray_get_our_message_naming_them(name):
    """issue 12: these failed deep inside SciPy with NumPy's message."""
    f = _scipy_cases()[name]
    x = np.array([0.5, 1.5])
    for call in (lambda: dg.gradient(f, x), lambda: dg.grad(f)(x),
                 lambda: dg.jvp(f, x, np.ones(2)), lambda: dg.hessian(f, x)):
        with pytest.raises(TypeError, match=f"{name} converts its input with np.asarray.*"
                                            "Fix: "):
            call()
    if "multigammaln" not in name and "odeint" not in name:
        with pytest.raises(TypeError, match=name):
            dg.elementwise_grad(f)(x)
    if "odeint" in name:       # a new user: the adaptive solver's own fix, not only RK4
        with pytest.raises(TypeError, match=r"dg\.solve_ivp\(lambda t, y: func\(y, t"
                                            r"(, \*args)?\).*t_eval=t"):
            dg.gradient(f, x)


@pytest.mark.parametrize("name", ["expm", "cho_solve"])
def test_sparsity_names_the_scipy_function_that_converts_as_the_dense_helpers_do(name):
    """attack57 06: under dg.sparsity / sparsity="auto" SciPy's float(t) of the tracer
    (a frame of dualgrad.api) was taken for a callback into a helper's wrapper, so the
    user read the generic float(x) message instead of the function and its drop-in."""
    linalg = pytest.importorskip("scipy.linalg")
    A = np.eye(3) * 3 + 0.1
    f = {"expm": lambda x: linalg.expm(np.diag(x)) @ x,
         "cho_solve": lambda x: linalg.cho_solve(linalg.cho_factor(A), x)}[name]
    x = np.array([0.5, 1.5, 2.0])
    for call in (lambda: dg.jacobian(f, x), lambda: dg.sparsity(f, x),
                 lambda: dg.jacobian(f, x, sparsity="auto")):
        with pytest.raises(TypeError, match=f"scipy.linalg.{name} converts its input with "
                                            f"np.asarray.*dualgrad.scipy.linalg.{name}"):
            call()


def test_a_frozen_distribution_is_named_as_written_with_the_unfrozen_fix():
    """user23: stats.norm(0, 1).cdf(x) named "scipy.stats.cdf" (no such function) and
    the vague fix; it names the frozen spelling and norm.cdf's ndtr spelling, which gives
    the frozen distribution's values and derivatives."""
    stats = pytest.importorskip("scipy.stats")
    special = pytest.importorskip("scipy.special")
    frozen = stats.norm(0.5, 2.0)
    with pytest.raises(TypeError, match=r"scipy\.stats\.norm\(\.\.\.\)\.cdf converts its "
                                        r"input.*Fix: use dualgrad\.scipy\.stats\.norm\.cdf .*; or write that "
                                        r"step as scipy\.special\.ndtr"
                                        r"\(\(x - loc\) / scale\) \(loc, scale"):
        dg.derivative(lambda x: frozen.cdf(x), 0.3)
    x = np.array([0.3, -1.2])
    spelled = lambda x: special.ndtr((x - 0.5) / 2.0)          # noqa: E731
    np.testing.assert_allclose(spelled(x), frozen.cdf(x), rtol=1e-14)
    np.testing.assert_allclose(dg.elementwise_grad(spelled)(x), frozen.pdf(x), rtol=1e-12)


def test_the_spellings_our_scipy_messages_suggest_work():
    special = pytest.importorskip("scipy.special")
    stats = pytest.importorskip("scipy.stats")
    x = np.array([0.5, 1.5])
    n = 1
    # polygamma(n, x) = (-1)^(n+1) n! zeta(n+1, x); its derivative is polygamma(n+1, x)
    g = dg.gradient(lambda x: np.sum((-1.0) ** (n + 1) * special.gamma(n + 1.0)
                                     * special.zeta(n + 1.0, x)), x)
    np.testing.assert_allclose(g, special.polygamma(n + 1, x), rtol=1e-12)
    # d/dx ndtr((x - loc) / scale) = norm.pdf(x, loc, scale)
    g = dg.gradient(lambda x: np.sum(special.ndtr((x - 0.5) / 2.0)), x)
    np.testing.assert_allclose(g, stats.norm.pdf(x, 0.5, 2.0), rtol=1e-12)
    # d/dx logsumexp = softmax
    g = dg.gradient(lambda x: (lambda m: m + np.log(np.sum(np.exp(x - m))))(np.max(x)), x)
    np.testing.assert_allclose(g, special.softmax(x), rtol=1e-12)
    # d/da multigammaln(a, 2) = digamma(a) + digamma(a - 1/2)
    a = 3.5
    g = dg.derivative(lambda a: 2 * (2 - 1) / 4 * np.log(np.pi)
                      + sum(special.gammaln(a - j / 2) for j in range(2)), a)
    np.testing.assert_allclose(g, special.digamma(a) + special.digamma(a - 0.5), rtol=1e-12)


def _iir(b, a, x):
    """The recursion the lfilter message spells out, the y[n] in a list."""
    y = []
    for n in range(len(x)):
        acc = sum(b[k] * x[n - k] for k in range(len(b)) if n - k >= 0)
        acc = acc - sum(a[k] * y[n - k] for k in range(1, len(a)) if n - k >= 0)
        y.append(acc / a[0])
    return np.stack(y)


def test_scipy_spellings_for_fits_are_named_and_agree_with_scipy():
    """user22: cho_factor / cholesky / t.logpdf / uniform.pdf / lfilter named only the
    generic fix; each message now names a NumPy spelling, which gives SciPy's values
    and derivatives that agree with central differences."""
    sl = pytest.importorskip("scipy.linalg")
    stats = pytest.importorskip("scipy.stats")
    signal = pytest.importorskip("scipy.signal")
    special = pytest.importorskip("scipy.special")
    A = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    x = np.array([0.3, -0.4, 0.9])
    df, loc, scale = 3.5, 0.2, 1.7
    cases = {
        "scipy.linalg.cho_factor": (lambda p: sl.cho_factor(A * p[0])[0].sum(),
                                    lambda p: np.linalg.cholesky(A * p[0]).sum(),
                                    lambda p: np.tril(sl.cho_factor(A * p[0], lower=True)[0])
                                    .sum()),
        "scipy.linalg.cholesky": (lambda p: sl.cholesky(A * p[0]).sum(),
                                  lambda p: np.linalg.cholesky((A * p[0]).T).T.sum(),
                                  lambda p: sl.cholesky(A * p[0]).sum()),
        "scipy.stats.t.logpdf": (
            lambda p: stats.t.logpdf(p, df, loc, scale).sum(),
            lambda p: np.sum(special.gammaln((df + 1) / 2) - special.gammaln(df / 2)
                             - 0.5 * np.log(df * np.pi) - np.log(scale) - (df + 1) / 2
                             * np.log1p(((p - loc) / scale) ** 2 / df)),
            lambda p: stats.t.logpdf(p, df, loc, scale).sum()),
        "scipy.stats.uniform.pdf": (
            lambda p: stats.uniform.pdf(x, p[0] - 2.0, 3.0 * p[1] ** 2).sum(),
            lambda p: np.sum(np.where((x >= p[0] - 2.0) & (x <= p[0] - 2.0 + 3.0 * p[1] ** 2),
                                      1.0 / (3.0 * p[1] ** 2), 0.0)),
            lambda p: stats.uniform.pdf(x, p[0] - 2.0, 3.0 * p[1] ** 2).sum()),
        "scipy.signal.lfilter": (                        # IIR: SciPy refuses the duals
            lambda p: signal.lfilter([p[0], 0.5], [2.0, p[1]], np.arange(6.0)).sum(),
            lambda p: np.sum(_iir([p[0], 0.5], [2.0, p[1]], np.arange(6.0))),
            lambda p: signal.lfilter([p[0], 0.5], [2.0, p[1]], np.arange(6.0)).sum()),
    }
    p0 = np.array([1.3, 0.8, 0.4])
    for name, (scipy_f, spelled, floats) in cases.items():
        with pytest.raises(TypeError, match=name + r".*Fix: (use dualgrad\.scipy\.linalg\."
                                                   r"\w+ \(same signature.*; or |use "
                                                   r"dualgrad\.scipy\.stats\.[\w.]+ \(SciPy's "
                                                   r"signature.*; or )?write that step as"):
            dg.gradient(scipy_f, p0)
        assert np.isclose(spelled(p0), floats(p0), rtol=1e-13)
        np.testing.assert_allclose(dg.gradient(spelled, p0), central(floats, p0),
                                   rtol=1e-7, atol=1e-9)


def test_multivariate_normal_and_scipy_linalg_name_themselves_and_numpy_spellings():
    """user24: scipy.stats.multivariate_normal.logpdf was named "scipy.stats.logpdf"
    with no spelling, and scipy.linalg.eigh / qr / pinv / lu named none; each message
    now names the function and a NumPy spelling, which gives SciPy's values and
    derivatives that agree with central differences."""
    sl = pytest.importorskip("scipy.linalg")
    stats = pytest.importorskip("scipy.stats")
    S0 = np.array([[2.0, 0.3], [0.3, 1.0]])
    r, m = np.array([0.4, -0.2]), np.array([0.1, 0.3])
    A = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])

    def mvn_spelled(p):
        cov, d = S0 * p[0], r * p[1] - m
        return -0.5 * (d @ np.linalg.solve(cov, d) + np.linalg.slogdet(cov)[1] +
                       len(d) * np.log(2 * np.pi))
    mvn = stats.multivariate_normal
    cases = {
        r"scipy\.stats\.multivariate_normal\.logpdf": (
            lambda p: mvn.logpdf(r * p[1], mean=m, cov=S0 * p[0]), mvn_spelled,
            lambda p: mvn.logpdf(r * p[1], mean=m, cov=S0 * p[0])),
        r"scipy\.stats\.multivariate_normal\(\.\.\.\)\.logpdf.*mean and cov": (
            lambda p: mvn(m, S0).logpdf(r * p[1]) + 0 * p[0],
            lambda p: mvn_spelled(np.stack([1.0 + 0 * p[0], p[1]])),
            lambda p: mvn(m, S0).logpdf(r * p[1])),
        r"scipy\.linalg\.eigh.*np\.linalg\.eigh\(a\)": (
            lambda p: sl.eigh(A * p[0] + np.diag(p))[1][:, 0].sum() ** 2,
            lambda p: np.linalg.eigh(A * p[0] + np.diag(p))[1][:, 0].sum() ** 2,
            lambda p: sl.eigh(A * p[0] + np.diag(p))[1][:, 0].sum() ** 2),
        r"scipy\.linalg\.qr.*np\.linalg\.qr\(a, mode='complete'\)": (
            lambda p: np.sum(sl.qr(A * p)[1] ** 3),
            lambda p: np.sum(np.linalg.qr(A * p, mode="complete")[1] ** 3),
            lambda p: np.sum(sl.qr(A * p)[1] ** 3)),
        r"scipy\.linalg\.pinv.*np\.linalg\.pinv\(a\)": (
            lambda p: np.sum(sl.pinv(A[:, :2] * p[:2]) ** 2),
            lambda p: np.sum(np.linalg.pinv(A[:, :2] * p[:2]) ** 2),
            lambda p: np.sum(sl.pinv(A[:, :2] * p[:2]) ** 2)),
        r"scipy\.linalg\.lu .*np\.linalg\.solve\(a, b\).*np\.linalg\.slogdet": (
            lambda p: np.prod(np.diag(sl.lu(A * p)[2])),
            lambda p: np.linalg.det(A * p),
            lambda p: np.linalg.det(A * p)),
    }
    p0 = np.array([1.3, 0.8, 0.4])
    for name, (scipy_f, spelled, floats) in cases.items():
        with pytest.raises(TypeError, match=name + r".*"):
            dg.gradient(scipy_f, p0)
        assert np.isclose(spelled(p0), floats(p0), rtol=1e-13)
        assert np.isclose(scipy_f(p0), floats(p0), rtol=1e-13) or "lu" in name
        np.testing.assert_allclose(dg.gradient(spelled, p0), central(floats, p0),
                                   rtol=1e-7, atol=1e-9)


def test_object_arrays_of_scalar_duals_get_messages_naming_where_they_were_made():
    """user24: np.gradient of np.array([a, b, c]) reported storing into np.zeros(n),
    which the user never wrote; np.linalg.inv of the filterpy book's
    np.array([[a / d, 0., b / d]]) did not say that np.array made the object array.
    Both now say so and name np.stack / np.block, whose spellings are exact."""
    p0 = np.array([0.3, -1.1, 2.0])
    with pytest.raises(TypeError, match=r"np\.gradient received an object array of "
                                        r"scalar duals.*np\.stack\(\[a, b, c\]\)"):
        dg.jacobian(lambda p: np.gradient(np.array([p[0], p[1] ** 2, p[2]])), p0)
    f = lambda p: np.gradient(np.stack([p[0], p[1] ** 2, p[2]]))
    np.testing.assert_allclose(dg.jacobian(f, p0), central(f, p0), rtol=1e-7, atol=1e-9)

    def precision(x, build):
        d = np.sqrt(x[0] ** 2 + x[2] ** 2)
        H = build([[x[0] / d, 0.0, x[2] / d]])
        return np.linalg.inv(H @ np.eye(3) @ H.T * 50 + 25)[0, 0]
    x0 = np.array([100.0, 90.0, 1000.0])
    with pytest.raises(TypeError, match=r"np\.linalg\.inv received .*np\.array of a "
                                        r"\(nested\) list of scalar duals.*np\.block"):
        dg.gradient(lambda x: precision(x, np.array), x0)
    np.testing.assert_allclose(dg.gradient(lambda x: precision(x, np.block), x0),
                               central(lambda x: precision(x, np.array), x0),
                               rtol=1e-7, atol=1e-13)


def _lfilter_zi(b, a, x, zi):
    """The state-space recursion the lfilter message spells out for zi=."""
    m = max(len(a), len(b))
    b = [b[k] / a[0] if k < len(b) else 0.0 for k in range(m)]
    a = [a[k] / a[0] if k < len(a) else 0.0 for k in range(m)]
    z, y = list(zi), []
    for n in range(len(x)):
        y_n = b[0] * x[n] + z[0]
        for k in range(m - 1):
            z[k] = b[k + 1] * x[n] + (z[k + 1] if k + 1 < m - 1 else 0.0) - a[k + 1] * y_n
        y.append(y_n)
    return np.stack(y), np.stack(z)


def test_the_cholesky_and_lfilter_spellings_read_what_scipy_reads():
    """attack26 item 7: np.linalg.cholesky(a).T read a's lower triangle where SciPy's
    default upper factor reads the upper one (an a with only its upper triangle filled
    gave other numbers), and the lfilter message dropped zi=.  The spellings now named
    agree with SciPy on floats, and their derivatives with central differences."""
    sl = pytest.importorskip("scipy.linalg")
    signal = pytest.importorskip("scipy.signal")
    up = np.triu(np.array([[4.0, 1.0, 0.5], [9.0, 3.0, 0.2], [7.0, -5.0, 2.0]]))
    with pytest.raises(TypeError, match=r"cholesky.*np\.linalg\.cholesky\(a\.T\)\.T for "
                                        r"SciPy's default upper factor"):
        dg.gradient(lambda p: sl.cholesky(up * p[0]).sum(), np.array([1.0]))
    with pytest.raises(TypeError, match=r"cho_factor.*np\.linalg\.cholesky\(a\.T\)\.T"):
        dg.gradient(lambda p: sl.cho_factor(up * p[0])[0].sum(), np.array([1.0]))
    np.testing.assert_allclose(np.linalg.cholesky(up.T).T, sl.cholesky(up), rtol=1e-14)
    assert not np.allclose(np.linalg.cholesky(up).T, sl.cholesky(up))   # the old advice
    np.testing.assert_allclose(np.triu(np.linalg.cholesky(up.T).T),
                               np.triu(sl.cho_factor(up)[0]), rtol=1e-14)
    scaled = lambda p: up * p                  # noqa: E731  (column j times p[j])
    p0 = np.array([1.3, 0.8, 0.6])
    np.testing.assert_allclose(
        dg.jacobian(lambda p: np.linalg.cholesky(scaled(p).T).T.ravel(), p0),
        central(lambda p: sl.cholesky(scaled(p)).ravel(), p0), rtol=1e-7, atol=1e-9)
    hup = np.triu(np.array([[4.0, 1.0 + 0.5j, 0.5j], [0, 3.0, 0.2 - 1j], [0, 0, 2.0]]))
    np.testing.assert_allclose(np.linalg.cholesky(hup.conj().T).conj().T, sl.cholesky(hup),
                               rtol=1e-14)
    # lfilter with an initial state: the message's recursion carries it
    b, a, x, zi = [0.5, 0.3, 0.1], [2.0, -0.4], np.sin(np.arange(7.0)), [0.3, -0.2]
    with pytest.raises(TypeError, match=r"lfilter.*carries zi.*the final z is lfilter's zf"):
        dg.gradient(lambda p: signal.lfilter([p[0], 0.3, 0.1], a, x, zi=zi)[0].sum(),
                    np.array([0.5]))
    y, zf = _lfilter_zi(b, a, x, zi)
    y_s, zf_s = signal.lfilter(b, a, x, zi=zi)
    np.testing.assert_allclose(y, y_s, rtol=1e-13)
    np.testing.assert_allclose(zf, zf_s, rtol=1e-13)
    q0 = np.array([0.5, -0.4, 0.3])
    np.testing.assert_allclose(
        dg.jacobian(lambda q: _lfilter_zi([q[0], 0.3, 0.1], [2.0, q[1]], x, [q[2], -0.2])[0],
                    q0),
        central(lambda q: signal.lfilter([q[0], 0.3, 0.1], [2.0, q[1]], x,
                                         zi=[q[2], -0.2])[0], q0), rtol=1e-7, atol=1e-9)


def test_other_errors_inside_scipy_are_left_alone():
    special = pytest.importorskip("scipy.special")
    with pytest.raises(TypeError) as info:
        dg.gradient(lambda x: special.logsumexp(x, axis="bad"), np.ones(2))
    assert "np.asarray" not in str(info.value)


def _stores():
    def item(x):
        out = np.zeros(2)
        out[0] = x[0]
        return out

    def item32(x):
        out = np.zeros(2, dtype=np.float32)
        out[1] = x[1] * 2.0
        return out

    def whole(x):
        out = np.empty(2)
        out[:] = x
        return out

    def whole32(x):
        out = np.zeros(2, dtype=np.float32)
        out[...] = np.sin(x)
        return out

    def item2d(x):
        out = np.zeros((2, 1))
        out[0, 0] = x[0]
        return out

    def from_list(x):
        out = np.array([0.0, 0.0])
        out[1] = x[1]
        return out

    def copyto(x):
        out = np.empty(2)
        np.copyto(out, x)
        return out

    def out_kw(x):
        out = np.zeros(2)
        np.multiply(x, 2.0, out=out)
        return out

    def complex_item(x):
        out = np.zeros(2, dtype=complex)
        out[0] = x[0]
        return out
    return [item, item32, whole, whole32, item2d, from_list, copyto, out_kw, complex_item]


@pytest.mark.parametrize("store", _stores(), ids=lambda f: f.__name__)
def test_one_buffer_message_however_the_value_is_stored(store):
    """issue 12: the same buffer mistake got three different messages."""
    with pytest.raises(TypeError) as info:
        dg.jacobian(store, np.ones(2))
    exc = info.value if isinstance(info.value, dg.DualTypeError) else info.value.__cause__
    # one message under the helper's name; a float32 buffer's adds one sentence naming
    # its dtype, a complex buffer's one naming dtype=complex (user25); an item or slice
    # store names the buffer first and, where its np.zeros line is known, the
    # np.zeros_like line to write instead (msgs42), as np.copyto and out= do (misc44)
    text, general = str(exc), str(errors.store_into_plain()).removeprefix("dualgrad: ")
    assert text.startswith("dualgrad.jacobian: ")
    specific = re.match(r"dualgrad\.jacobian: (out\[.*?\] = \.\.\.|np\.copyto\(out, \.\.\.\)|"
                        r"np\.multiply\(\.\.\., out=out\)) stores a dual number "
                        r"into out, a plain NumPy array \((float64|float32|complex128), "
                        r"shape \(2,( 1)?\)", text)
    if specific is None:
        assert general.removesuffix(".") in text
        assert "np.zeros_like(x, shape=(n,))" in text and "like=x" not in text
    elif store.__name__ == "from_list":      # np.array of numbers: kept (user69's NRTL)
        assert "Fix: keep its numbers, held as duals: add out = out + " \
            "np.zeros_like(x, shape=out.shape) after line" in text
    else:
        assert "Fix: make it out = np.zeros_like(x, shape=" in text
    assert "buffer is float32" in text or "32" not in store.__name__
    assert "dtype=complex" in text or store.__name__ != "complex_item"


def test_the_buffer_advice_works_on_duals_floats_and_python_scalars():
    def f(x):
        out = np.zeros_like(x, shape=(3,))
        out[0] = 2.0 * np.sum(x)
        out[2] = np.sum(x) ** 2
        return out
    np.testing.assert_array_equal(f(1.5), [3.0, 0.0, 2.25])            # a Python float
    np.testing.assert_array_equal(f(np.float64(1.5)), [3.0, 0.0, 2.25])
    np.testing.assert_array_equal(f(np.array([1.0, 0.5])), [3.0, 0.0, 2.25])
    np.testing.assert_array_equal(dg.derivative(f, 1.5), [2.0, 0.0, 3.0])
    np.testing.assert_array_equal(dg.jacobian(f, [1.0, 0.5]),
                                  [[2.0, 2.0], [0.0, 0.0], [3.0, 3.0]])
    np.testing.assert_array_equal(dg.hessian(lambda x: np.sum(f(x)), [1.0, 0.5]),
                                  np.full((2, 2), 2.0))
    with pytest.raises(TypeError):                  # what the old advice gave on floats
        np.zeros(3, like=1.5)


def test_explicit_conversions_keep_their_own_message():
    for convert in (float, lambda d: np.float64(d), lambda d: __import__("math").sin(d)):
        with pytest.raises(TypeError, match=r"float\(d\)"):
            dg.derivative(convert, 1.0)


@pytest.mark.parametrize("store", ["item", "slice", "copyto"])
def test_a_complex_dual_stored_into_a_real_dual_buffer_names_the_complex_buffer(store):
    """It raised NumPy's "float() argument must be ... not 'complex'"."""
    def f(x):
        y = np.zeros_like(x)
        z = x * (1.0 + 1.0j)
        if store == "item":
            y[0] = z[0]
        elif store == "slice":
            y[1:] = z[1:]
        else:
            np.copyto(y, z)
        return np.sum(y)
    with pytest.raises(TypeError, match=r"complex dual number into a real.*"
                                        r"np\.zeros_like\(x, dtype=complex\)"):
        dg.gradient(f, np.ones(3))


def test_jvp_with_a_complex_tangent_blames_v_not_x():
    with pytest.raises(TypeError, match=r"real tangent v.*jvp\(f, x, v\.real\)") as exc:
        dg.jvp(lambda x: np.sum(x * x), np.ones(3), np.ones(3) + 1j)
    assert "expected real x" not in str(exc.value)
    with pytest.raises(TypeError, match=r"expected real x"):
        dg.jvp(lambda x: np.sum(x * x), np.ones(3) + 1j, np.ones(3))


def test_the_jvp_spelling_for_a_complex_tangent_is_right():
    f = lambda x: np.sin(x) * x[0]                                     # noqa: E731
    x, v = np.array([0.3, 1.1]), np.array([1.0 + 2.0j, -0.5 + 0.25j])
    got = dg.jvp(f, x, v.real)[1] + 1j * dg.jvp(f, x, v.imag)[1]
    np.testing.assert_allclose(got, dg.jacobian(f, x) @ v, rtol=1e-14)


@pytest.mark.parametrize("call, fix", [
    (lambda z: dg.elementwise_grad(lambda z: z ** 2)(z), "holomorphic=True\\)"),
    (lambda z: dg.approx_fprime(z, lambda z: np.sum(z ** 2)), "holomorphic=True\\)"),
    (lambda z: dg.hessian(lambda z: np.sum(z ** 2), z, sparsity="auto"),
     "drop sparsity= and pass holomorphic=True")])
def test_complex_x_where_holomorphic_is_not_an_option_says_what_is(call, fix):
    # The fix offered must be one the caller can take: these helpers have no
    # holomorphic= (a sparse Hessian refuses it), so "pass holomorphic=True" looped.
    # (dg.sparsity and a sparse dg.jacobian take holomorphic=True since cplx51:
    # test_sparsity_complex51.py follows their message.)
    with pytest.raises(TypeError, match="takes real x only.*" + fix):
        call(np.array([1j, 2.0]))


def test_an_object_array_written_into_a_float_buffer_names_both_fixes():
    """``force[i] -= np.array([d1, d2])`` (numpy-benchmarks' wave.py, a new user's
    report): NumPy computes the object array itself and raised its own
    UFuncTypeError; now dualgrad's TypeError naming np.stack and the buffer, and
    the code written as it says gives the closed form."""
    def f(x):
        force = np.zeros((3, 2))
        fvec = np.array([x[0] * x[1], np.sin(x[0])])
        force[1] -= fvec
        return force.ravel()

    with pytest.raises(TypeError, match=r"np\.subtract.*np\.stack\(\[d1, d2\]\).*"
                                        r"np\.zeros_like\(x"):
        dg.jacobian(f, np.array([0.5, 2.0]))

    def fixed(x):
        force = np.zeros_like(x, shape=(3, 2))
        fvec = np.stack([x[0] * x[1], np.sin(x[0])])
        force[1] -= fvec
        return force.ravel()
    J = dg.jacobian(fixed, np.array([0.5, 2.0]))
    want = np.zeros((6, 2))
    want[2] = [-2.0, -0.5]
    want[3] = [-np.cos(0.5), 0.0]
    np.testing.assert_allclose(J, want, rtol=1e-15)


@pytest.mark.parametrize("write", ["in place", "slice", "copyto"])
def test_a_float32_buffer_is_named_as_such(write):
    """np.zeros_like(x, dtype=np.float32) is a plain array (no dual array is float32):
    the store message said to use np.zeros_like(x, ...) and the user, who had, got it
    again (numpy-benchmarks' grayscott); now it names the dtype and says to leave
    dtype= out, and a float64 buffer gives the closed form."""
    def f(p, dtype=np.float32):
        U = np.zeros_like(p, shape=(4, 4), dtype=dtype)
        if write == "in place":
            U[1:-1, 1:-1] += p[0] * p[1]
        elif write == "slice":
            U[1:-1, 1:-1] = p[0] * p[1] * np.ones((2, 2))
        else:
            np.copyto(U[1:-1, 1:-1], p[0] * p[1] * np.ones((2, 2)))
        return U.ravel()

    with pytest.raises(TypeError, match=r"This buffer is float32.*leave dtype= out"):
        dg.jacobian(f, np.array([2.0, 3.0]))
    J = dg.jacobian(lambda p: f(p, None), np.array([2.0, 3.0]))
    inner = np.zeros((4, 4), bool)
    inner[1:-1, 1:-1] = True
    want = np.zeros((16, 2))
    want[inner.ravel()] = [3.0, 2.0]
    np.testing.assert_array_equal(J, want)


def test_a_large_dual_made_an_object_array_warns_at_the_users_line():
    import warnings
    x = np.linspace(0.0, 1.0, dg.errors.OBJECT_WARN_SIZE)

    def f(v):
        v = np.asarray(v)                  # the user's line: an object array of scalar duals
        return np.sum(v * v)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = dg.gradient(f, x)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-15)      # exact all the same
    hits = [w for w in caught if issubclass(w.category, dg.ObjectArrayWarning)]
    assert hits and all(w.filename == __file__ for w in hits)   # (a warning per pass of f)
    assert "A.dot(d)" in str(hits[0].message) and "np.dot(A, d)" in str(hits[0].message)


def test_a_library_made_object_array_warns_without_the_users_advice():
    """user22: scipy.linalg.cho_factor on a large dual matrix warned "write np.dot(A, d)
    for A.dot(d)" before its real error: the conversion is the library's, the advice
    not the user's to take.  The warning names the library; SciPy's rosen, which
    computes on the object array, keeps its exact gradient."""
    import warnings
    so = pytest.importorskip("scipy.optimize")
    sl = pytest.importorskip("scipy.linalg")
    x = np.linspace(-1.0, 1.0, dg.errors.OBJECT_WARN_SIZE + 5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = dg.gradient(so.rosen, x)
        with pytest.raises(TypeError, match="scipy.linalg.cho_factor"):
            dg.gradient(lambda p: sl.cho_factor(np.outer(p, p) + np.eye(p.size))[0].sum(),
                        x[:40])
    np.testing.assert_allclose(g, so.rosen_der(x), rtol=1e-13)
    hits = [str(w.message) for w in caught if issubclass(w.category, dg.ObjectArrayWarning)]
    assert len(hits) >= 2
    assert all("a scipy function f calls" in m and "A.dot(d)" not in m for m in hits)


def test_a_small_dual_made_an_object_array_does_not_warn():
    import warnings
    x = np.linspace(0.0, 1.0, dg.errors.OBJECT_WARN_SIZE - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", dg.ObjectArrayWarning)
        g = dg.gradient(lambda v: np.sum(np.asarray(v) ** 2), x)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-15)


def test_a_helper_given_a_solvers_arguments_names_the_wrapper_it_needs():
    # solve_ivp(jac=dg.jacobian) calls dg.jacobian(t, y): t is no function
    with pytest.raises(TypeError) as info:
        dg.jacobian(0.0, np.ones(2))
    message = str(info.value)
    assert "dualgrad.jacobian" in message and "callable f" in message
    assert "lambda t, y: dg.jacobian(rhs, t, y, argnums=1)" in message
    with pytest.raises(TypeError, match=r"dg\.approx_fprime\(x, f\)"):
        dg.approx_fprime(np.ones(2), 3.0)
    with pytest.raises(TypeError, match=r"dg\.grad\(f\)\(x\)"):
        dg.grad(3.0)


def _step(t, k, t0):
    # a branch on a value, written for np.vectorize: the early branch is a plain 0.0
    return 0.0 if t < t0 else 1.0 - np.exp(-k * (t - t0))


def test_np_vectorize_with_a_plain_first_result_names_otypes():
    t = np.linspace(0.0, 5.0, 50)
    with pytest.raises(TypeError, match=r"np\.vectorize.*otypes=\[object\].*np\.where"):
        dg.jacobian(lambda q: np.vectorize(_step)(t, *q), np.array([1.3, 0.7]))
    # the fix the message names gives the analytic derivative
    q = np.array([1.3, 0.7])
    J = dg.jacobian(lambda q: np.vectorize(_step, otypes=[object])(t, *q), q)
    late = t >= q[1]
    e = np.exp(-q[0] * (t - q[1]))
    assert np.allclose(J[:, 0], np.where(late, (t - q[1]) * e, 0.0), rtol=1e-14, atol=0)
    assert np.allclose(J[:, 1], np.where(late, -q[0] * e, 0.0), rtol=1e-14, atol=0)


def test_np_piecewise_of_a_plain_grid_names_np_where():
    xs = np.linspace(0.1, 10.0, 40)

    def broken_power_law(x, a, xb, g1, g2):
        return np.piecewise(x, [x < xb, x >= xb],
                            [lambda x: a * (x / xb) ** g1, lambda x: a * (x / xb) ** g2])

    with pytest.raises(TypeError, match=r"np\.piecewise.*np\.where\(cond"):
        dg.jacobian(lambda q: broken_power_law(xs, *q), np.array([2.0, 3.05, -1.0, -2.5]))


def test_the_general_messages_stay_where_no_numpy_builder_runs():
    with pytest.raises(TypeError) as e:
        dg.gradient(lambda v: float(v[0]), np.array([1.0, 2.0]))
    assert "vectorize" not in str(e.value) and "math.sin" in str(e.value)

    def fill(v):
        out = np.zeros(2)
        out[0] = v[0]
        return out

    with pytest.raises(TypeError) as e:
        dg.jacobian(fill, np.array([1.0, 2.0]))
    assert "piecewise" not in str(e.value) and "np.zeros_like(v, shape=2)" in str(e.value)


def test_updating_a_plain_state_names_rebinding():
    def step(p):
        vel = np.ones(3)
        vel += p[0] * np.arange(3.0)
        return np.sum(vel ** 2)

    # userml48: the user's own statement and names, not "a += d"
    with pytest.raises(TypeError, match=r"^dualgrad\.gradient: vel \+= p\[0\] \* "
                       r"np\.arange\(3\.0\) \(line \d+ in step of .*; vel made at line "
                       r"\d+: vel = np\.ones\(3\)\) updates vel, a plain NumPy array"
                       r".*rebind the name instead, vel = vel \+ p\[0\] \* np\.arange\(3\.0\)"):
        dg.gradient(step, np.array([0.5]))

    def rebound(p):                      # the spelling the message gives
        vel = np.ones(3)
        vel = vel + p[0] * np.arange(3.0)
        return np.sum(vel ** 2)

    assert np.allclose(dg.gradient(rebound, np.array([0.5])),
                       [np.sum(2 * (1 + 0.5 * np.arange(3.0)) * np.arange(3.0))], rtol=1e-15)


def test_integers_made_of_duals_name_the_value():
    for f in (lambda s: np.floor(s * np.linspace(0, 1, 5)).astype(int),
              lambda s: np.ones(int(np.ceil(s / 0.1))), lambda s: round(s),
              lambda s: math.floor(s)):
        with pytest.raises(TypeError, match=r"makes an integer of a dual.*dg\.stop_gradient\(s\)"):
            dg.gradient(lambda s: np.sum(f(s)), 3.3)
    with pytest.raises(TypeError, match="narrowing cast"):    # not an integer: says what
        dg.jacobian(lambda s: s.astype(np.float32), np.ones(2))


def test_bincount_of_dual_weights_agrees_with_the_add_at_spelling():
    """np.bincount raised naming np.add.at; it now sums dual weights itself (user24)."""
    idx = np.array([0, 1, 1, 3])
    assert np.isclose(dg.gradient(lambda w: np.sum(np.bincount(idx, weights=w * np.ones(4))
                                                   ** 2), 0.7), 2 * 0.7 * (1 + 4 + 1),
                      rtol=1e-15)

    def deposit(w):
        w = w * np.ones(4)
        out = np.zeros_like(w, shape=(idx.max() + 1,))
        np.add.at(out, idx, w)
        return np.sum(out ** 2)

    assert np.isclose(dg.gradient(deposit, 0.7), 2 * 0.7 * (1 + 4 + 1), rtol=1e-15)


def test_scipy_fft_names_np_fft():
    fft = pytest.importorskip("scipy.fft")
    with pytest.raises(TypeError, match=r"scipy\.fft\.rfft .*write that step as np\.fft\.rfft"):
        dg.jacobian(lambda x: np.abs(fft.rfft(x)), np.arange(4.0))


def test_a_dropped_derivative_inside_a_vectorized_function_gets_the_general_fix():
    x = np.array([0.5, 1.5, 2.5])
    for otypes in (None, [object]):      # the user's own math.sin: not np.vectorize's doing
        with pytest.raises(TypeError) as e:
            dg.elementwise_grad(lambda x: np.vectorize(lambda t: math.sin(t), otypes=otypes)(x))(x)
        # the advice, not the user's own line the message quotes (user44), names no otypes
        advice = re.sub(r"\(at line \d+ of [^:)]*(: `.*?`)?\)", "", str(e.value))
        assert advice != str(e.value)
        assert "otypes" not in advice and "np.sin" in advice


def test_piecewise_of_a_dual_matches_np_select_and_the_closed_form():
    # np.piecewise of a dual x is supported since newuser57 (it was refused naming this
    # np.select spelling): both give the closed form
    x = np.array([0.5, 1.5, 2.5])
    g = dg.elementwise_grad(lambda x: np.piecewise(x, [x < 1, x >= 1], [np.sin, np.exp]))(x)
    assert np.allclose(g, np.where(x < 1, np.cos(x), np.exp(x)), rtol=1e-15)
    g = dg.elementwise_grad(lambda x: np.select([x < 1, x >= 1], [np.sin(x), np.exp(x)]))(x)
    assert np.allclose(g, np.where(x < 1, np.cos(x), np.exp(x)), rtol=1e-15)


def _guarded(x):
    """A fit's guard: any failure is a penalty (math.exp of a dual raises inside)."""
    try:
        return math.exp(x[0]) + x[1]
    except Exception:                          # noqa: BLE001
        return 1e10


def _guarded_scalar(t):
    try:
        return math.sin(t)
    except Exception:                          # noqa: BLE001
        return 0.0


def _guarded_elementwise(x):
    try:
        return np.array([math.sin(v) for v in x])
    except Exception:                          # noqa: BLE001
        return np.zeros(len(x))


SWALLOWING = {
    "gradient": lambda: dg.gradient(_guarded, np.array([0.5, 2.0])),
    "jacobian": lambda: dg.jacobian(_guarded, np.array([0.5, 2.0])),
    "hessian": lambda: dg.hessian(_guarded, np.array([0.5, 2.0])),
    "grad": lambda: dg.grad(_guarded)(np.array([0.5, 2.0])),
    "value_and_grad": lambda: dg.value_and_grad(_guarded)(np.array([0.5, 2.0])),
    "approx_fprime": lambda: dg.approx_fprime(np.array([0.5, 2.0]), _guarded),
    "jvp": lambda: dg.jvp(_guarded, np.array([0.5, 2.0]), np.array([1.0, 0.0])),
    "jacfwd": lambda: dg.jacfwd(_guarded)(np.array([0.5, 2.0])),
    "derivative": lambda: dg.derivative(_guarded_scalar, 0.5),
    "elementwise_grad": lambda: dg.elementwise_grad(_guarded_elementwise)(np.linspace(0, 1, 5)),
    "sparse jacobian": lambda: dg.jacobian(_guarded, np.array([0.5, 2.0]),
                                           sparsity=np.ones((1, 2), dtype=bool)),
}


@pytest.mark.parametrize("helper", sorted(SWALLOWING))
def test_an_error_f_swallows_is_not_a_zero_derivative(helper):
    """``try: ... except Exception: return 1e10`` around code dualgrad refuses (a new
    user's SIR fit around solve_ivp): every helper returned a derivative of 0 for a
    function whose float value is not 1e10 (minimize then stopped at once, "success").
    The helper raises instead, quoting the error f caught."""
    assert _guarded(np.array([0.5, 2.0])) != 1e10           # the float run takes no penalty
    with pytest.raises(TypeError, match=r"(?s)f returned a result without derivatives after "
                                        r"an error dualgrad raised.*Fix: let the error through"
                                        r".*caught was DualTypeError: .*math"):
        SWALLOWING[helper]()


def test_errors_dualgrad_handles_itself_or_f_recovers_from_are_not_flagged():
    """The rule needs a result without derivatives: f that catches dualgrad's error and
    goes on with duals keeps its derivatives (checked against the analytic one; it
    warns, as f's except branch might have lost a term: attack25); a constant f with
    no error inside is a derivative of 0; attribute probes (hasattr) and the errors of
    another thread's own helper call do not count."""
    def recovers(x):
        try:
            return math.exp(x[0]) * x[1]
        except TypeError:
            return np.exp(x[0]) * x[1]
    x = np.array([0.5, 2.0])
    with pytest.warns(dg.CaughtErrorWarning) as record:
        g = dg.gradient(recovers, x)
    np.testing.assert_allclose(g, [np.exp(0.5) * 2.0, np.exp(0.5)], rtol=1e-15)
    # user42: the warning named a line of dualgrad/api/helpers.py; it names the caller's
    assert {w.filename for w in record} == {__file__}, [w.filename for w in record]
    for call in (dg.jacobian, dg.value_and_grad(recovers), dg.grad(recovers)):
        with pytest.warns(dg.CaughtErrorWarning) as record:
            call(recovers, x) if call is dg.jacobian else call(x)
        assert {w.filename for w in record} == {__file__}, [w.filename for w in record]

    def probes(x):
        hasattr(x[0], "ctypes"), hasattr(x, "ctypes")
        return 3.0
    assert hasattr(dg.Dual(1.0, [1.0]), "nonexistent") is False
    np.testing.assert_array_equal(dg.gradient(probes, x), [0.0, 0.0])

    import threading

    def elsewhere():                     # its own call, which catches on purpose
        with pytest.warns(dg.CaughtErrorWarning):
            np.testing.assert_allclose(dg.gradient(recovers, x), g, rtol=1e-15)

    def constant(x):
        t = threading.Thread(target=elsewhere)
        t.start()
        t.join()
        return 3.0
    np.testing.assert_array_equal(dg.gradient(constant, x), [0.0, 0.0])

    def stores(x):                       # y[i] += d into a dual's buffer: handled inside
        y = x * 1.0
        y[0] += x[1]
        return np.sum(y)
    np.testing.assert_array_equal(dg.gradient(stores, x), [1.0, 2.0])


def test_interp1d_names_its_class_and_np_interp_which_works():
    """SciPy's interpolators convert with np.asarray in ``__init__``/``__call__``: the
    message named ``scipy.interpolate.__init__`` (a new user's report); it names the
    class, and for interp1d the NumPy spelling, which follows duals in the data and in
    the abscissa (against the slopes of the piecewise-linear interpolant)."""
    interpolate = pytest.importorskip("scipy.interpolate")
    xp = np.linspace(0.0, 1.0, 5)
    with pytest.raises(TypeError, match=r"scipy\.interpolate\.interp1d converts.*np\.interp"):
        dg.gradient(lambda fp: interpolate.interp1d(xp, fp)(0.3), np.arange(5.0))
    with pytest.raises(TypeError, match=r"scipy\.interpolate\.interp1d converts"):
        dg.derivative(lambda t: interpolate.interp1d(xp, xp ** 2)(t), 0.3)
    with pytest.raises(TypeError, match=r"scipy\.interpolate\.CubicSpline converts"):
        dg.gradient(lambda fp: interpolate.CubicSpline(xp, fp)(0.3), np.arange(5.0))
    # 0.3 lies between xp[1] = 0.25 and xp[2] = 0.5, a fifth of the way
    np.testing.assert_allclose(dg.gradient(lambda fp: np.interp(0.3, xp, fp), np.arange(5.0)),
                               [0.0, 0.8, 0.2, 0.0, 0.0], rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(dg.derivative(lambda t: np.interp(t, xp, xp ** 2), 0.3),
                               (0.25 - 0.0625) / 0.25, rtol=1e-15)


@pytest.mark.parametrize("helper", ["grad", "value_and_grad", "jacobian", "hessian", "jacfwd",
                                    "elementwise_grad"])
def test_empty_argnums_is_refused_by_name(helper):
    """``argnums=()`` names nothing to differentiate: grad and value_and_grad met a
    generated scalar class of no partials (a SyntaxError), the others returned ``()``
    (attack23; JAX refuses it too)."""
    calls = {"grad": lambda: dg.grad(lambda a: a * a, argnums=())(2.0),
             "value_and_grad": lambda: dg.value_and_grad(lambda a: a * a, argnums=())(2.0),
             "jacobian": lambda: dg.jacobian(lambda a: a * a, 2.0, argnums=()),
             "hessian": lambda: dg.hessian(lambda a: np.sum(a * a), np.ones(2), argnums=()),
             "jacfwd": lambda: dg.jacfwd(lambda a: a * a, argnums=())(2.0),
             "elementwise_grad": lambda: dg.elementwise_grad(lambda a: a * a,
                                                             argnums=())(np.ones(3))}
    with pytest.raises(ValueError, match=rf"dualgrad\.{helper}: expected argnums .*non-empty"
                                         r".*got argnums=\(\)\. Fix: name at least one"):
        calls[helper]()


def test_psi_of_complex_numbers_names_psi_not_zeta():
    """psi's derivative is the table's real trigamma; at a complex point the message
    named scipy.special.zeta, which the user never called (attack23)."""
    sc = pytest.importorskip("scipy.special")
    with pytest.raises(TypeError, match=r"scipy\.special\.psi of complex numbers"):
        dg.derivative(sc.psi, 1.5 + 2.0j, holomorphic=True)


@functools.lru_cache(maxsize=None)
def _cached_square(t):
    return t * t


CACHING = {
    "derivative": lambda: dg.derivative(lambda t: _cached_square(t), 0.5),
    "gradient": lambda: dg.gradient(lambda x: _cached_square(x[0]) + x[1], [0.5, 2.0]),
    "jacobian": lambda: dg.jacobian(lambda x: _cached_square(x), np.array([0.5, 2.0])),
    "hessian": lambda: dg.hessian(lambda x: _cached_square(x[0]), np.array([0.5, 2.0])),
    "grad": lambda: dg.grad(_cached_square)(0.5),
    "jvp": lambda: dg.jvp(_cached_square, np.array([0.5, 2.0]), np.array([1.0, 0.0])),
    "elementwise_grad": lambda: dg.elementwise_grad(_cached_square)(np.linspace(0, 1, 5)),
    "complex": lambda: dg.derivative(lambda t: _cached_square(t * 1j), 0.5),
}


@pytest.mark.parametrize("helper", sorted(CACHING))
def test_a_cache_keyed_on_a_dual_names_the_cache_and_the_fix(helper):
    """``functools.lru_cache`` on a function f calls raised Python's bare "unhashable
    type: 'ScalarDual1'" (a new user's report).  Duals stay unhashable (a cache would
    hand one call's derivatives to another: equal values, other partials); the error
    says so and names the fix, once (not again by an enclosing helper: hessian)."""
    with pytest.raises(TypeError) as e:
        CACHING[helper]()
    text = str(e.value)
    assert re.search(r"f hashed a dual number \(unhashable type: '\w*Dual\w*'\).*lru_cache"
                     r".*Fix: call the uncached function inside f", text), text
    assert text.count("f hashed a dual number") == 1
    assert not isinstance(dg.Dual(1.0, [1.0]), collections.abc.Hashable)
    x = np.array([0.5, 2.0])       # the fix works: the uncached function, exact
    np.testing.assert_array_equal(dg.gradient(lambda v: _cached_square.__wrapped__(v[0]), x),
                                  [1.0, 0.0])


def test_an_error_dualgrad_handles_is_told_by_its_number_not_its_address():
    """attack24: ``errors.handled`` compared ``id``s; the error f swallowed was freed
    and the TypeError ``numeric`` catches for complex entries took its address, so the
    record was wiped and f's 1e10 came back as a derivative of 0."""
    from dualgrad.dual._base import numeric
    w = np.array([1.0 + 0.5j, 2.0], dtype=object)

    def loss(x):
        try:
            v = math.exp(x[0]) + x[1]
        except Exception:                      # noqa: BLE001
            v = None
        for _ in range(20):                    # new TypeErrors, handled, at reused addresses
            numeric(w)
        return 1e10 if v is None else v
    with pytest.raises(TypeError, match="f returned a result without derivatives"):
        dg.gradient(loss, np.array([0.5, 2.0]))


def test_a_guard_around_a_library_refusing_object_arrays_is_not_a_zero_derivative():
    """attack24: a library that converts a dual array with np.asarray and refuses
    the object array (scipy.linalg.solve: "object arrays are not supported") raises
    its own error, which dualgrad only named at the helper's edge; caught inside f
    (``except Exception: return 1e10``) the gradient was 0 and minimize stopped at
    once.  The conversion is noted as an error is; f recovering with duals (SciPy's
    rosen computes on the object array) keeps its derivative."""
    sl = pytest.importorskip("scipy.linalg")
    so = pytest.importorskip("scipy.optimize")
    A = np.array([[3.0, 1.0], [1.0, 2.0]])

    def guarded(p):
        try:
            return np.sum(sl.solve(A * p[0], np.array([1.0, p[1]])) ** 2)
        except Exception:                      # noqa: BLE001
            return 1e10
    p0 = np.array([1.5, 2.0])
    assert guarded(p0) != 1e10
    with pytest.raises(TypeError, match=r"(?s)became a NumPy object array inside it.*"
                                        r"Fix: let the error through"):
        dg.gradient(guarded, p0)
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(dg.gradient(so.rosen, x), so.rosen_der(x), rtol=1e-14)


def test_constant_elements_beside_a_library_object_array_result_are_not_suspect():
    """A dual array made into an object array (SciPy's rosen) and returned beside
    constants (``[rosen(p), 0.0]``, a dict with a constant leaf) is correct code:
    the object array alone does not make the constant elements suspect, as a caught
    dualgrad error does (it raised at stop 35)."""
    so = pytest.importorskip("scipy.optimize")
    p0 = np.array([0.3, -0.7])
    want = so.rosen_der(p0)
    for box in (list, tuple, lambda r: np.array(r, dtype=object)):
        jac = dg.jacobian(lambda p: box([so.rosen(p), 0.0]), p0)
        np.testing.assert_allclose(jac, [want, [0.0, 0.0]], rtol=1e-14)
    tree = dg.jacobian(lambda p: {"f": so.rosen(p), "zero": np.zeros(3)}, p0)
    np.testing.assert_allclose(tree["f"], want, rtol=1e-14)
    np.testing.assert_array_equal(tree["zero"], np.zeros((3, 2)))
    for constant in (lambda: [1.0, 0.0], lambda: {"a": 1.0, "b": np.zeros(2)}):
        # a result without any derivatives after the library computed: a library may
        # compute and then refuse (scipy.stats, attack26), so it raises, naming the
        # spelling of a constant on purpose, which then works
        with pytest.raises(TypeError, match=r"c \+ 0\.0 \* p\[0\]"):
            dg.jacobian(lambda p: (so.rosen(p), constant())[1], p0)
    jac = dg.jacobian(lambda p: (so.rosen(p), [1.0 + 0.0 * p[0], 0.0])[1], p0)
    np.testing.assert_array_equal(jac, np.zeros((2, 2)))


def _refused(p):
    """A guarded term around a SciPy call that refuses the object array of a dual."""
    sl = pytest.importorskip("scipy.linalg")
    try:
        return sl.solve(np.array([[2.0, 1.0], [1.0, 3.0]]) * p[0], np.array([1.0, 2.0]) * p[1]).sum()
    except Exception:                          # noqa: BLE001
        return 1e3


def _guarded_exp(p):
    try:
        return math.exp(p[0]) * p[1]            # dualgrad's own error, caught
    except Exception:                          # noqa: BLE001
        return 1e3


def test_a_guarded_term_beside_others_warns_or_raises():
    """attack25: a data term plus a guarded penalty (``p0**2 + p1 + penalty(p)``) kept
    the data term's derivative and silently dropped the penalty's; a residual list
    ``[r0(p), guarded(p)]`` gave a zero row once an object array alone stopped making
    constants suspect.  An object array nobody read (SciPy refused it) now counts as a
    caught dualgrad error does (in whichever thread it was made: f's own pool): a
    result with derivatives warns, one with constant elements raises."""
    import warnings
    p0 = np.array([1.5, 0.5])
    for term in (_refused, _guarded_exp):
        with pytest.warns(dg.CaughtErrorWarning, match="except branch"):
            g = dg.gradient(lambda p: p[0] ** 2 + p[1] + term(p), p0)
        np.testing.assert_array_equal(g, [3.0, 1.0])      # the data term's, as warned
        with pytest.raises(TypeError, match="f returned a result without derivatives"):
            dg.jacobian(lambda p: [p[0] ** 2 + p[1], term(p)], p0)
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(1) as pool:     # f's own thread pool
        with pytest.raises(TypeError, match="became a NumPy object array"):
            dg.gradient(lambda p: pool.submit(_refused, p).result(), p0)
        # dualgrad's own error caught in a worker that runs no call of its own (each
        # thread keeps its own record: this one was never seen, a silent zero row)
        with pytest.raises(TypeError, match="(?s)without derivatives after an error.*"
                                            "made in a thread running no dualgrad call"):
            dg.jacobian(lambda p: [p[0] ** 2, pool.submit(_guarded_exp, p).result()], p0)
        with pytest.warns(dg.CaughtErrorWarning):
            g = dg.gradient(lambda p: p[0] ** 2 + pool.submit(_guarded_exp, p).result(), p0)
        np.testing.assert_array_equal(g, [3.0, 0.0])      # the data term's, as warned
    with warnings.catch_warnings():                # read object arrays are no one's refusal
        warnings.simplefilter("error", dg.CaughtErrorWarning)
        so = pytest.importorskip("scipy.optimize")
        x = np.array([0.3, -0.7, 1.1])
        np.testing.assert_allclose(dg.gradient(lambda p: so.rosen(p) + p[0], x),
                                   so.rosen_der(x) + [1.0, 0.0, 0.0], rtol=1e-14)


def test_a_library_that_reads_then_refuses_gives_no_silent_zero():
    """attack26: scipy.stats computes with the object array of a dual array
    (``(x - loc) / scale``, support checks on every element) before its scipy.special
    ufunc refuses the arrays it made, so the array counted as used and a guarded fit's
    ``return 1e10`` came back as a derivative of 0.  A result without any derivatives
    after any object array of the call's duals raises (a constant on purpose is named)."""
    st = pytest.importorskip("scipy.stats")

    def nll(p):
        try:
            return -st.gamma.logpdf(p, 2.0).sum()
        except Exception:                      # noqa: BLE001
            return 1e10
    with pytest.raises(TypeError, match=r"(?s)computes? with its elements and then refuse.*"
                                        r"c \+ 0\.0 \* p\[0\]"):
        dg.grad(nll)(np.array([0.3, 0.7]))


def test_a_conversion_only_to_look_names_the_dual_s_own_attributes():
    """attack26 item 4: ``x = np.asarray(p); if x.ndim != 1: raise`` reads no element,
    like a library's refusal: the warning (a result with derivatives) and the error (a
    constant residual beside them) say to ask the dual itself, which then works."""
    def looks(p):
        x = np.asarray(p)
        if x.ndim != 1:
            raise ValueError("1-D only")
        return [p[0] ** 2 - 1.0, 0.0, p[1]]
    p0 = np.array([0.3, 0.7])
    with pytest.raises(TypeError, match=r"ask the dual itself \(np\.ndim\(p\), p\.dtype"):
        dg.jacobian(looks, p0)
    with pytest.warns(dg.CaughtErrorWarning, match=r"ask the dual itself"):
        dg.gradient(lambda p: looks(p)[0], p0)

    def asks(p):
        if np.ndim(p) != 1:
            raise ValueError("1-D only")
        return [p[0] ** 2 - 1.0, 0.0, p[1]]
    np.testing.assert_array_equal(dg.jacobian(asks, p0), [[0.6, 0.0], [0.0, 0.0], [0.0, 1.0]])


def test_numpy_converting_a_dual_twice_in_one_operation_is_one_conversion():
    """user23: ``X.dot(W)`` (ndarray.dot, which no protocol lets a dual take) converts W
    twice, the first time only to learn its type: that unread first array made a
    correct gradient warn CaughtErrorWarning ("a library most likely refused it")."""
    import warnings
    X = np.array([[0.74, 0.46], [1.66, -0.63]])
    W = np.array([[-0.33, 0.15, 0.10], [0.10, 0.12, -1.07]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = dg.gradient(lambda w: np.sum(np.tanh(X.dot(w))), W)
    np.testing.assert_allclose(g, X.T @ (1 - np.tanh(X @ W) ** 2), rtol=1e-14, atol=1e-15)


def test_an_error_about_no_running_calls_dual_in_another_thread_is_not_ours():
    """attack26 on f0e7e31: an error another thread caught after its own call ended, or
    about a ``Dual(...)`` of no call, made this thread's correct constant residual
    raise; only an error about a dual of a call running elsewhere (f's own pool's
    worker) counts."""
    import threading
    go, done = threading.Event(), threading.Event()

    def other():
        go.wait()
        try:
            dg.grad(lambda p: p)(np.ones(2))           # its own mistake, caught there
        except ValueError:
            pass
        try:
            math.exp(dg.Dual(1.0, [1.0]))
        except TypeError:
            pass
        done.set()
    t = threading.Thread(target=other)
    t.start()

    def f(p):
        go.set()
        done.wait()
        return [p[0] ** 2, 1.0]
    try:
        np.testing.assert_array_equal(dg.jacobian(f, np.array([0.3, 0.7])),
                                      [[0.6, 0.0], [0.0, 0.0]])
    finally:
        go.set()
        t.join()


def test_a_linear_function_through_a_library_has_a_zero_hessian():
    """attack25: a Hessian of a function linear in x that a library reads as an object
    array (scipy's trapezoid, np.cumsum of np.asarray) raised "f returned a result
    without derivatives" since stop 35: the inner gradient is constant, correctly.
    The library read every element, so nothing was refused."""
    si = pytest.importorskip("scipy.integrate")
    grid = np.linspace(0.0, 1.0, 5)
    x0 = np.cos(grid)
    np.testing.assert_array_equal(dg.hessian(lambda y: si.trapezoid(y, x=grid), x0),
                                  np.zeros((5, 5)))
    np.testing.assert_array_equal(dg.hessian(lambda y: np.cumsum(np.asarray(y))[-1], x0),
                                  np.zeros((5, 5)))
    assert dg.gradient(lambda y: np.sum(np.sign(y)), x0).tolist() == [0.0] * 5
    with pytest.raises(TypeError, match=r"c \+ 0\.0 \* p\[0\]"):    # through an object
        dg.gradient(lambda y: np.sum(np.sign(np.asarray(y))), x0)       # array: can't tell


def test_an_object_array_element_becomes_plain_when_read():
    """The elements of ``np.asarray`` of a dual array start as their class's unread
    twin (same name, same methods) and turn into the class itself when anything reads
    them; one refused unread is found even after many later object arrays."""
    from dualgrad.dual import _scalar

    def f(p):
        items = np.asarray(p)
        first, second = type(items[0]), type(items[1])
        total = items[0] * 2.0
        assert type(items[0]) is not first and type(items[0]).__name__ == first.__name__
        assert type(items[1]) is second and second in _scalar._TWINS
        return total
    np.testing.assert_array_equal(dg.gradient(f, np.array([1.0, 2.0])), [2.0, 0.0])

    def many(p):
        _refused(p)                              # refused, then 20 object arrays read
        for k in range(20):
            np.sum(np.asarray(p) * k)
        return 5.0
    with pytest.raises(TypeError, match="became a NumPy object array"):
        dg.gradient(many, np.array([1.5, 0.5]))


def test_a_guarded_residual_returned_beside_others_is_not_a_zero_row():
    """attack24: residuals guarded one by one and returned as a list or array came
    back with zero rows for the guarded ones (a dict raised): any element without
    this call's derivatives after a caught error raises."""
    def residuals(p, box):
        out = []
        for k in range(2):
            try:
                out.append(math.exp(p[k]) if k else np.exp(p[k]))
            except Exception:                  # noqa: BLE001
                out.append(1e10)
        return box(out)
    p0 = np.array([0.5, -1.0])
    for box in (list, tuple, lambda r: np.array(r, dtype=object)):
        with pytest.raises(TypeError, match="f returned a result without derivatives"):
            dg.jacobian(lambda p: residuals(p, box), p0)
    np.testing.assert_allclose(dg.jacobian(lambda p: [np.exp(p[0]), p[1] * 2.0], p0),
                               [[np.exp(0.5), 0.0], [0.0, 2.0]], rtol=1e-15)


_SCALAR_GUARDED = {
    "gamma.logpdf(data, p[0])": lambda st, sc, data, p: -st.gamma.logpdf(data, p[0]).sum(),
    "norm.cdf(p[0])": lambda st, sc, data, p: st.norm.cdf(p[0]),
    "poisson.logpmf(3, p[0])": lambda st, sc, data, p: st.poisson.logpmf(3, p[0]),
    "t.logpdf(1.0, p[0])": lambda st, sc, data, p: st.t.logpdf(1.0, p[0]),
    "polygamma(1, p[0])": lambda st, sc, data, p: sc.polygamma(1, p[0]),
    "logsumexp([p[0], p[1]])": lambda st, sc, data, p: sc.logsumexp([p[0], p[1]]),
}


@pytest.mark.parametrize("call", list(_SCALAR_GUARDED))
def test_a_guard_around_a_library_making_an_object_array_of_a_scalar_dual_raises(call):
    """attack24: ``np.asarray(p[0])`` inside scipy.stats / scipy.special makes an
    object array of a *scalar* dual (NumPy calls nothing of dualgrad's), the library
    refuses the object dtype with its own error, and f's ``except Exception: return
    1e10`` gave a gradient of 0 silently.  NumPy asks the scalar dual for
    ``__array_struct__`` first; the real classes note it there, so the constant
    result raises (the real SciPy functions, as a fit calls them)."""
    st = pytest.importorskip("scipy.stats")
    sc = pytest.importorskip("scipy.special")
    data = np.random.default_rng(0).gamma(2.0, 1.5, 50)
    fn = _SCALAR_GUARDED[call]

    def nll(p):
        try:
            return fn(st, sc, data, p)
        except Exception:  # noqa: BLE001  (the guard under test)
            return 1e10
    with pytest.raises(TypeError, match="a scalar dual became an element of a NumPy "
                       "object array inside it"):
        dg.grad(nll)(np.array([2.0, 1.5]))


def test_the_attack_fit_with_a_guard_raises_not_zero():
    """The attack's own nll (``st.gamma.logpdf(data, p[0], scale=p[1])`` guarded)."""
    st = pytest.importorskip("scipy.stats")
    data = np.random.default_rng(0).gamma(2.0, 1.5, 50)

    def nll(p):
        try:
            return -st.gamma.logpdf(data, p[0], scale=p[1]).sum()
        except Exception:  # noqa: BLE001
            return 1e10
    with pytest.raises(TypeError, match="f returned a result without derivatives"):
        dg.grad(nll)(np.array([2.0, 1.5]))


def test_object_arrays_of_scalar_duals_in_correct_code_do_not_raise():
    """Correct code that makes object arrays of scalar duals keeps its derivatives
    (analytic oracles): an ODE right-hand side ``np.array([dx, 0.0])``, a residual
    list with constant components, ``np.array([d1, d2])`` reduced to a scalar dual,
    a piecewise function's constant branch with no object array, and an inner
    helper whose f returns a list of the outer call's duals (extract's own
    conversion is not f's object array)."""
    x0 = np.array([0.7, -1.3])
    jac = dg.jacobian(lambda y: np.array([y[0] * y[1], 0.0]), x0)
    np.testing.assert_array_equal(jac, [[x0[1], x0[0]], [0.0, 0.0]])
    jac = dg.jacobian(lambda p: [p[0] ** 2 - 1.0, 0.0, 3.0], x0)
    np.testing.assert_array_equal(jac, [[2 * x0[0], 0.0], [0.0, 0.0], [0.0, 0.0]])
    grad = dg.grad(lambda p: np.sum(np.array([p[0], p[1]]) * np.array([2.0, 5.0])))(x0)
    np.testing.assert_array_equal(grad, [2.0, 5.0])
    with pytest.warns(dg.ComparedOnlyWarning):     # a 0 through a branch alone, meant here
        grad = dg.grad(lambda p: 0.0 if p[0] > 0 else p[0] ** 2)(x0)
    np.testing.assert_array_equal(grad, [0.0, 0.0])
    outer = dg.derivative(
        lambda y: np.sum(dg.jacobian(lambda x: [y * x[0], y * 2.0], x0)), 3.0)
    assert outer == 1.0                    # d/dy of sum([[y, 0], [0, 0]])


def test_a_constant_branch_after_an_object_array_of_scalar_duals_names_its_escape():
    """A constant result after ``np.array([p[0], p[1]])`` with no error caught cannot
    be told from a swallowed one: it raises, naming ``c + 0.0 * p[0]``, which gives
    the constant's derivative of zero."""
    x0 = np.array([0.7, -1.3])

    def f(p, escape):
        v = np.array([p[0], p[1]])
        if np.sum(v) < 0:
            return 2.0 + 0.0 * p[0] if escape else 2.0
        return v[0] * v[1]
    with pytest.raises(TypeError, match=r"c \+ 0\.0 \* p\[0\]"):
        dg.grad(lambda p: f(p, False))(x0)
    np.testing.assert_array_equal(dg.grad(lambda p: f(p, True))(x0), [0.0, 0.0])


@pytest.mark.parametrize("operation", [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
    lambda a, b: a ** b, np.maximum, np.arctan2, np.hypot, np.logaddexp, np.copysign])
def test_an_unread_twin_read_by_another_dual_or_a_number_is_exact(operation):
    """An object array's element starts as its class's unread twin: read as the other
    operand of a plain dual's method, of a number's, or by its own, each derivative is
    central differences' (the generated fast paths test ``type(b) is C``, which a twin
    is not), and nothing warns (every element of the array was read)."""
    import warnings
    p0 = np.array([0.7, 1.3, 2.1])

    def f(p, asarray):
        e = asarray(p)
        c = p[0] * 1.5
        return operation(c, e[2]) + operation(e[1], c) + operation(2.0, e[0]) + \
            operation(e[0], 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", dg.CaughtErrorWarning)
        got = dg.gradient(lambda p: f(p, np.asarray), p0)
    np.testing.assert_allclose(got, central(lambda p: f(p, lambda q: q), p0), rtol=1e-6,
                               atol=1e-8)


def test_the_buffer_and_ode_fixes_read_for_any_argument_name():
    """user23: the buffer fix ended "x: the argument" when f's argument was theta, and
    the solve_ivp fix read "write that step as the time stepping written with ...";
    both are named in plain words now."""
    integrate = pytest.importorskip("scipy.integrate")

    def f(theta):
        out = np.zeros(2)
        out[0] = theta[0]
        return out

    with pytest.raises(TypeError, match=r"make it out = np\.zeros_like\(theta, shape=2\)"):
        dg.jacobian(f, np.ones(2))                    # f's argument by its name (msgs42)
    with pytest.raises(TypeError, match=r"Fix: write that step as dg\.solve_ivp\(fun, "
                                        r"t_span, y0, \.\.\.\) .*or a fixed-step "
                                        r"Runge-Kutta loop in NumPy arithmetic"):
        dg.gradient(lambda p: integrate.solve_ivp(lambda t, y: -p[0] * y, (0, 1), [1.0])
                    .y[0, -1], np.array([0.5]))


_SAMPLERS = {   # sampler on a dual parameter, the spelling named, the float sampler
    "normal": (lambda rng, p: rng.normal(loc=p[0], scale=p[1], size=4),
               r"rng\.normal\(\.\.\.\).*loc \+ scale \* rng\.standard_normal\(size\)",
               lambda rng, p: p[0] + p[1] * rng.standard_normal(4)),
    "lognormal": (lambda rng, p: rng.lognormal(mean=p[0], sigma=p[1], size=4),
                  r"rng\.lognormal\(\.\.\.\).*np\.exp\(mean \+ sigma \* "
                  r"rng\.standard_normal\(size\)\)",
                  lambda rng, p: np.exp(p[0] + p[1] * rng.standard_normal(4))),
    "exponential": (lambda rng, p: rng.exponential(scale=p[1], size=4),
                    r"rng\.exponential\(\.\.\.\).*scale \* rng\.standard_exponential",
                    lambda rng, p: p[1] * rng.standard_exponential(4)),
    "uniform": (lambda rng, p: rng.uniform(p[0], p[0] + p[1], size=4),
                r"rng\.uniform\(\.\.\.\).*low \+ \(high - low\) \* rng\.random\(size\)",
                lambda rng, p: p[0] + (p[0] + p[1] - p[0]) * rng.random(4)),
}


@pytest.mark.parametrize("method", sorted(_SAMPLERS))
def test_a_dual_parameter_of_a_numpy_sampler_names_the_sampler_and_its_spelling(method):
    """user23: rng.normal(loc=mu) and friends raised the generic float(d) text; the
    message names the sampler and the reparameterized spelling, which gives the
    sampler's own draws from the same seed (floats) and the pathwise derivative
    (central differences with the seed fixed)."""
    sampler, text, spelled = _SAMPLERS[method]
    p0 = np.array([0.3, 1.7])
    with pytest.raises(TypeError, match=text + r".*Random numbers"):
        dg.jacobian(lambda p: sampler(np.random.default_rng(5), p), p0)
    np.testing.assert_allclose(spelled(np.random.default_rng(5), p0),
                               sampler(np.random.default_rng(5), p0), rtol=1e-15)
    np.testing.assert_allclose(
        dg.jacobian(lambda p: spelled(np.random.default_rng(5), p), p0),
        central(lambda p: sampler(np.random.default_rng(5), p), p0), rtol=1e-7, atol=1e-9)


def test_legacy_and_discrete_samplers_are_named_too():
    """np.random.normal(m, 1) (the module's RandomState), a RandomState's method and a
    discrete draw name themselves; float(d) elsewhere keeps the general advice."""
    with pytest.raises(TypeError, match=r"np\.random\.normal\(\.\.\.\) \(a NumPy random "
                                        r"sampler\).*loc \+ scale \* np\.random\."
                                        r"standard_normal\(size\)"):
        dg.derivative(lambda m: np.random.normal(m, 1.0), 0.5)
    legacy = np.random.RandomState(3)
    with pytest.raises(TypeError, match=r"legacy\.exponential\(\.\.\.\).*scale \* "
                                        r"legacy\.standard_exponential\(size\)"):
        dg.derivative(lambda s: legacy.exponential(s), 2.0)
    with pytest.raises(TypeError, match=r"the generator's \.poisson\(\.\.\.\).*no pathwise"):
        dg.derivative(lambda lam: np.random.default_rng(0).poisson(lam), 2.0)
    with pytest.raises(TypeError, match=r"float\(d\) \(also called by math"):
        dg.derivative(lambda x: float(x), 2.0)
    # RandomState draws its normals otherwise than Generator: the spelling holds there too
    np.testing.assert_allclose(0.3 + 1.7 * np.random.RandomState(3).standard_normal(4),
                               np.random.RandomState(3).normal(0.3, 1.7, 4), rtol=1e-15)


def test_a_pathwise_monte_carlo_gamma_of_a_kinked_payoff_is_zero():
    """docs/writing-code.md, "Random numbers": the pathwise estimator's second
    derivative of max(S - K, 0) is 0 on every path (the density term is lost), while
    its first derivative matches central differences of the same paths."""
    z = np.random.default_rng(1).standard_normal(2000)

    def price(s0):
        return np.mean(np.maximum(s0 * np.exp(0.2 * z - 0.02) - 100.0, 0.0))

    assert dg.derivative(lambda s: dg.derivative(price, s), 100.0) == 0.0
    np.testing.assert_allclose(dg.derivative(price, 100.0),
                               (price(100.0 + 1e-6) - price(100.0 - 1e-6)) / 2e-6, rtol=1e-5)


def test_an_object_array_returned_whole_beside_plain_zeros_names_the_dual_spelling():
    """user24: scipy.linalg.block_diag(q1, q1) copies the elements of np.asarray(q1)
    beside plain zeros; attack29: a guarded fallback concatenated to np.asarray(p) looks
    the same (clearing the guard for it gave zero rows). Both raise; the message names
    the dual-array spelling, which gives the analytic Jacobian."""
    sl = pytest.importorskip("scipy.linalg")
    special = pytest.importorskip("scipy.special")
    p0 = np.array([0.3, 1.7])

    def blocks(p):
        return sl.block_diag(np.outer(p, p), p[:1].reshape(1, 1))

    with pytest.raises(TypeError, match=r"np\.zeros_like\(q1, shape=\(4, 4\)\)"):
        dg.jacobian(blocks, p0)

    def blocks_dual(p):
        Q = np.zeros_like(p, shape=(3, 3))
        Q[:2, :2] = np.outer(p, p)
        Q[2:, 2:] = p[:1].reshape(1, 1)
        return Q

    J = dg.jacobian(blocks_dual, p0)
    want = np.zeros((3, 3, 2))
    for i in range(2):
        for j in range(2):
            want[i, j, i] += p0[j]
            want[i, j, j] += p0[i]
    want[2, 2, 0] = 1.0
    np.testing.assert_array_equal(J, want)

    def guarded(p):
        a = np.asarray(p)
        try:
            r = special.xlogy(a, a)                  # refuses the object dtype
        except Exception:                      # noqa: BLE001
            r = np.zeros(2)
        return np.concatenate([a, r])

    with pytest.raises(TypeError, match="without derivatives"):
        dg.jacobian(guarded, p0)


# ---- user25 (optics, stop 39): the buffer, update, @= and eig messages ----------------

def _cd(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


def test_a_complex_buffer_names_dtype_complex_and_the_advice_works():
    """np.empty((n, 2, 2), dtype=complex) filled with complex duals: the advice named
    np.zeros_like(x, shape=...) alone, which in the plain float run drops the imaginary
    parts (ComplexWarning, a wrong value)."""
    def stored(p):
        M = np.empty((3, 2, 2), dtype=complex)
        for k in range(3):
            M[k] = np.exp(1j * p[k]) * np.eye(2)
        return np.abs(M.sum(axis=0)[0, 0]) ** 2

    def into_float(p):                       # a complex value into a float buffer
        M = np.zeros(3)
        M[0] = p[0] * 1j
        return M.sum()
    for f in (stored, into_float):
        with pytest.raises(TypeError, match=r"create the buffer with dtype=complex.*"
                           r"np\.zeros_like\(x, shape=\(n, 2, 2\), dtype=complex\)"):
            dg.gradient(f, np.array([0.3, 1.1, 0.7]))

    def advised(p):                          # the spelling the message gives
        M = np.zeros_like(p, shape=(3, 2, 2), dtype=complex)
        for k in range(3):
            M[k] = np.exp(1j * p[k]) * np.eye(2)
        return np.abs(M.sum(axis=0)[0, 0]) ** 2
    p = np.array([0.3, 1.1, 0.7])
    with warnings.catch_warnings():
        warnings.simplefilter("error")                # no ComplexWarning in the float run
        formula = lambda q: np.abs(np.sum(np.exp(1j * q))) ** 2   # noqa: E731
        assert np.isclose(advised(p), formula(p), rtol=1e-15)
        np.testing.assert_allclose(dg.gradient(advised, p), _cd(formula, p), rtol=1e-8,
                                   atol=1e-8)


def test_an_in_place_update_of_a_plain_array_leads_with_the_rebind():
    """phase = np.zeros_like(rho); phase += c * Z (rho a fixed grid): the user had made
    the buffer with np.zeros_like as the message advised; the cause is the update."""
    rho = np.linspace(0.0, 1.0, 5)

    def update(p):
        phase = np.zeros_like(rho)
        phase += p[0] * rho ** 2
        return np.sum(np.cos(phase))
    with pytest.raises(TypeError) as info:
        dg.gradient(update, np.array([0.7]))
    msg = str(info.value)
    assert msg.startswith("dualgrad.gradient: phase += p[0] * rho ** 2 (line ")
    assert "; phase made at line " in msg and ": phase = np.zeros_like(rho))" in msg
    assert "expected a dual array on the left. Fix: rebind the name instead, phase = " \
        "phase + p[0] * rho ** 2 (a new array" in msg        # userml48: the user's names
    assert "make it from f's input" in msg and "np.zeros_like of a fixed array" in msg

    def rebound(p):
        phase = np.zeros_like(rho)
        phase = phase + p[0] * rho ** 2
        return np.sum(np.cos(phase))
    np.testing.assert_allclose(dg.gradient(rebound, np.array([0.7])),
                               [-np.sum(np.sin(0.7 * rho ** 2) * rho ** 2)], rtol=1e-14)


def _layer(t):
    return np.stack([np.stack([np.cos(t), -1j * np.sin(t)]),
                     np.stack([-1j * np.sin(t), np.cos(t)])])


def test_matmul_in_place_names_the_plain_array_not_axes():
    """M @= Mi with a plain M: NumPy passes matmul's default axes= itself; the message
    blamed axes= (user25's bug_imatmul.py)."""
    def plain(p):
        M = np.eye(2, dtype=complex)
        for t in p:
            M @= _layer(t)
        return np.abs(M[0, 0]) ** 2

    def dual_left(p):                        # a dual M: @= works in place
        M = _layer(p[0])
        for t in p[1:]:
            M @= _layer(t)
        return np.abs(M[0, 0]) ** 2

    def rebound(p):
        M = np.eye(2, dtype=complex)
        for t in p:
            M = M @ _layer(t)
        return np.abs(M[0, 0]) ** 2
    p = np.array([0.3, 1.1, 0.7])
    with pytest.raises(TypeError) as info:
        dg.gradient(plain, p)
    msg = str(info.value)
    assert "axes" not in msg and \
        msg.startswith("dualgrad.gradient: M @= _layer(t) (line ")
    assert "updates M, a plain NumPy array" in msg        # userml48: the user's names
    assert "rebind the name instead, M = M @ _layer(t)" in msg and \
        "np.zeros_like(x, dtype=complex)" in msg
    # |M00|^2 = cos^2(sum t) for these commuting rotations: d/dt_k = -sin(2 sum t)
    expected = np.full(3, -np.sin(2 * p.sum()))
    np.testing.assert_allclose(dg.gradient(rebound, p), expected, rtol=1e-13)
    np.testing.assert_allclose(dg.gradient(dual_left, p), expected, rtol=1e-13)


def test_eig_complex_eigenvectors_message_is_one_sentence():
    def f(p):
        A = np.stack([np.stack([p[0], -p[1]]), np.stack([p[1], p[0]])])
        return np.abs(np.linalg.eig(A)[1]).sum()
    with pytest.raises(TypeError) as info:
        dg.gradient(f, np.array([1.0, 2.0]))
    msg = str(info.value)
    assert "is not supported on dual numbers" not in msg and "symmetric matrix is" not in msg
    # (a matrix with complex eigenvalues has them since eig53; these vectors' two
    # components tie for the largest modulus, where LAPACK's phase jumps)
    assert msg.startswith("dualgrad: np.linalg.eig's eigenvector (column 0")
    assert "tie for the largest modulus" in msg
    assert "expected" in msg and "Fix: use np.linalg.eigvals" in msg


def test_vectorize_with_complex_results_names_frompyfunc():
    t = np.arange(3.0)
    body = lambda s: np.exp(1j * s) * s                            # noqa: E731
    for kw in ({}, {"otypes": [complex]}):
        g = np.vectorize(body, **kw)
        with pytest.raises(TypeError, match=r"np\.vectorize of a function that returns "
                           r"complex dual numbers.*Fix: np\.frompyfunc\(f, nin, 1\)\(x\)"):
            dg.jacobian(lambda p: np.abs(g(p[0] * t)), np.array([0.7]))
    fp = np.frompyfunc(body, 1, 1)                       # the advice: a complex dual array
    formula = lambda q: np.exp(1j * q[0] * t) * q[0] * t                # noqa: E731
    for part in (np.real, np.imag):
        J = dg.jacobian(lambda p: part(fp(p[0] * t)), np.array([0.7]))
        np.testing.assert_allclose(J.ravel(), _cd(lambda q: part(formula(q)),
                                                  np.array([0.7])).ravel(), rtol=1e-8)


@pytest.mark.parametrize("kwargs", [{"constant_values": "c"}, {"constant_values": ("c", 2.0)},
                                    {"mode": "linear_ramp", "end_values": "c"}])
def test_pad_of_a_plain_array_with_a_dual_pad_value_names_np_pad(kwargs):
    # NumPy's np.pad dispatches on the array only: with a plain array its own code
    # stores the dual pad value (attack47 05: the message blamed a buffer of the user's)
    A = np.arange(6.0).reshape(2, 3)

    def f(x):
        kw = {k: (x[0] if v == "c" else tuple(x[0] if w == "c" else w for w in v)
                  if isinstance(v, tuple) else v) for k, v in kwargs.items()}
        return np.pad(A, 1, **kw).ravel()
    with pytest.raises(TypeError, match=r"np\.pad stored a dual.*Fix: .*np\.pad\(a \+ 0\.0 \* c"):
        dg.jacobian(f, np.array([0.5]))
    # the fix it names: the border moves with c (derivative 1), the inside does not
    J = dg.jacobian(lambda x: np.pad(A + 0.0 * x[0], 1, constant_values=x[0]), np.array([0.5]))
    want = np.pad(np.zeros((2, 3)), 1, constant_values=1.0)
    np.testing.assert_array_equal(np.asarray(J)[..., 0], want)


@pytest.mark.parametrize("name", ["fmod", "hypot", "arctan2"])
def test_binary_ufunc_of_a_list_holding_a_scalar_dual_names_np_stack(name):
    # NumPy's object loop asks the list's float for .fmod: an AttributeError that
    # escaped untranslated (attack47 04)
    ufunc = getattr(np, name)
    with pytest.raises(TypeError, match=rf"np\.{name} received an object array.*np\.stack"):
        dg.jacobian(lambda x: ufunc([x[0], 1.3], 0.9), np.array([0.4, 0.7]))
    # the fix it names works: the closed forms of d/dx0 ufunc(x0, 0.9)
    J = np.asarray(dg.jacobian(lambda x: ufunc(np.stack([x[0], 1.3]), 0.9),
                               np.array([0.4, 0.7])))
    slope = {"fmod": 1.0, "hypot": 0.4 / np.hypot(0.4, 0.9),
             "arctan2": 0.9 / (0.4 ** 2 + 0.9 ** 2)}[name]
    np.testing.assert_allclose(J, [[slope, 0.0], [0.0, 0.0]], rtol=1e-15)


# ---- a plain result after comparisons of duals: a derivative of 0 through branches ----

def _bisected_root(p):
    """The s with s**3 = p[0], by the hand-written bisection userfin49 met in implied
    volatility code: only comparisons of p reach the result."""
    lo, hi = 0.0, 10.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if mid ** 3 > p[0]:             # np.float64 > dual: NumPy's comparison ufunc
            hi = mid
        else:
            lo = mid
    return mid


@pytest.mark.parametrize("f", [
    _bisected_root,
    lambda p: 2.0 if p[0] > 1.0 else 3.0,                      # the dual's own operator
    lambda p: float(np.sum(np.where(p > 1.0, 1.0, 0.0))),      # an indicator
    lambda p: float(np.count_nonzero(np.greater_equal(p, 0.5))),
], ids=["bisection", "operator", "indicator", "ufunc"])
def test_a_plain_result_after_comparisons_warns(f):
    x = np.array([2.0, 0.3])
    with pytest.warns(dg.ComparedOnlyWarning, match="Newton steps on the duals"):
        g = dg.gradient(f, x)
    assert np.all(g == 0.0)             # exact for the code as written, and warned


def test_newton_steps_after_the_bisection_give_the_derivative_without_a_warning():
    # the warning's fix: d/dp p**(1/3) = p**(-2/3) / 3, the closed form
    def root(p):
        s = _bisected_root(dg.stop_gradient(p))
        for _ in range(2):
            s = s - (s ** 3 - p[0]) / (3 * s ** 2)
        return s
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = dg.gradient(root, np.array([2.0]))
    np.testing.assert_allclose(g, [2.0 ** (-2 / 3) / 3], rtol=1e-14)


@pytest.mark.parametrize("f", [
    lambda p: p[0] ** 2 if p[1] > 0 else 1.0,                  # a branch, then arithmetic
    lambda p: np.sum(np.maximum(p, 0.0)),
    lambda p: 3.0,                                              # a constant, no comparison
], ids=["branch", "maximum", "constant"])
def test_no_warning_where_the_result_has_derivatives_or_nothing_was_compared(f):
    x = np.array([2.0, 0.3])
    _bisected_root(np.array([2.0]))     # comparisons of plain numbers: never noted
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dg.gradient(f, x)


@pytest.mark.parametrize("pick", [np.argmax, np.argmin, np.argsort, np.searchsorted])
def test_a_plain_result_picked_by_an_index_of_duals_warns(pick):
    # an ignition delay as the time of the grid's largest slope, t[np.argmax(...)]
    # (userchem49): the index compares the duals' values, the result is plain
    t = np.linspace(0.0, 1.0, 50)
    index = {np.argsort: lambda v: np.argsort(v)[-1],
             np.searchsorted: lambda v: np.searchsorted(np.sort(v), v[3])}.get(pick, pick)
    with pytest.warns(dg.ComparedOnlyWarning):
        g = dg.gradient(lambda a: t[index(np.sin(a[0] * t))], np.array([3.0]))
    assert g[0] == 0.0


def test_comparisons_of_an_earlier_call_do_not_warn_a_later_one():
    with pytest.warns(dg.ComparedOnlyWarning):
        dg.gradient(lambda p: 1.0 if p[0] > 0 else 0.0, np.array([1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert dg.gradient(lambda p: 5.0, np.array([1.0]))[0] == 0.0


def _remainder_of_math(x):
    return math.remainder(x[0], 0.7)


def test_math_remainder_names_a_spelling_with_its_own_values():
    # np.remainder is Python's %, another function (-0.1 -> 0.6: attack49 27); the named
    # spelling x - y * np.round(x / y) gives math.remainder's values, ties to even too
    with pytest.raises(TypeError, match=r"x - y \* np\.round\(x / y\)"):
        dg.gradient(_remainder_of_math, np.array([1.3]))
    for x, y in [(1.3, 0.7), (-2.5, 1.0), (3.5, 1.0), (1.05, 0.7)]:
        assert x - y * np.round(x / y) == pytest.approx(math.remainder(x, y), abs=1e-15)


def test_linear_operator_of_a_sparse_matrix_names_the_matrix_itself():
    # attack49 28: the refusal named "scipy.sparse.linalg.__matmul__" and advised NumPy
    sp = pytest.importorskip("scipy.sparse")
    spl = pytest.importorskip("scipy.sparse.linalg")
    A = sp.random(5, 5, density=0.6, random_state=3, format="csr")
    for op in (spl.aslinearoperator(A), spl.LinearOperator((5, 5), matvec=lambda v: A @ v)):
        for apply in (lambda u: op @ u, lambda u: op.matvec(u)):
            with pytest.raises(TypeError) as info:
                dg.jacobian(lambda x: apply(np.sin(x)), np.ones(5))
            message = str(info.value)
            assert "LinearOperator" in message and "__matmul__" not in message
            assert ("the matrix itself" in message) == hasattr(op, "A")
    J = dg.jacobian(lambda x: A @ np.sin(x), np.ones(5))      # the fix it names
    assert np.allclose(J, A.toarray() * np.cos(1.0), rtol=1e-15, atol=0)
