"""A scalar dual with a plain float64 array (``n1 * np.cos(angles)``, ``x / k``) through
``dispatch._lean_small.lean_constant`` (issue 13, small58: the Fresnel row of
bench/corpus57.py makes three such products per call, each ~8 us on the general path's
way ``call_ufunc -> nested -> small -> _pair``).

Two oracles: the general path itself (``dispatch._ufuncs.call``, which the lean
function short-cuts) to the bit, values and partials; and, independent of dualgrad, the
analytic derivatives (the product, quotient and power rules, arctan2's and hypot's
closed forms) evaluated by NumPy on floats, to rounding.  A spy on ``_ufuncs._pair``
tells which way an operation went: the lean cases never reach it (they did before
small58), the cases it declines still do.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _loader
from dualgrad.dispatch import _lean_small, _ufuncs
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for
from _probes import same_bits, spy_on  # noqa: E402

RNG = np.random.default_rng(58)


@pytest.fixture
def pairs_run(monkeypatch):
    """The calls of ``_ufuncs._pair`` (the general small path of two operands)."""
    return spy_on(monkeypatch, _ufuncs, "_pair", lambda args, result: args[0].name)


@pytest.fixture
def lean_runs(monkeypatch, request):
    """The results ``lean_constant`` made (a spy on it: nothing where it declined), and
    ``lean_power_mixed``'s, which ``x ** k`` takes first on 1-D values with numba loaded
    (small64): its compiled entry points' (the scalar's ``_fast2_power`` calls it
    itself since small65, out of a module spy's sight)."""
    runs = []

    def record(args, result):
        if result is not None:
            runs.append(1)
    for name in ("lean_constant", "lean_power_mixed"):
        spy_on(monkeypatch, _lean_small, name, record, after=True)
    # (a plain array first, x / k: the scalar's __array_ufunc__ calls lean_constant
    # itself since small70, out of the module spy's sight)
    from dualgrad.dual import _scalar
    spy_on(monkeypatch, _scalar, "lean_constant", record, after=True)
    if _loader.READY:
        cells = _lean_small._POWER_MIXED
        for base in (0, 1):
            entry = cells[base] or backend.power_mixed_entry(base)

            def entered(*args, entry=entry):
                made = entry(*args)
                if made:
                    runs.append(1)
                return made
            cells[base] = entered
            request.addfinalizer(lambda base=base, entry=entry: cells.__setitem__(base, entry))
        # (small72: u ** k's / k ** u's entries by NumPy's loops, tried first, likewise)
        for loops, made in ((backend.EXPONENT_LOOPS, backend.exponent_loops_made),
                            (backend.BASE_LOOPS, backend.base_loops_made)):
            entry = loops[0] if loops[0] is not None else made()
            if entry:
                def looped(*args, entry=entry):
                    made = entry(*args)
                    if made:
                        runs.append(1)
                    return made
                loops[0] = looped
                request.addfinalizer(lambda loops=loops, entry=entry: loops.__setitem__(0, entry))
    return runs


@pytest.fixture(params=["kernel", "numpy"])
def engine(request, monkeypatch):
    """Numba loaded or not (NumPy's passes: the state of bench_corpus's rows)."""
    if request.param == "numpy":
        monkeypatch.setattr(_loader, "READY", False)
        monkeypatch.setattr(_loader, "LOAD_AFTER", 10 ** 18)
    else:
        _loader.load()
    return request.param


_bits = same_bits


# spelling, ufunc, the scalar first?, d/dk of k (op) x as a function of (c, x) on floats
CONSTANT = {
    "k * x": (lambda k, x: k * x, np.multiply, True, lambda c, x: x),
    "x * k": (lambda k, x: x * k, np.multiply, False, lambda c, x: x),
    "k + x": (lambda k, x: k + x, np.add, True, lambda c, x: np.ones_like(x)),
    "x - k": (lambda k, x: x - k, np.subtract, False, lambda c, x: -np.ones_like(x)),
    "k - x": (lambda k, x: k - x, np.subtract, True, lambda c, x: np.ones_like(x)),
    "k / x": (lambda k, x: k / x, np.true_divide, True, lambda c, x: 1.0 / x),
    "x / k": (lambda k, x: x / k, np.true_divide, False, lambda c, x: -x / c ** 2),
    "k ** x": (lambda k, x: k ** x, np.power, True, lambda c, x: x * c ** (x - 1.0)),
    "x ** k": (lambda k, x: x ** k, np.power, False, lambda c, x: np.log(x) * x ** c),
    "np.arctan2(k, x)": (lambda k, x: np.arctan2(k, x), np.arctan2, True,
                         lambda c, x: x / (c * c + x * x)),
    "np.arctan2(x, k)": (lambda k, x: np.arctan2(x, k), np.arctan2, False,
                         lambda c, x: -x / (c * c + x * x)),
    "np.hypot(x, k)": (lambda k, x: np.hypot(x, k), np.hypot, False,
                       lambda c, x: c / np.hypot(x, c)),
}


