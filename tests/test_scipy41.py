"""SciPy functions that refuse duals: the NumPy spelling their refusal proposes is the
caller's own call (axis=, b=, keepdims=, return_sign=, lower=, trans=), so pasting it
never changes the objective (user27: logsumexp(lp, axis=1)'s fix summed over every
row, 189.6 -> -5.1).  Each spelling is cut from the message, run, and held to SciPy's
value on floats and to central differences for its derivative."""

import re

import numpy as np
import pytest

sc = pytest.importorskip("scipy.special")
sl = pytest.importorskip("scipy.linalg")

import dualgrad as dg  # noqa: E402

RNG = np.random.default_rng(41)
LP = RNG.normal(size=(5, 3))
W = RNG.uniform(0.5, 2.0, size=(5, 3))


def _fix(call, t):
    """The spelling the refusal of ``call(t)`` proposes (the text after 'write that
    step as', up to the parenthesis naming x, or the ', or apply')."""
    with pytest.raises(TypeError) as info:
        dg.jacobian(call, t)
    text = str(info.value)
    assert "dg.stop_gradient(d)" in text          # the plain value, by its name
    m = re.search(r"write that step as (.*?)(?: \(x: the array|, or apply)", text)
    assert m, text
    return m.group(1), text


def _run(spelling, env):
    """Run ``a; b; expr`` and return expr's value."""
    *stmts, last = spelling.split("; ")
    env = dict(env, np=np)
    for s in stmts:
        exec(s, env)
    return eval(last, env)


def _fd(g, t, h=1e-6):
    return np.stack([(np.asarray(g(t + h * e)) - np.asarray(g(t - h * e))) / (2 * h)
                     for e in np.eye(t.size)], axis=-1)


def _lse_jacobian(t, kw):
    """d/dt of ``logsumexp(LP * t, **kw)`` (its value, the first of a return_sign pair),
    raveled, by hand: d/dx log|sum b e**x| = b e**x / sum b e**x (the softmax weights,
    signed), and d x_ij / d t_k = LP_ij [j == k]."""
    b = 1.0 if kw.get("b") is None else kw["b"]
    axis, keep = kw.get("axis"), kw.get("keepdims", False)
    x = LP * t
    e = b * np.exp(x - x.max())
    w = e / np.sum(e, axis=axis, keepdims=True)
    col = np.arange(t.size)
    return np.stack([np.ravel(np.sum(w * LP * (col == k), axis=axis, keepdims=keep))
                     for k in range(t.size)], axis=-1)


LSE_CALLS = [dict(axis=1), dict(axis=0), dict(), dict(axis=-1, keepdims=True),
             dict(axis=(0, 1)), dict(axis=1, b=W), dict(axis=0, b=W, keepdims=True),
             dict(axis=1, b=W - 1.0, return_sign=True), dict(b=W, return_sign=True),
             dict(axis=None, keepdims=True)]


