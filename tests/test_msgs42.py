"""msgs42: what user42 (a pharmacometrician) was left with.  MINPACK's raw error from
fsolve / root / leastsq on duals, the np.zeros-buffer refusal without the buffer, and
scipy.stats refusals without a formula become messages that name the call and a spelling;
each spelling is cut out of the message, run, and held to an independent oracle (closed
forms, scipy.stats' values, central differences)."""

import re

import numpy as np
import pytest

import dualgrad as dg
from _probes import module_from_source, spelled as _spelled

optimize = pytest.importorskip("scipy.optimize")


# ---- 1. fsolve / root / leastsq: MINPACK's "not a proper array of floats" ----------------
def _g(x, p):                    # x**3 + x = p per component: dx/dp = 1 / (3 x**2 + 1)
    return x ** 3 + x - p


def _cubic_root(p):
    """The root of x**3 + x = p and its first two derivatives, by Newton on plain floats."""
    x = np.zeros_like(p)
    for _ in range(60):
        x = x - (x ** 3 + x - p) / (3 * x ** 2 + 1)
    d1 = 1 / (3 * x ** 2 + 1)
    return x, d1, -6 * x * d1 ** 3


_P = np.array([0.3, -2.0])
_CALLS = {
    "fsolve": lambda q: optimize.fsolve(lambda b: _g(b, q), np.zeros(2)),
    "fsolve args=": lambda q: optimize.fsolve(_g, np.zeros(2), args=(q,)),
    "root": lambda q: optimize.root(_g, np.zeros(2), args=(q,)).x,
    "root lm": lambda q: optimize.root(lambda b: _g(b, q), np.zeros(2), method="lm").x,
}


def _pasted(message, p, steps):
    """Run the message's two lines, with g, x0 and p filled in."""
    solve = re.search(r"x = ((?:fsolve|root)\(g, x0, .*?\)(?:\.x)?), then", message).group(1)
    step = re.search(r"x = (x - np\.linalg\.solve\(dg\.jacobian\(g, x, p\), g\(x, p\)\))",
                     message).group(1)
    names = {"np": np, "dg": dg, "g": _g, "x0": np.zeros(2), "p": p,
             "fsolve": optimize.fsolve, "root": optimize.root}
    x = eval(solve, names)                                         # noqa: S307
    for _ in range(steps):
        x = eval(step, {**names, "x": x})                          # noqa: S307
    return x


@pytest.mark.parametrize("call, helper", [(c, "jacobian") for c in _CALLS] + [
    ("fsolve", h) for h in ("jacfwd", "gradient", "hessian", "jvp")] + [("root lm", "grad")])
def test_minpack_on_duals_is_our_error_naming_the_finder_and_the_newton_steps(call, helper):
    f = _CALLS[call]
    run = {"jacobian": lambda: dg.jacobian(f, _P), "jacfwd": lambda: dg.jacfwd(f)(_P),
           "gradient": lambda: dg.gradient(lambda q: np.sum(f(q)), _P),
           "hessian": lambda: dg.hessian(lambda q: np.sum(f(q)), _P),
           "jvp": lambda: dg.jvp(f, _P, np.ones(2)),
           "grad": lambda: dg.grad(lambda q: np.sum(f(q)))(_P)}[helper]
    name = call.split()[0]
    with pytest.raises(TypeError) as info:
        run()
    text = str(info.value)
    assert text.startswith(f"dualgrad.{helper}: scipy.optimize.{name} reads f's values "
                           "into a float array in compiled code (MINPACK)")
    assert "dg.stop_gradient(p)" in text and "dg.jacobian(g, x, p)" in text
    assert ("method='lm'" in text) == (call == "root lm")
    assert "not a proper array of floats" in str(info.value.__cause__)


@pytest.mark.parametrize("call", list(_CALLS))
def test_the_minpack_messages_spelling_gives_the_roots_derivatives(call):
    with pytest.raises(TypeError) as info:
        dg.jacobian(_CALLS[call], _P)
    message = str(info.value)
    x, d1, d2 = _cubic_root(_P)
    np.testing.assert_allclose(_pasted(message, _P, 1), x, rtol=1e-12)
    np.testing.assert_allclose(dg.jacobian(lambda q: _pasted(message, q, 1), _P), np.diag(d1),
                               rtol=1e-12, atol=1e-15)
    hess = dg.hessian(lambda q: _pasted(message, q, 2)[1], _P)     # only x1 reads p1
    np.testing.assert_allclose(hess, np.diag([0.0, d2[1]]), rtol=1e-10, atol=1e-14)