@pytest.mark.parametrize("name", sorted(CONSTANT))
@pytest.mark.parametrize("shape, n", [((15,), 2), ((3,), 1), ((10,), 4), ((2, 3), 2),
                                      ((1,), 3)])
def test_constant_bits_oracle_and_way(name, shape, n, engine, pairs_run, lean_runs):
    op, ufunc, first, dk = CONSTANT[name]
    tag = new_tag()
    k = dg.Dual(0.7, RNG.standard_normal(n), tag=tag)
    x = RNG.uniform(0.5, 2.0, shape)
    got = op(k, x)
    assert pairs_run == [], pairs_run             # (the general way ran _pair before)
    assert lean_runs == [1]
    want = call(rule_for(ufunc), (k, x) if first else (x, k))
    _bits(got, want)
    np.testing.assert_array_equal(got.value, op(0.7, x))
    expected = dk(0.7, x)[..., None] * np.asarray(k.partials)
    np.testing.assert_allclose(got.partials, expected, rtol=1e-14, atol=1e-15)


def test_fresnel_row_through_jacobian(pairs_run):
    """bench/corpus57.py's Fresnel reflectances against their closed-form derivatives
    (Snell's law: d(alpha2)/d(n1) = sin(alpha1) / (n2 cos(alpha2)), ...), and no
    operation of the call on the general small path."""
    alpha = np.radians(np.arange(5.0, 80.0, 5.0))

    def f(q):
        n1, n2 = q[0], q[1]
        a2 = np.arcsin(n1 / n2 * np.sin(alpha))
        a, b = n1 * np.cos(alpha), n2 * np.cos(a2)
        return (a - b) / (a + b)

    n1, n2 = 1.0, 1.5
    J = dg.jacobian(f, np.array([n1, n2]))
    assert pairs_run == [], pairs_run
    s, c1 = np.sin(alpha), np.cos(alpha)
    a2 = np.arcsin(n1 / n2 * s)
    c2 = np.cos(a2)
    da2 = np.stack([s / (n2 * c2), -n1 * s / (n2 ** 2 * c2)], axis=-1)
    a, b = n1 * c1, n2 * c2
    da = np.stack([c1, 0 * c1], axis=-1)
    db = np.stack([0 * c2, c2], axis=-1) - (n2 * np.sin(a2))[:, None] * da2
    want = ((da - db) * (a + b)[:, None] - (a - b)[:, None] * (da + db)) / \
        ((a + b) ** 2)[:, None]
    # (the loop's tangent converges with its iterate; its last step, below tol = 1e-15,
    # leaves ~1e-13 of the tangent's own: the loop's derivative, not the limit's)
    np.testing.assert_allclose(J, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("spelling", ["k * x", "x / k", "k / x", "k - x"])
def test_constant_nonfinite_and_special_values(spelling, engine):
    """Zeros, subnormals, huge, infinite and NaN entries of x, and k at 0 or tiny: the
    lean result (or its careful path) is the general path's to the bit, warnings alike."""
    op, ufunc, first, _ = CONSTANT[spelling]
    x = np.array([0.0, -0.0, 1e-310, 1e308, np.inf, -np.inf, np.nan, 2.0])
    for c in (0.7, 0.0, 1e-300, -1e300):
        tag = new_tag()
        k = dg.Dual(c, [1.0, -2.0], tag=tag)
        with warnings.catch_warnings(record=True) as got_w:
            warnings.simplefilter("always")
            got = op(k, x)
        with warnings.catch_warnings(record=True) as want_w:
            warnings.simplefilter("always")
            want = call(rule_for(ufunc), (k, x) if first else (x, k))
        _bits(got, want)
        assert sorted(str(w.message) for w in got_w) == \
            sorted(str(w.message) for w in want_w)


def test_underflowed_quotient_goes_the_careful_way(pairs_run):
    """x / k with a factor -x / k**2 below the smallest normal number: the general
    path's two-step quotient (``_tiny``), not the product of the rounded factor."""
    tag = new_tag()
    k = dg.Dual(1e200, [1e200, 1.0], tag=tag)
    x = np.array([1e-120, 3.0, 1e-300])
    got = x / k
    want = call(rule_for(np.true_divide), (x, k))
    _bits(got, want)
    # direction 0: -x dk / k**2 = -x 1e200 / 1e400, a subnormal -1e-320 for x[0] (to
    # the subnormal's spacing, 5e-324), -3e-200 for x[1]
    np.testing.assert_allclose(got.partials[:2, 0], [-1e-320, -3e-200], rtol=1e-3)


def test_constant_declines(pairs_run, lean_runs):
    """0-d and subclassed arrays, escaped duals, nested and complex scalars, selection
    rules: the general path, its results and errors (an integer array: lean since
    rows62; a complex array: the complex lean line since complex68)."""
    tag = new_tag()
    k = dg.Dual(0.7, [1.0, 2.0], tag=tag)
    got = k * np.array([1, 2, 3])                  # int64: lean, promoted as call
    np.testing.assert_array_equal(got.partials, [[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    assert lean_runs == [1]                        # promotes it (rows62; the general
    lean_runs.clear()                              # loop before: tests/test_rows62.py)
    got = k * np.array([1.0 + 1j, 2.0])            # complex128: the complex lean
    np.testing.assert_allclose(got.partials, [[1.0 + 1j, 2.0 + 2j], [2.0, 4.0]])
    assert lean_runs == [1]                        # line since complex68
    lean_runs.clear()
    got = k * np.array(3.0)                        # 0-d: a scalar result
    np.testing.assert_allclose(np.asarray(got.partials), [3.0, 6.0])
    got = np.maximum(k, np.array([0.5, 1.0]))      # a selection rule
    np.testing.assert_array_equal(got.partials, [[1.0, 2.0], [0.0, 0.0]])
    assert lean_runs == []
    kc = dg.Dual(0.7 + 1j, [1.0, 0.0], tag=tag)
    got = kc * np.array([1.0, 2.0])
    np.testing.assert_allclose(got.value, [0.7 + 1j, 1.4 + 2j])
    assert lean_runs == []

    escaped = []
    dg.jacobian(lambda q: escaped.append(q[0]) or q, np.array([1.0, 2.0]))
    with pytest.raises(Exception) as lean_err:
        escaped[0] * np.array([1.0, 2.0])
    with pytest.raises(Exception) as general_err:
        call(rule_for(np.multiply), (escaped[0], np.array([1.0, 2.0])))
    assert type(lean_err.value) is type(general_err.value)
    assert str(lean_err.value) == str(general_err.value)
    assert lean_runs == []


def test_nested_scalar_with_array_is_second_order_exact():
    """A Hessian through k * x and x / k (nested scalar duals: declined, the general
    path), against the analytic second derivatives."""
    x = np.array([0.3, -1.2, 2.0])

    def f(q):
        return np.sum((q[0] * x) ** 2 / q[1])       # a^2 |x|^2 / b

    a, b = 1.3, 0.9
    s = np.sum(x ** 2)
    want = np.array([[2 * s / b, -2 * a * s / b ** 2],
                     [-2 * a * s / b ** 2, 2 * a ** 2 * s / b ** 3]])
    np.testing.assert_allclose(dg.hessian(f, np.array([a, b])), want, rtol=1e-13)


# ---- Kepler's Newton loop (bench/corpus57.py): scalar duals' sin, cos, abs and < ------

_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e308, -1e308, 5e-324, -5e-324, 1e-300,
           np.inf, -np.inf, np.nan, 709.5, 1e22, -1e22, 2.0 ** 60, np.pi, 7.0e15] + \
    [float(v) for v in np.random.default_rng(580).uniform(-50.0, 50.0, 400)] + \
    [float(v) for v in 10.0 ** np.random.default_rng(581).uniform(-300.0, 300.0, 200)]


@pytest.mark.parametrize("ufunc", [np.sin, np.cos, np.absolute])
def test_scalar_value_twins_give_numpys_bits(ufunc):
    """np.sin / np.cos / abs of a scalar dual: the value NumPy's on the float, bit for
    bit (finite floats take the exact twin, math.sin / math.cos / abs: the value of f),
    the partials the general path's (``call``), the warnings NumPy's."""
    rule = rule_for(ufunc)
    for v in _FLOATS:
        tag = new_tag()
        d = dg.Dual(v, [1.0, -0.5], tag=tag)
        with warnings.catch_warnings(record=True) as got_w:
            warnings.simplefilter("always")
            got = abs(d) if ufunc is np.absolute else ufunc(d)
        with warnings.catch_warnings(record=True) as want_w:
            warnings.simplefilter("always")
            want = ufunc(np.float64(v))
        assert np.float64(got.value).tobytes() == want.tobytes(), (v, got.value, want)
        assert [str(w.message) for w in got_w] == [str(w.message) for w in want_w], v
        general = call(rule, (d,))
        assert np.asarray(got.partials).tobytes() == np.asarray(general.partials).tobytes()


def test_scalar_value_twins_in_the_generated_class():
    """The generated scalar class computes sin, cos and abs of a finite float by their
    exact twins, not by a NumPy call (small58: ~90 ns of np.sin(d)'s ~940)."""
    from dualgrad.dual import _scalar
    source = _scalar._kept_source(2)[0]
    for name, twin in (("sin", "math.sin"), ("cos", "math.cos"), ("absolute", "abs")):
        body = source[source.index(f"def _fast_{name}(a):"):]
        body = body[:body.index("\ndef ")]
        assert f"out = {twin}(x) if x - x == 0.0 else float(_u_{name}(x))" in body, body


@pytest.mark.parametrize("spelling", ["<", "<=", ">", ">="])
def test_scalar_comparisons_with_a_float(spelling, monkeypatch):
    """d < 1e-15 (a Newton loop's stop test): the floats' own answer at every pair of
    special values, noted as a comparison (errors.MADE), without ``primal``'s two calls
    (small58); a NumPy float or another dual still goes through ``primal``."""
    import operator

    from dualgrad import errors
    from dualgrad.dual import _base
    op = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[spelling]
    calls = []
    real = _base.primal

    def spy(x):
        calls.append(1)
        return real(x)
    monkeypatch.setattr(_base, "primal", spy)
    tag = new_tag()
    special = [0.0, -0.0, 1e-15, -1.0, 5e-324, np.inf, -np.inf, np.nan, 2.5]
    for v in special:
        d = dg.Dual(v, [1.0, 2.0], tag=tag)
        for w in special:
            before = errors.MADE.compared_at
            got = op(d, w)
            assert type(got) is bool and got == op(v, w), (v, w)
            assert errors.MADE.compared_at > before
    assert calls == []
    d = dg.Dual(0.5, [1.0, 2.0], tag=tag)
    assert op(d, np.float64(0.25)) == op(0.5, 0.25)
    assert op(d, dg.Dual(0.25, [0.0, 1.0], tag=tag)) == op(0.5, 0.25)
    assert calls


def test_kepler_row_through_jacobian():
    """bench/corpus57.py's Kepler row (every operation of its loop on the scalar fast
    path) against the implicit function theorem:
    E - e sin E = M, dE/dM = 1 / (1 - e cos E), dE/de = sin E / (1 - e cos E)."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        from corpus57 import KEPLER_M, kepler_anomalies
    finally:
        sys.path.pop(0)
    q = np.array([0.1, 0.3])
    J = dg.jacobian(kepler_anomalies, q)
    E = kepler_anomalies(q)
    np.testing.assert_allclose(E - 0.3 * np.sin(E), KEPLER_M + 0.1, rtol=0, atol=1e-14)
    den = 1.0 - 0.3 * np.cos(E)
    want = np.stack([1.0 / den, np.sin(E) / den], axis=-1)
    # (the loop's tangent converges with its iterate; its last step, below tol = 1e-15,
    # leaves ~1e-13 of the tangent's own: the loop's derivative, not the limit's)
    np.testing.assert_allclose(J, want, rtol=1e-12, atol=1e-15)