@pytest.mark.parametrize("kw", LSE_CALLS, ids=lambda kw: ",".join(sorted(kw)) or "plain")
def test_logsumexp_fix_is_the_callers_call(kw):
    t0 = np.array([0.7, -1.1, 1.9])

    def x_of(t):
        return LP * t

    spelling, text = _fix(lambda t: sc.logsumexp(x_of(t), **kw), t0)
    if "axis" in kw and kw["axis"] is not None and kw["axis"] != (0, 1):
        assert f"axis={kw['axis']!r}" in spelling
    env = {"b": kw.get("b")}
    want = sc.logsumexp(x_of(t0), **kw)
    got = _run(spelling, dict(env, x=x_of(t0)))
    if kw.get("return_sign"):
        np.testing.assert_allclose(got[0], want[0], rtol=1e-13)
        np.testing.assert_array_equal(got[1], want[1])
        got, want = got[0], want[0]
    else:
        np.testing.assert_allclose(got, want, rtol=1e-13)
    assert np.shape(got) == np.shape(want)

    def spelled(t):
        r = _run(spelling, dict(env, x=x_of(t)))
        return np.ravel(r[0] if kw.get("return_sign") else r)

    J = dg.jacobian(spelled, t0)
    np.testing.assert_allclose(J, _lse_jacobian(t0, kw), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(J, _fd(spelled, t0), rtol=1e-6, atol=1e-8)   # the oracle's


def test_user27_mixture_fix_keeps_the_objective():
    """repro_msg_logsumexp_axis.py: the pasted fix gives the same objective and an
    exact gradient (analytic: d/dth_k = -sum_i r_ik (x_i - th_k), r the posteriors)."""
    x = np.random.default_rng(0).normal(size=300)
    th = np.array([-1.0, 1.0])

    def lp_of(th):
        return -0.5 * (x[:, None] - th) ** 2 + np.log(0.5)

    spelling, _ = _fix(lambda th: -np.sum(sc.logsumexp(lp_of(th), axis=1)), th)

    def nll(th):
        return -np.sum(_run(spelling, {"x": lp_of(th)}))

    np.testing.assert_allclose(nll(th), -np.sum(sc.logsumexp(lp_of(th), axis=1)),
                               rtol=1e-13)
    lp = lp_of(th)
    r = np.exp(lp - sc.logsumexp(lp, axis=1, keepdims=True))
    analytic = -np.sum(r * (x[:, None] - th), axis=0)
    np.testing.assert_allclose(dg.gradient(nll, th), analytic, rtol=1e-12)


def test_logsumexp_fix_names_logaddexp_reduce_for_an_int_axis():
    _, text = _fix(lambda t: sc.logsumexp(LP * t, axis=1), np.ones(3))
    assert "; or np.logaddexp.reduce(x, axis=1), exact too)" in text


@pytest.mark.parametrize("axis", [1, 0, None])
def test_log_softmax_fix_carries_axis(axis):
    t0 = np.array([0.7, -1.1, 1.9])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda t: sc.log_softmax(LP * t, axis=axis).ravel(), t0)
    text = str(info.value).split(" Fix: ", 1)[1]      # (the line quoted before it)
    assert f"axis={axis!r}" in text and "axis=axis" not in text
    m = re.search(r"write that step as (.*) with m = (.*?), or apply", text)
    spelling = f"m = {m.group(2)}; {m.group(1)}"
    np.testing.assert_allclose(_run(spelling, {"x": LP * t0}),
                               sc.log_softmax(LP * t0, axis=axis), rtol=1e-13, atol=1e-15)


A = np.array([[4.0, 1.0, 0.5], [2.0, 3.0, 0.2], [0.5, 0.7, 2.0]])   # not symmetric


@pytest.mark.parametrize("kw", [dict(), dict(lower=True), dict(lower=True, trans=1),
                                dict(trans="T"), dict(lower=True, unit_diagonal=True),
                                dict(trans=2, unit_diagonal=True)],
                         ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "plain")
def test_solve_triangular_fix_carries_lower_trans_unit_diagonal(kw):
    b0 = np.array([1.0, -2.0, 0.5])
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda t: sl.solve_triangular(A * t[0], t, **kw), b0)
    m = re.search(r"write that step as (.*?) \(lower=", str(info.value))
    spelling = m.group(1)
    np.testing.assert_allclose(_run(spelling, {"a": A, "b": b0}),
                               sl.solve_triangular(A, b0, **kw), rtol=1e-13)


def test_other_fixes_name_the_callers_keywords():
    with pytest.raises(TypeError, match=r"your call passed assume_a='pos'"):
        dg.jacobian(lambda t: sl.solve(A @ A.T * t[0], t, assume_a="pos"), np.ones(3))
    # eigh's fix writes the call itself (userfem51, 6608cae): lower=False carried to the
    # drop-in, and NumPy's spelling reads the same triangle
    with pytest.raises(TypeError, match=r"eigh\(a, lower=False\).*np\.linalg\.eigh\(a, "
                       r"UPLO='U'\)"):
        dg.jacobian(lambda t: sl.eigh(A @ A.T * t[0], lower=False)[0], np.ones(3))


SPD = A @ A.T + 3.0 * np.eye(3)