def test_leastsq_on_duals_names_the_least_squares_newton_steps():
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda q: optimize.leastsq(lambda b: _g(b, q), np.zeros(2))[0], _P)
    text = str(info.value)
    assert text.startswith("dualgrad.jacobian: scipy.optimize.leastsq reads f's values")
    assert "b = leastsq(r, b0, args=(dg.stop_gradient(p),))[0]" in text
    assert "g(b, p) = 0.5 * np.sum(r(b, p) ** 2)" in text

    def fit(p):                       # the message's spelling, r = _g
        g = lambda b, p: 0.5 * np.sum(_g(b, p) ** 2)               # noqa: E731
        b = optimize.leastsq(_g, np.zeros(2), args=(dg.stop_gradient(p),), xtol=1e-14)[0]
        for _ in range(2):
            b = b - np.linalg.solve(dg.hessian(g, b, p), dg.gradient(g, b, p))
        return b
    np.testing.assert_allclose(dg.jacobian(fit, _P), np.diag(_cubic_root(_P)[1]),
                               rtol=1e-10, atol=1e-14)


def test_a_scalar_fsolve_under_derivative_is_named_too():
    with pytest.raises(TypeError, match=r"^dualgrad\.derivative: scipy\.optimize\.fsolve "):
        dg.derivative(lambda q: optimize.fsolve(lambda b: b ** 3 + b - q, 0.0)[0], 0.3)


def test_minpacks_error_without_duals_stays_minpacks():
    """The same text for a value that is not a number: no dual caused it, so no claim."""
    def f(p):
        return optimize.fsolve(lambda b: ["a", "b"], np.zeros(2)) * p
    with pytest.raises(Exception, match="not a proper array of floats") as info:
        dg.jacobian(f, _P)
    assert not isinstance(info.value, dg.DualTypeError)


# ---- 2. a dual stored into a plain buffer: the helper, the buffer, the line that made it ----
_KALMAN = '''import numpy as np


def kalman_nll(theta, y):
    """Local-level model: y_t = a_t + eps (var e^theta0), a_t+1 = a_t + eta (var e^theta1)."""
    T = len(y)
    a = np.zeros(T + 1)
    P = np.zeros(T + 1)
    v = np.zeros(T)
    F = np.zeros(T)
    P[0] = 10.0
    for t in range(T):
        v[t] = y[t] - a[t]
        F[t] = P[t] + np.exp(theta[0])
        K = P[t] / F[t]
        a[t + 1] = a[t] + K * v[t]
        P[t + 1] = P[t] * (1 - K) + np.exp(theta[1])
    return 0.5 * np.sum(np.log(F) + v ** 2 / F)
'''


def _load(tmp_path, source, name):
    return module_from_source(tmp_path, name, source)


def _central(f, x, h=1e-3):
    """8th-order central differences (oracle)."""
    c = np.array([4 / 5, -1 / 5, 4 / 105, -1 / 280])
    g = np.zeros_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = sum(ck * (f(x + k * e) - f(x - k * e)) for k, ck in enumerate(c, 1)) / h
    return g


def test_the_buffer_message_names_the_helper_buffer_shape_dtype_and_line(tmp_path):
    """user42: a Kalman filter with nine buffers, and a message naming none of them."""
    y = np.array([1.0, 0.4, 1.3, 2.1, 1.7, 2.6])
    theta = np.array([-0.5, -1.2])
    source = _KALMAN
    fixed = []
    for _ in range(5):                   # each message names the next buffer: paste its line
        module = _load(tmp_path, source, f"kalman{len(fixed)}")
        try:
            dg.gradient(module.kalman_nll, theta, y)
            break
        except TypeError as exc:
            text = str(exc)
        m = re.match(r"dualgrad\.gradient: (\w+)\[.*?\] = \.\.\. stores a dual number into "
                     r"(\w+), a plain NumPy array \(float64, shape \((\d+),\), made at line "
                     r"(\d+): \2 = np\.zeros\((.*?)\)\), which would drop", text)
        assert m is not None, text
        name, line = m.group(2), int(m.group(4))
        assert int(m.group(3)) == len(y) + (name in ("a", "P"))
        fix = re.search(rf"Fix: make it ({name} = np\.zeros_like\(theta, shape=.*?\)) at line "
                        rf"{line} \(theta's kind", text).group(1)
        lines = source.splitlines(keepends=True)
        assert lines[line - 1].strip() == f"{name} = np.zeros({m.group(5)})"
        lines[line - 1] = lines[line - 1].replace(lines[line - 1].strip(), fix)
        source = "".join(lines)
        fixed.append(name)
    assert fixed == ["F", "a", "v", "P"]     # in the order f first stores a dual
    plain = _load(tmp_path, _KALMAN, "kalman_plain").kalman_nll
    np.testing.assert_allclose(dg.gradient(module.kalman_nll, theta, y),
                               _central(lambda q: plain(q, y), theta), rtol=1e-9)
    assert module.kalman_nll(theta, y) == plain(theta, y)     # the pasted line, on floats


def test_a_buffer_made_elsewhere_is_named_with_its_shape_and_dtype():
    class Filter:
        def __init__(self):
            self.state = np.zeros((2, 3), dtype=np.float32)

        def nll(self, p):
            self.state[0, :] = p
            return np.sum(self.state)
    with pytest.raises(TypeError) as info:
        dg.jacobian(Filter().nll, np.ones(3))
    text = str(info.value)
    assert text.startswith("dualgrad.jacobian: self.state[0, :] = ... stores a dual number "
                           "into self.state, a plain NumPy array (float32, shape (2, 3)): ")
    assert "np.zeros_like(x, shape=(n,))" in text and "This buffer is float32" in text


def test_a_float32_item_store_names_the_dtype_and_drops_it_from_the_spelling():
    def f(x):
        out = np.zeros(3, dtype=np.float32)
        out[1] = x[0] * 2.0
        return out
    with pytest.raises(TypeError) as info:
        dg.jacobian(f, np.ones(2))
    text = str(info.value)
    assert "(float32, shape (3,), made at line" in text and "This buffer is float32" in text
    assert "make it out = np.zeros_like(x, shape=3) at line" in text


def test_a_buffer_bound_twice_names_both_lines():
    # no one line is claimed as the buffer's maker; since user70 (pyorb's rotation
    # matrix made in four branches) both are named, each with its spelling
    def f(x, twice=True):
        out = np.zeros(2)
        if twice:
            out = np.ones(2)
        out[0] = x[0]
        return out
    with pytest.raises(TypeError) as info:
        dg.hessian(lambda x: np.sum(f(x)), np.ones(2))
    text = str(info.value)
    assert text.startswith("dualgrad.hessian: out[0] = ... stores a dual number into out, "
                           "a plain NumPy array (float64, shape (2,)), which would drop")
    assert "made at line " not in text
    line = f.__code__.co_firstlineno
    assert f"Fix: out is made at lines {line + 1} and {line + 3}, and the one that ran " \
        f"here made a plain array of shape (2,); make out = np.zeros_like(x, shape=2) at " \
        f"line {line + 1}; out = np.ones_like(x, shape=2) at line {line + 3} (x's kind" \
        in text
    assert "isinstance" not in text


def test_outside_a_helper_the_message_says_dualgrad():
    from dualgrad import errors
    assert str(errors.store_into_plain()).startswith("dualgrad: storing a dual number")


# ---- 3. scipy.stats: one line of NumPy / scipy.special per common method ------------------
stats = pytest.importorskip("scipy.stats")
_X = np.array([0.4, 1.5, 4.0])
_K = np.array([0.0, 2.0, 5.0])
# distribution: (shape names, values of all parameters, x or k, discrete?)
_DISTS = {
    "norm": ((), {"loc": 0.3, "scale": 1.7}, np.array([-1.2, 0.4, 2.5])),
    "t": (("df",), {"df": 3.5, "loc": 0.3, "scale": 1.7}, np.array([-1.2, 0.4, 2.5])),
    "gamma": (("a",), {"a": 2.5, "loc": 0.1, "scale": 1.7}, _X),
    "beta": (("a", "b"), {"a": 2.5, "b": 1.5, "loc": 0.1, "scale": 2.0},
             np.array([0.3, 0.9, 1.6])),
    "expon": ((), {"loc": 0.1, "scale": 1.7}, _X),
    "lognorm": (("s",), {"s": 0.6, "loc": 0.1, "scale": 1.7}, _X),
    "poisson": (("mu",), {"mu": 2.3}, _K),
    "nbinom": (("n", "p"), {"n": 3.5, "p": 0.4}, _K),
    "binom": (("n", "p"), {"n": 10.0, "p": 0.35}, np.array([0.0, 3.0, 7.0])),
}
# first arguments of gammainc / betainc have no derivative in dualgrad's table
# (gammainc's and betainc's have since stats45: gamma's a, beta's a, b, nbinom's n are
# differentiated)
_FIXED = {("t", "cdf"): "df", ("t", "sf"): "df"}
_STATS_CASES = sorted(key for key in __import__("dualgrad.errors").errors._SCIPY_SPELLINGS
                      if isinstance(key, tuple) and key[0] in _DISTS)