@pytest.mark.parametrize("lower", [False, True])
def test_cholesky_fix_follows_lower(lower):
    """SciPy's default lower=False returns the UPPER factor: the fix follows the call."""
    t0 = np.array([1.3, 0.4, -0.2])

    def a_of(t):
        return SPD + np.outer(t, t)

    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda t: sl.cholesky(a_of(t), lower=lower).ravel(), t0)
    spelling = re.search(r"write that step as (np\.linalg\.cholesky\(a[^ ]*)",
                         str(info.value)).group(1)
    np.testing.assert_allclose(_run(spelling, {"a": a_of(t0)}), sl.cholesky(a_of(t0), lower=lower),
                               rtol=1e-13, atol=1e-15)

    def spelled(t):
        return np.ravel(_run(spelling, {"a": a_of(t)}))

    # by hand: dL = L Phi(L^-1 dA L^-T), Phi the lower triangle with half its diagonal,
    # dA / dt_k = e_k t^T + t e_k^T; SciPy's upper factor is L^T
    L = np.linalg.cholesky(a_of(t0))
    Li = np.linalg.inv(L)
    cols = []
    for e in np.eye(3):
        X = Li @ (np.outer(e, t0) + np.outer(t0, e)) @ Li.T
        dL = L @ (np.tril(X) - 0.5 * np.diag(np.diag(X)))
        cols.append(np.ravel(dL if lower else dL.T))
    J = dg.jacobian(spelled, t0)
    np.testing.assert_allclose(J, np.stack(cols, axis=-1), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(J, _fd(spelled, t0), rtol=1e-6, atol=1e-8)


def test_no_object_array_warning_before_a_scipy_linalg_refusal():
    """user27's GP (n = 40 here): scipy.linalg refuses object arrays, so the warning
    that 'the derivatives are exact' is not printed before its refusal."""
    import warnings
    x = np.linspace(0, 10, 40)

    def nlml(th):
        K = np.exp(th[0]) * np.exp(-0.5 * (x[:, None] - x[None, :]) ** 2) + np.eye(40)
        L = sl.cholesky(K, lower=True)
        return 0.5 * x @ sl.cho_solve((L, True), x) + np.sum(np.log(np.diag(L)))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match=r"scipy\.linalg\.cholesky.*np\.linalg\.cholesky"
                                            r"\(a\) \(lower=True as your call\)"):
            dg.gradient(nlml, np.array([0.1]))
        with pytest.raises(TypeError, match=r"scipy\.linalg\.solve"):
            dg.gradient(lambda t: np.sum(sl.solve(np.eye(40) * t[0], x)), np.ones(1))


def test_object_array_warning_stays_for_libraries_that_compute():
    """A plain ndarray's method on a large dual still warns (it computes, slowly)."""
    M = np.ones((3, 1000)) / 1000
    with pytest.warns(dg.ObjectArrayWarning):
        dg.jvp(lambda t: M.dot(t * 1.0), np.ones(1000), np.ones(1000))


@pytest.mark.parametrize("helper", ["gradient", "jacobian", "hessian"])
def test_eager_helper_without_x_names_the_forms_that_work(helper):
    """user27: minimize(..., hess=dg.hessian(nll)) gave Python's bare "missing 1
    required positional argument: 'x'". Both forms the message names are run, with
    minimize's args=, against the analytic logistic-regression derivatives."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((50, 3)), (rng.random(50) < 0.5).astype(float)

    def nll(b, X, y):
        z = X @ b
        return np.sum(np.logaddexp(0.0, z) - y * z)

    with pytest.raises(TypeError) as info:
        getattr(dg, helper)(nll)
    text = str(info.value)
    assert f"dualgrad.{helper}(f, x, *args)" in text and "without x" in text
    m = re.search(r"write (dg\.[\w.()]+) or (lambda x, \*a: dg\.\w+\(f, x, \*a\));", text)
    b = np.array([0.3, -0.2, 0.5])
    s = 1.0 / (1.0 + np.exp(-(X @ b)))
    want = {"gradient": X.T @ (s - y), "jacobian": X.T @ (s - y),
            "hessian": X.T @ (X * (s * (1 - s))[:, None])}[helper]
    for form in m.groups():
        g = eval(form, {"dg": dg, "f": nll})
        np.testing.assert_allclose(g(b, X, y), want, rtol=1e-12, atol=1e-12)


def test_eager_helpers_still_take_x_by_keyword_and_position():
    f = lambda x: np.sum(x ** 3)  # noqa: E731
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(dg.gradient(f, x=x), 3 * x ** 2, rtol=1e-15)
    np.testing.assert_allclose(dg.hessian(f, x), np.diag(6 * x), rtol=1e-15)
    np.testing.assert_allclose(dg.jacobian(f, x), 3 * x ** 2, rtol=1e-15)