def test_every_common_distribution_has_its_methods_spelled():
    want = {(d, m) for d in _DISTS for m in (("logpmf", "pmf") if d in ("poisson", "nbinom",
            "binom") else ("logpdf", "pdf")) + ("cdf", "sf")}
    assert want <= set(_STATS_CASES)


@pytest.mark.parametrize("dist, method", _STATS_CASES, ids=lambda v: str(v))
def test_a_stats_refusal_names_a_formula_with_scipys_value_and_derivative(dist, method):
    shapes, values, x = _DISTS[dist]
    if method == "ppf":
        x = np.array([0.1, 0.5, 0.8])
    diff = [n for n in values if n not in _FIXED.get((dist, method), "")
            and not (dist == "binom" and n == "n")]
    q0 = np.array([values[n] for n in diff])

    def scipy_call(q):
        v = {**values, **dict(zip(diff, q))}
        extra = {} if "loc" not in v else {"loc": v["loc"], "scale": v["scale"]}
        return getattr(getattr(stats, dist), method)(x, *[v[s] for s in shapes], **extra)

    def spelled(q):
        return _spelled(spelling, {**values, **dict(zip(diff, q)), "x": x, "k": x, "q": x})
    spelling = __import__("dualgrad.errors").errors._SCIPY_SPELLINGS[(dist, method)]
    with pytest.raises(TypeError) as info:
        dg.gradient(lambda q: np.sum(scipy_call(q)), q0)
    text = str(info.value)
    assert text.startswith(f"dualgrad.gradient: scipy.stats.{dist}.{method} ")
    assert f"Fix: use dualgrad.scipy.stats.{dist}.{method} " in text     # stats43's drop-in
    assert f"; or write that step as {spelling}" in text
    np.testing.assert_allclose(spelled(q0), scipy_call(q0), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(dg.gradient(lambda q: np.sum(spelled(q)), q0),
                               _central(lambda q: np.sum(scipy_call(q)), q0), rtol=1e-8)


def test_a_frozen_distribution_names_where_its_parameters_come_from():
    with pytest.raises(TypeError) as info:
        dg.derivative(lambda m: stats.poisson(m).logpmf(3.0), 2.3)
    assert "scipy.stats.poisson(...).logpmf" in str(info.value)
    assert "scipy.special.xlogy(k, mu) - mu - scipy.special.gammaln(k + 1) (loc, scale and " \
           "the shapes: those given to scipy.stats.poisson(...))" in str(info.value)
    with pytest.raises(TypeError, match=r"with z = \(x - loc\) / scale \(loc=0 and scale=1 "
                                        r"where your call gave none\)"):
        dg.derivative(lambda s: stats.lognorm.logpdf(1.5, s), 0.6)


# ---- 4. an np.r_ array built and never read: the warning names that line and the fix ----
def test_an_unread_np_r_array_names_its_line_and_np_concatenate():
    """user42: the warning blamed a library and an except clause f did not have."""
    def f(p):
        theta = np.r_[p, 0.0]                      # built, never read
        return np.sum(np.exp(p))
    with pytest.warns(dg.CaughtErrorWarning) as record:
        g = dg.gradient(f, np.array([0.1, 0.2]))
    text = str(record[0].message)
    assert re.search(r"^dualgrad\.gradient: np\.r_\[p, 0\.0\] in f, line \d+ made a NumPy "
                     r"object array .*Fix: write np\.concatenate\(\[p, \[0\.0\]\]\) for "
                     r"np\.r_\[p, 0\.0\]", text)
    assert "a library most likely refused it" not in text
    np.testing.assert_allclose(g, np.exp([0.1, 0.2]), rtol=1e-15)

    def fixed(p):                                   # the named spelling, read this time
        return np.sum(np.exp(np.concatenate([p, [0.0]])))
    np.testing.assert_allclose(dg.gradient(fixed, np.array([0.1, 0.2])), np.exp([0.1, 0.2]),
                               rtol=1e-15)


def test_an_unread_np_c_array_and_a_constant_result_name_np_c():
    with pytest.raises(TypeError, match=r"np\.c_\[p, p\] in <lambda>, line \d+ made a NumPy "
                                        r"object array.*Fix: write np\.concatenate"):
        dg.gradient(lambda p: 0.0 * np.sum(np.c_[p, p].shape), np.array([0.1, 0.2]))
