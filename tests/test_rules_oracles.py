"""Every rule of the table against an oracle that does not read the table, on every path.

The oracle (tests/_oracles.py) differentiates an mpmath twin of each function at 40
digits; each path must agree to 1e-12 relative at fixed points, so a rule off by
1e-7 relative fails here whichever path it reaches:

* the array path with NumPy propagation and with the numba kernels forced (for the
  rules with generated kernels, the test checks that the generated kernel ran);
* the scalar fast path (generated per number of partials in dualgrad/dual/_scalar.py),
  through the ufunc and through the operator spelling;
* users' ``@njit`` code (dualgrad/jit/_numba_dual.py), every spelling: ufunc, operator,
  ``math`` function.

Kinks and ties: each rule's ``kink`` text names its convention; ``KINKS`` maps that
text to exact expected derivatives, asserted bit for bit on every path.  A new
convention in the table needs its entry here, so the tests follow the table.
"""

import math
import operator

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc

import _oracles
import dualgrad as dg
from dualgrad.rules import _table as _rules
from dualgrad.backend import _kernels
from dualgrad.dual._base import new_tag

_rules._load_scipy()
SMOOTH = [r for r in _rules.RULES.values() if r.kind == "smooth"]
_OPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
        "truediv": operator.truediv, "pow": operator.pow, "mod": operator.mod}


def _mixes(rule):
    """Which arguments carry partials: each differentiable one alone, then all of them."""
    ok = [k for k, d in enumerate(rule.derivs) if d is not None]
    return [(k,) for k in ok] + ([tuple(ok)] if len(ok) > 1 else [])


def _wanted(rule, pts, mix):
    """Oracle derivatives, shape ``(len(pts), len(mix))``."""
    return np.array([[_oracles.derivative(rule.name, p, k) for k in mix] for p in pts])


def _array_partials(rule, pts, mix, spelling):
    """Partials of ``spelling`` on array duals: column j is d/d argument ``mix[j]``."""
    tag = new_tag()
    cols = np.asarray(pts, dtype=object).T if rule.ufunc.nin > 1 else [[p[0] for p in pts]]
    args = []
    for k, col in enumerate(cols):
        x = np.array(col, dtype=float if rule.domain[k][-1] != "int" else int)
        if k in mix:
            seed = np.zeros((len(pts), len(mix)))
            seed[:, mix.index(k)] = 1.0
            x = dg.Dual(x.astype(float), seed, tag=tag)
        args.append(x)
    out = spelling(*args)
    np.testing.assert_array_equal(out.value, rule.ufunc(*[a.value if isinstance(a, dg.Dual)
                                                           else a for a in args]))
    return out.partials


def _spellings(rule):
    yield "ufunc", rule.ufunc
    if rule.operator in _OPS:
        yield rule.operator, _OPS[rule.operator]


def _recording(calls, duals, kernel):
    return lambda *args: calls.append(duals) or kernel(*args)


CASES = [pytest.param(rule, mix, id=f"{rule.name}{list(mix)}")
         for rule in SMOOTH for mix in _mixes(rule)]


@pytest.mark.parametrize("rule, mix", CASES)
@pytest.mark.engine_independent
def test_oracle_is_the_function(rule, mix):
    """The mpmath twin computes the ufunc (else the oracle would check the wrong thing)."""
    for p in _oracles.points(rule):
        v = _oracles.value(rule.name, p)
        if v is not None:
            _oracles.assert_close(v, rule.ufunc(*p), f"{rule.name}{p}", rtol=1e-14)


@pytest.mark.parametrize("path", ["numpy", "numba", "auto"])   # auto: small arrays' path
@pytest.mark.parametrize("rule, mix", CASES)
@pytest.mark.engine_independent
def test_array_path_matches_oracle(rule, mix, path, monkeypatch):
    pts = _oracles.points(rule)
    want = _wanted(rule, pts, mix)
    calls = []
    if path == "numba":
        from dualgrad.backend import _rule_kernels
        cases = _rule_kernels.kernels(rule.ufunc)
        monkeypatch.setitem(_rule_kernels.KERNELS, rule.ufunc, {
            duals: tuple(_recording(calls, duals, kern) for kern in pair)
            for duals, pair in cases.items()})
    for name, spelling in _spellings(rule):
        calls.clear()
        with _kernels.use(path):
            got = _array_partials(rule, pts, mix, spelling)
        _oracles.assert_close(got, want, f"{rule.name} {name} mix={mix} path={path}")
        if path == "numba" and tuple(mix) in cases and name == "ufunc":
            assert calls == [tuple(mix)], "the generated kernel did not run"


@pytest.mark.parametrize("rule, mix", CASES)
@pytest.mark.engine_independent
def test_scalar_fast_path_matches_oracle(rule, mix):
    pts = _oracles.points(rule)
    want = _wanted(rule, pts, mix)
    for n in (len(mix), 17):                 # slot classes and the vector class
        for name, spelling in _spellings(rule):
            got = []
            for p in pts:
                tag = new_tag()
                args = []
                for k, a in enumerate(p):
                    if k in mix:
                        seed = [0.0] * n
                        seed[mix.index(k)] = 1.0
                        a = dg.Dual(float(a), seed, tag=tag)
                    args.append(a)
                out = spelling(*args)
                assert out.value == rule.ufunc(*p)
                got.append(np.asarray(out.partials)[:len(mix)])
                assert not np.any(np.asarray(out.partials)[len(mix):])
            _oracles.assert_close(got, want, f"{rule.name} {name} mix={mix} n={n}")


def test_every_smooth_rule_has_an_oracle_and_reaches_its_points():
    assert [r.name for r in SMOOTH if not _oracles.has_oracle(r)] == []
    for rule in SMOOTH:
        for k, d in enumerate(rule.derivs):
            if d not in (None, "0") and rule.name not in _oracles.CLOSED:
                # a rule whose derivative vanishes at every point could hide a wrong factor
                assert any(_oracles.derivative(rule.name, p, k) != 0.0
                           for p in _oracles.points(rule)), (rule.name, k)


# ---- kinks and ties: exact, on every path ------------------------------------------------
_NAN = float("nan")


def _ties(a, b):
    def cases(rule):
        return [((1.5, 1.5), (a, b)), ((-2.0, -2.0), (a, b)), ((0.0, -0.0), (a, b))]
    return cases


# a clause of a rule's ``kink`` text -> cases(rule): [(point, expected per argument)],
# None where that argument is not checked
_CLAUSES = {
    "0 at x = 0": lambda rule: [((0.0,), (0.0,)), ((-0.0,), (0.0,))] if rule.ufunc.nin == 1
    else [((0.0, 1.0), (0.0, None)), ((-0.0, -2.0), (0.0, None))],
    "inf at 0": lambda rule: [((0.0,), (math.inf,))],
    "nan at (0, 0)": lambda rule: [((0.0, 0.0), (_NAN, _NAN))],
    "0 at (0, 0)": lambda rule: [((0.0, 0.0), (0.0, 0.0)), ((-0.0, 0.0), (0.0, 0.0))],
    "d/dx x**0 = 0": lambda rule: [((0.0, 0.0), (0.0, None)), ((2.5, 0.0), (0.0, None)),
                                   ((-1.5, 0.0), (0.0, None))],
    "d/dy 0**y = 0": lambda rule: [((0.0, 0.0), (None, 0.0)), ((0.0, 2.5), (None, 0.0)),
                                   ((0.0, 0.5), (None, 0.0))],
    "jumps where x / y is an integer": lambda rule: [
        ((x, y), (1.0, -(x / y))) for x, y in [(4.0, 2.0), (-4.0, 2.0), (4.0, -2.0),
                                                (3.0, 1.5)]],
    # remainder: NumPy's value is NaN at y = 0, and so is d/dy (-floor(x / 0) was -inf);
    # d/dx stays 1, as fmod's; x % inf of a negative x is inf, d/dy 1 there
    "d/dy NaN where the value is NaN (y = 0)": lambda rule: [
        ((1.0, 0.0), (1.0, _NAN)), ((-1.0, 0.0), (1.0, _NAN)), ((0.0, 0.0), (1.0, _NAN)),
        ((-1.0, math.inf), (1.0, 1.0)), ((1.0, math.inf), (1.0, 0.0))],
    "d/dy is 0 where x = 0": lambda rule: [((0.0, 2.0), (None, 0.0)),
                                           ((0.0, 0.5), (None, 0.0))],
    "0 slope term at x = 0": lambda rule: [((0.0,), (0.0,))],
    "a NaN wins": lambda rule: [((1.0, _NAN), (0.0, 1.0)), ((_NAN, 1.0), (1.0, 0.0))],
    "nan at the poles of digamma (x = 0, -1, ...)": lambda rule: [((0.0,), (_NAN,)),
                                                                  ((-1.0,), (_NAN,))],
    "jumps at x = 0 (d/dx 0)": lambda rule: [((0.0, 0.5), (0.0, 1.0)), ((-0.0, 2.0), (0.0, 1.0)),
                                             ((1.5, 0.5), (0.0, 0.0)),
                                             ((_NAN, 0.5), (0.0, 0.0))],
    # voigt_profile(x, sigma, gamma): SciPy's Lorentzian gamma / (pi (x**2 + gamma**2))
    # at sigma = 0, d/dgamma (x**2 - gamma**2) / (pi (x**2 + gamma**2)**2)
    "sigma = 0: the Lorentzian's, d/dsigma 0 (the limit from sigma > 0)": lambda rule: [
        ((0.0, 0.0, 1.0), (0.0, 0.0, -1.0 / math.pi)),
        ((2.0, 0.0, 0.0), (0.0, 0.0, 0.25 / math.pi)),
        ((-1.0, 0.0, 1.0), (0.5 / math.pi, 0.0, 0.0))],
    "nan at (0, 0, 0)": lambda rule: [((0.0, 0.0, 0.0), (_NAN, _NAN, _NAN))],
    "a NaN argument is ignored": lambda rule: [((1.0, _NAN), (1.0, 0.0)),
                                               ((_NAN, 1.0), (0.0, 1.0))],
    # special41: the incomplete gamma's density x**(a - 1) e**-x / gamma(a) at x = 0 (0 * log 0
    # was NaN at a = 1), +inf below a = 1 (the one-sided limit); betainc's at 0 and 1
    "x = 0: the limit x**(a - 1) / gamma(a)": lambda rule: [
        ((a, 0.0), (None, want if rule.name == "gammainc" else -want))
        for a, want in ((1.0, 1.0), (2.0, 0.0), (3.5, 0.0), (0.5, math.inf))],
    "x = 0 and 1: the limit x**(a - 1) (1 - x)**(b - 1) / beta(a, b)": lambda rule: [
        ((2.0, 1.0, 1.0), (None, None, 2.0)), ((1.0, 1.0, 0.0), (None, None, 1.0)),
        ((2.0, 3.0, 0.0), (None, None, 0.0)), ((3.0, 2.0, 1.0), (None, None, 0.0)),
        ((0.5, 2.0, 0.0), (None, None, math.inf)), ((2.0, 0.5, 1.0), (None, None, math.inf))],
    # stats44: betaincc (1 - betainc) the same density, negated
    "x = 0 and 1: minus the limit x**(a - 1) (1 - x)**(b - 1) / beta(a, b)": lambda rule: [
        ((2.0, 1.0, 1.0), (None, None, -2.0)), ((1.0, 1.0, 0.0), (None, None, -1.0)),
        ((2.0, 3.0, 0.0), (None, None, -0.0)), ((0.5, 2.0, 0.0), (None, None, -math.inf))],
    # chdtr(v, x): the chi-squared density at x = 0: 1/2 at v = 2, 0 above, +inf below
    # (chdtrc: negated)
    "x = 0: the chi-squared density's limit": lambda rule: [
        ((v, 0.0), (None, want if rule.name == "chdtr" else -want))
        for v, want in ((2.0, 0.5), (4.0, 0.0), (1.0, math.inf))],
    # binom's pmf C(n, k) p**k (1 - p)**(n - k) at p = 0 and 1: its one-sided derivatives
    # (stats45; stop 44 gave NaN, pmf 0 * inf, where the pmf is 0 there): at p = 0 -n for
    # k = 0, n for k = 1, 0 above; at p = 1 n for k = n, -n for k = n - 1, 0 below
    "p = 0, 1: the one-sided derivatives": lambda rule: [
        ((0, 5, 0.0), (None, None, -5.0)), ((5, 5, 1.0), (None, None, 5.0)),
        ((1, 5, 0.0), (None, None, 5.0)), ((4, 5, 1.0), (None, None, -5.0)),
        ((2, 5, 0.0), (None, None, 0.0)), ((3, 5, 1.0), (None, None, 0.0)),
        ((0, 5, 1.0), (None, None, 0.0)), ((5, 5, 0.0), (None, None, 0.0)),
        ((0, 1, 0.0), (None, None, -1.0)), ((1, 1, 1.0), (None, None, 1.0))],
    # nbinom's pmf p**n (1 - p)**k at p = 1: k = 0 d/dp n, d/dn 0; k > 0 d/dp NaN
    "p = 1: nan for k > 0": lambda rule: [
        ((0, 2.5, 1.0), (None, 0.0, 2.5)), ((1, 2.5, 1.0), (None, None, _NAN))],
    # stats45: the inverse incomplete gamma functions where y is at an end: the result is 0
    # or inf for every shape (d/d(shape) 0) and d/dy is one over the density's limit there
    # (NaN at an infinite result in stop 44: inf - inf in the density's exponent)
    "y at an end (the result 0 or inf): d/d(shape) 0, d/dy one over the density's limit "
    "there": lambda rule: {
        "gammaincinv": [((2.0, 1.0), (0.0, math.inf)), ((2.0, 0.0), (0.0, math.inf)),
                        ((0.5, 0.0), (0.0, 0.0)), ((1.0, 0.0), (0.0, 1.0)),
                        ((0.5, 1.0), (0.0, math.inf))],
        "gammainccinv": [((2.0, 0.0), (0.0, -math.inf)), ((2.0, 1.0), (0.0, -math.inf)),
                         ((0.5, 1.0), (0.0, 0.0)), ((1.0, 1.0), (0.0, -1.0))],
        "chdtri": [((3.0, 0.0), (0.0, -math.inf)), ((3.0, 1.0), (0.0, -math.inf)),
                   ((2.0, 1.0), (0.0, -2.0)), ((1.0, 1.0), (0.0, 0.0))]}[rule.name],
    "nan where the real value is nan (x < 0)": lambda rule: [((-1.5,), (_NAN,)),
                                                            ((-0.25,), (_NAN,))],
    "inf at m = 1": lambda rule: [((1.0,), (math.inf,))],
    "-inf at m = 1": lambda rule: [((1.0,), (-math.inf,))],
    "d/dy is 1 where x = 0": lambda rule: [((0.0, 2.0), (None, 1.0)), ((0.0, 0.0), (None, 1.0))],
    "nan where delta < 0": lambda rule: [((-1.0, 0.5), (_NAN, _NAN)), ((-0.5, -2.0), (_NAN, _NAN))],
    # pseudo_huber(delta, r) -> delta |r| - delta**2 + ... as delta -> 0+: SciPy's value
    # is 0 at delta = 0, d/ddelta |r|, d/dr 0
    "delta = 0: the limits from delta > 0": lambda rule: [
        ((0.0, 2.0), (2.0, 0.0)), ((0.0, -3.0), (3.0, 0.0)), ((0.0, 0.0), (0.0, 0.0))],
    # special48: d/dz 2F1(a, b; c; z) at z = 1 is Gauss's sum a b / c Gamma(c + 1)
    # Gamma(c - a - b - 1) / (Gamma(c - a) Gamma(c - b)) where c - a - b > 1 (1.5 and 4
    # for these), +inf where the series at z = 1 diverges
    "z = 1: Gauss's sum, inf where c - a - b <= 1": lambda rule: [
        ((1.0, 1.0, 4.0, 1.0), (None, None, None, 1.5)),
        ((1.0, 2.0, 5.0, 1.0), (None, None, None, 4.0)),
        ((0.5, 0.5, 1.5, 1.0), (None, None, None, math.inf)),
        ((0.5, 0.5, 2.0, 1.0), (None, None, None, math.inf))],
    # special48: SciPy's F(phi, m) and E(phi, m) are NaN for every m > 1 (their real part
    # exists for small phi): the slopes are NaN with them
    "nan for m > 1, as the value": lambda rule: [((0.5, 1.5), (_NAN, _NAN)),
                                                 ((2.0, 3.0), (_NAN, _NAN))],
}
_ALIASES = {"as power": "d/dx x**0 = 0; d/dy 0**y = 0"}


def kink_cases(rule):
    """The exact derivatives ``rule``'s ``kink`` text promises, as test cases."""
    import re
    text = _ALIASES.get(rule.kink, rule.kink)
    cases = []
    for clause in (c.strip() for c in text.split(";")):
        tie = re.fullmatch(r"ties split ([\d.]+) / ([\d.]+)", clause) or \
            re.fullmatch(r"ties: .*\(([\d.]+) / ([\d.]+)\)", clause)
        if tie:
            cases += _ties(float(tie[1]), float(tie[2]))(rule)
        elif clause in _CLAUSES:
            cases += _CLAUSES[clause](rule)
        else:
            raise AssertionError(f"{rule.name}: kink convention {clause!r} has no "
                                 "expectation in tests/test_rules_oracles.py: add one")
    return cases


KINKED = [r for r in SMOOTH if r.kink]
KINK_CASES = [pytest.param(rule, point, expected, id=f"{rule.name}{point}")
              for rule in KINKED for point, expected in kink_cases(rule)]


def _each_path(rule, point, mix):
    """``(path name, partials of shape (len(mix),))`` at ``point`` on every path."""
    for path in ("numpy", "numba"):
        with _kernels.use(path), np.errstate(all="ignore"):
            p = _array_partials(rule, [point] * 3, mix, rule.ufunc)
        yield f"array/{path}", p[1]
    tag = new_tag()
    for n in (len(mix), 17):
        args = []
        for k, a in enumerate(point):
            if k in mix:
                seed = [0.0] * n
                seed[mix.index(k)] = 1.0
                a = dg.Dual(float(a), seed, tag=tag)
            args.append(a)
        with np.errstate(all="ignore"):
            for name, spelling in _spellings(rule):
                yield f"scalar n={n} {name}", np.asarray(spelling(*args).partials)[:len(mix)]


def test_every_kink_convention_has_cases():
    assert [r.name for r in KINKED if not kink_cases(r)] == []


@pytest.mark.parametrize("rule, point, expected", KINK_CASES)
@pytest.mark.engine_independent
def test_kinks_are_exact_on_array_and_scalar_paths(rule, point, expected):
    for mix in _mixes(rule):
        want = [expected[k] for k in mix]
        if all(w is None for w in want):
            continue
        for path, got in _each_path(rule, point, mix):
            for w, g, k in zip(want, got, mix):
                if w is not None:
                    np.testing.assert_array_equal(
                        g, w, err_msg=f"{rule.name}{point} d/d arg {k}, mix={mix}, {path}")


# (numba types no np.heaviside, on floats either: it raises inside @njit, as NumPy's own)
JIT_KINKED = [r for r in KINKED if r.ufunc in vars(np).values() and r.ufunc is not np.heaviside]


@pytest.mark.parametrize("rule", JIT_KINKED, ids=[r.name for r in JIT_KINKED])
@pytest.mark.engine_independent
def test_kinks_are_exact_inside_jitted_code(rule):
    pytest.importorskip("numba")
    mixes = _mixes(rule)
    f = _oracles.jitted(rule.ufunc, mixes, rule.ufunc.nin)
    for point, expected in kink_cases(rule):
        with np.errstate(all="ignore"):
            J = dg.jacobian(f, *_oracles.jitted_inputs(rule, point))
        for j, mix in enumerate(mixes):
            for k in mix:
                if expected[k] is not None:
                    np.testing.assert_array_equal(
                        J[j, k], expected[k],
                        err_msg=f"{rule.name}{point} d/d arg {k}, mix={mix}")


# ---- a zero seed stays zero next to an infinite or NaN local derivative ------------
_BAD = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5])


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("path", ["numpy", "numba"])
@pytest.mark.parametrize("rule", SMOOTH, ids=[r.name for r in SMOOTH])
@pytest.mark.engine_independent
def test_zero_directions_stay_zero_next_to_infinite_local_derivatives(rule, path, n):
    """Direction 0 is seeded with zeros in every argument: whatever the local
    derivative at NaN, inf, 0 or +-1 (inf for sqrt at 0, NaN for log at -1), its
    partials must stay exactly 0, on both engines, flat (n = 1) and rows (n = 3)."""
    size = _BAD.size
    xs = [np.repeat(_BAD, size), np.tile(_BAD, size)][:rule.ufunc.nin]
    for _ in range(rule.ufunc.nin - 2):     # betainc's x, hyp2f1's z (special48)
        xs.append(np.full(size * size, 0.5))
    tag = new_tag()
    args = []
    for k, x in enumerate(xs):
        if rule.derivs[k] is None:
            args.append(np.round(np.nan_to_num(x, posinf=2.0, neginf=-2.0)).astype(int)
                        if rule.domain[k][-1] == "int" else np.full(x.shape, 1.5))
            continue
        p = np.zeros(x.shape + (n,))
        p[:, 1:] = 1.0
        args.append(dg.Dual(x, p, tag=tag))
    try:                    # Boost's cauchy quantile raises OverflowError at p = 0, 1
        with np.errstate(all="ignore"):
            rule.ufunc(*[a.value if isinstance(a, dg.Dual) else a for a in args])
    except OverflowError:   # (SciPy's own error): the duals raise it too
        with _kernels.use(path), np.errstate(all="ignore"), pytest.raises(OverflowError):
            rule.ufunc(*args)
        return
    with _kernels.use(path), np.errstate(all="ignore"):
        out = rule.ufunc(*args)
    assert np.all(out.partials[..., 0] == 0.0), rule.name


# ---- a guard on one argument keeps the other argument's derivative ------------------------
def _mixed_cases():
    cases = [("power", lambda v: v[0] ** v[1], (x, 0.0), 1.0 / x) for x in (2.0, 0.5, 3.0)]
    cases += [("float_power", lambda v: np.float_power(v[0], v[1]), (2.0, 0.0), 0.5)]
    try:
        import scipy.special as sc
    except ImportError:
        return cases
    cases += [("xlogy", lambda v: sc.xlogy(v[0], v[1]), (0.0, y), 1.0 / y) for y in (2.0, 0.5)]
    cases += [("xlog1py", lambda v: sc.xlog1py(v[0], v[1]), (0.0, 2.0), 1.0 / 3.0)]
    return cases


@pytest.mark.parametrize("f, point, mixed", [pytest.param(*c[1:], id=f"{c[0]}{c[2]}")
                                              for c in _mixed_cases()])
def test_a_guard_keeps_the_other_arguments_mixed_derivative(f, point, mixed):
    """``where(y == 0, 0, y * x**(y - 1))`` was d/dx x**y: right at y = 0, but its
    constant branch dropped d/dy of it, so the Hessian's mixed term at y = 0 came out
    half (and jacobian(grad) asymmetric, one side 0); xlogy's d/dy guard at x = 0 did
    the same.  The closed forms: d2/dxdy x**y = x**(y-1) (1 + y log x), 1 / x at
    y = 0; d2/dxdy x log y = 1 / y; x log1p(y): 1 / (1 + y)."""
    p = np.array(point)
    h = dg.hessian(f, p)
    jg = dg.jacobian(dg.grad(f), p)
    for m in (h, jg):
        np.testing.assert_allclose([m[0, 1], m[1, 0]], [mixed, mixed], rtol=1e-15)


# Points in the tails, where a local derivative written from the function's output or
# as 1 - x * x cancels: the old rows lost from 1e-9 relative (arcsin at 1 - 1e-8) to
# every digit (tanh at 25, expm1 at -40, expit at 40 gave 0).
TAILS = [("tanh", 10.0), ("tanh", 19.0), ("tanh", -25.0), ("expm1", -40.0),
         ("expm1", -36.5), ("arcsin", 1 - 1e-8), ("arcsin", -1 + 1e-10),
         ("arccos", 1 - 1e-8), ("arctanh", 1 - 1e-8), ("arctanh", -1 + 1e-10),
         ("expit", 20.0), ("expit", 40.0), ("log_ndtr", -1e5), ("log_ndtr", -30.0),
         # erfcx' as 2 x erfcx - 2 / sqrt(pi) lost ~2 x**2 ulps (3e-11 relative at 1e3,
         # 0 at 1e8); arcsinh' as 1 / sqrt(x * x + 1) was 0 from |x| ~ 1.3e154
         ("erfcx", 3.0001), ("erfcx", 5.0), ("erfcx", 30.0), ("erfcx", 1e3), ("erfcx", 1e8),
         ("arcsinh", 1e200), ("arcsinh", -1e300), ("arcsinh", 1.5e154),
         # i0e' = i1e - sign(x) i0e (and i1e') lost ~2|x| ulps: 3e-12 at 1e4, all at 1e16
         ("i0e", 30.0), ("i0e", 1e4), ("i0e", -1e8), ("i0e", 1e16),
         ("i1e", 20.5), ("i1e", 1e4), ("i1e", -1e8), ("i1e", 1e16),
         # 1 / (x ln 10) overflowed to 0 at 1e308 (the derivative is 4.3e-309)
         ("log10", 1e308), ("log10", 9e307), ("log2", 1.7e308), ("log10", 3e-308)]


# closed forms where mpmath's numerical diff steps too coarsely (it gave 0 at 1e200)
def _ive_slope(v, y):
    """d/dy exp(-|y|) I_v(y), for integer v (real for negative y too)."""
    s = 1 if y > 0 else -1
    return mp.re(mp.exp(-abs(y)) * ((mp.besseli(v - 1, y) + mp.besseli(v + 1, y)) / 2
                                    - s * mp.besseli(v, y)))


_TAIL_CLOSED = {"arcsinh": lambda x: 1 / mp.sqrt(x * x + 1),
                "erfcx": lambda x: 2 * x * mp.exp(x * x) * mp.erfc(x) - 2 / mp.sqrt(mp.pi),
                "i0e": lambda x: _ive_slope(0, x), "i1e": lambda x: _ive_slope(1, x),
                "log10": lambda x: 1 / (x * mp.log(10)), "log2": lambda x: 1 / (x * mp.log(2))}


@pytest.mark.parametrize("name, x", TAILS, ids=[f"{n}{x}" for n, x in TAILS])
@pytest.mark.engine_independent
def test_derivatives_keep_their_digits_in_the_tails(name, x):
    rule = next(r for r in SMOOTH if r.name == name)
    if name in _TAIL_CLOSED:
        with mp.workdps(60):
            want = [float(_TAIL_CLOSED[name](mp.mpf(x)))]
    else:
        want = [_oracles.derivative(name, (x,), 0)]
    for path, got in _each_path(rule, (x,), (0,)):
        _oracles.assert_close(got, want, f"{name}'({x}) on {path}", rtol=4e-15)


@pytest.mark.parametrize("point", [(1e200, 2e200), (-1e300, 1e-300), (1e-300, -1e300),
                                   (1e160, 1.0), (3e153, -2e154), (0.5, 3.0),
                                   (1e-300, 1e-300), (1e-170, -1e-170), (3e-160, 4e-160),
                                   (0.0, 1e-300), (-2e-308, 1e-307), (1e-101, 1e-100),
                                   (3e-160, 4e-100)])
def test_arctan2_keeps_its_gradient_where_the_squares_overflow(point):
    """y / (x * x + y * y) gave 0 once x * x + y * y overflowed (|x| ~ 1.3e154), and inf
    once it underflowed (|x| ~ 1e-154; 1e-5 off at 1e-160, where it is subnormal); the
    scaled branches give the unscaled formula's value to rounding (closed forms:
    mpmath's numerical diff steps too coarsely there and gives 0)."""
    rule = next(r for r in SMOOTH if r.name == "arctan2")
    with mp.workdps(60):
        x, y = map(mp.mpf, point)
        want = [float(y / (x * x + y * y)), float(-x / (x * x + y * y))]
    for path, got in _each_path(rule, point, (0, 1)):
        _oracles.assert_close(got, want, f"arctan2{point} on {path}", rtol=4e-15)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("point", [(3e-150, -4e-150), (1e-150, 2e-150), (-2e-120, 1e-120),
                                   (1e-104, 3e-104), (-5e-152, 1e-151)])
def test_arctan2_keeps_its_hessian_where_the_squares_underflow(point, engine):
    """The second derivatives run the rule on duals: they were NaN from 1e-103 (out / r**2
    overflowed in the quotient rule); closed forms -2xy / r**4, (y**2 - x**2) / r**4 in
    mpmath."""
    with mp.workdps(60):
        y, x = map(mp.mpf, point)
        r4 = (x * x + y * y) ** 2
        want = np.array([[float(-2 * x * y / r4), float((y * y - x * x) / r4)],
                         [float((y * y - x * x) / r4), float(2 * x * y / r4)]])
    with dg.engine(engine):
        got = dg.hessian(lambda v: np.arctan2(v[0], v[1]), np.array(point))
    np.testing.assert_allclose(got, want, rtol=1e-14, err_msg=f"arctan2{point}, {engine}")


@pytest.mark.parametrize("point", [(0.5, 1e4), (2.0, 1e8), (2.7, 40.0), (10.0, 1e3),
                                   (300.0, 45010.0), (299.0, 30000.0), (150.0, 5700.0),
                                   (60.0, 930.0)])
def test_ive_keeps_its_slope_for_large_arguments(point):
    """d/dy ive(v, y) as (ive(v-1, y) + ive(v+1, y)) / 2 - ive(v, y) lost ~2y ulps;
    Hankel's expansion beyond 20 + v**2 / 4 keeps them (mpmath at 60 digits; the
    switch was 20 + v**2, and at v = 300, y = 45010 the closed form was 2e-9 off)."""
    rule = next(r for r in SMOOTH if r.name == "ive")
    with mp.workdps(60):
        v, y = map(mp.mpf, point)
        want = [float(mp.exp(-y) * (mp.besseli(v - 1, y) + mp.besseli(v + 1, y)) / 2
                      - mp.exp(-y) * mp.besseli(v, y))]
    for path, got in _each_path(rule, point, (1,)):
        _oracles.assert_close(got, want, f"d/dy ive{point} on {path}", rtol=4e-15)


@pytest.mark.parametrize("point", [(300.0, 45010.0), (100.0, 5000.0)])
def test_ive_keeps_its_second_derivative_for_large_orders(point):
    """The Hessian runs the slope's expression on duals: the closed form's was 9e-5 off
    at v = 300 (mpmath: e**-y ((I(v-2) + 2 I(v) + I(v+2)) / 4 - (I(v-1) + I(v+1)) + I(v)))."""
    import scipy.special as sc
    v, y = point
    with mp.workdps(60):
        Y = mp.mpf(y)
        i = lambda m: mp.besseli(v + m, Y)                          # noqa: E731
        want = float(mp.exp(-Y) * ((i(-2) + 2 * i(0) + i(2)) / 4 - (i(-1) + i(1)) + i(0)))
    got = dg.hessian(lambda t: sc.ive(v, t[0]), np.array([y]))[0, 0]
    _oracles.assert_close(got, want, f"d2/dy2 ive{point}", rtol=1e-14)


@pytest.mark.parametrize("f, x, second", [
    (np.tanh, 20.0, lambda x: -2.0 / math.cosh(x) ** 2 * math.tanh(x)),
    (np.expm1, -40.0, math.exp),
    (np.arcsin, 1 - 1e-8, lambda x: x / ((1 - x) * (1 + x)) ** 1.5)])
def test_second_derivatives_in_the_tails(f, x, second):
    got = dg.hessian(lambda v: f(v[0]), np.array([x]))[0, 0]
    _oracles.assert_close(got, second(x), f"{f.__name__}''({x})", rtol=1e-14)


# ---- stop 27 (rules9): order-1 Bessel rows by recurrence, second derivatives kept -------

def _bessel_oracle(name, x, order):
    """d^order/dx^order of scipy.special.<name> at ``x`` in mpmath (60 digits), from
    identities of its own (J1' = (J0 - J2) / 2, J1'' = (J3 - 3 J1) / 4, as Y; I1' =
    (I0 + I2) / 2, I1'' = (3 I1 + I3) / 4; K1' = -K0 - K1 / x; i1e = e**-|x| I1)."""
    with mp.workdps(60):
        x = mp.mpf(x)
        J = {"j1": mp.besselj, "y1": mp.bessely}.get(name)
        if J is not None:
            return float((J(0, x) - J(2, x)) / 2 if order == 1 else (J(3, x) - 3 * J(1, x)) / 4)
        if name == "k1":
            K0, K1 = mp.besselk(0, x), mp.besselk(1, x)
            return float(-K0 - K1 / x if order == 1 else K1 + (K0 + K1 / x) / x + K1 / x ** 2)
        i = lambda v: mp.besseli(v, x)                              # noqa: E731
        d1, d2 = (i(0) + i(2)) / 2, (3 * i(1) + i(3)) / 4
        if name == "i1":
            return float(d1 if order == 1 else d2)
        s, e = mp.sign(x), mp.exp(-abs(x))                          # i1e
        return float(e * (d1 - s * i(1)) if order == 1 else e * (d2 - 2 * s * d1 + i(1)))


_BESSEL_POINTS = {
    "j1": [0.0, 1e-300, 1e-12, 1e-4, 0.3, -0.7, 0.999, 1.0, 1.001, 1.5, 3.0, 7.5, -25.0],
    "y1": [1e-100, 1e-8, 0.01, 0.3, 0.999, 1.001, 2.0, 7.5, 25.0],
    "i1": [0.0, 1e-300, 1e-12, 1e-4, 0.3, -0.7, 0.999, -1.0, 1.001, 1.5, 5.0, 20.0, 700.0],
    "i1e": [0.0, 1e-300, -1e-12, 1e-4, 0.3, -0.7, 0.999, 1.001, 25.0, -1e4],
    "k1": [1e-100, 1e-8, 0.01, 0.3, 0.999, 1.001, 2.0, 7.5, 100.0, 700.0]}
_BESSEL_CASES = [(n, x) for n, pts in _BESSEL_POINTS.items() for x in pts]


def test_order_one_bessel_rows_use_no_real_order_function():
    """j1, y1, i1, k1 and i1e differentiate by recurrence with the order-0 functions
    (Cephes): the real-order jv/yv/iv/kv/ive (AMOS) cost 4-70 times the function (y1's
    row was 70x y1 at N = 1e5 with yv(2.0, x))."""
    slow = {"sc.jv", "sc.yv", "sc.iv", "sc.kv", "sc.ive"}
    for name in ("j1", "y1", "i1", "k1", "i1e"):
        rule = next(r for r in SMOOTH if r.name == name)
        assert not rule.exprs[0].calls & slow, (name, rule.exprs[0].calls & slow)


@pytest.mark.parametrize("name, x", _BESSEL_CASES, ids=[f"{n}{x}" for n, x in _BESSEL_CASES])
@pytest.mark.engine_independent
def test_order_one_bessel_first_derivatives(name, x):
    """Within 4e-15 of mpmath on every path, from x = 0 (J1'(0) = I1'(0) = 1/2) and
    1e-300 to the tails (k1'(700) was 2x off by kv(2.0, 700)'s underflow)."""
    rule = next(r for r in SMOOTH if r.name == name)
    want = [_bessel_oracle(name, x, 1)]
    for path, got in _each_path(rule, (x,), (0,)):
        _oracles.assert_close(got, want, f"{name}'({x}) on {path}", rtol=4e-15)


def test_i1_derivative_is_inf_where_i1_overflows():
    """Beyond |x| ~ 709.8 i1 and i0 are inf (SciPy's overflow): i0 - i1 / x was inf - inf =
    NaN there; the derivative is +inf (I1' is even), as iv(2, x)'s form gave (SciPy's
    i1(inf) is NaN, and so is the derivative there)."""
    x = np.array([713.0, 800.0, -800.0, np.nan, np.inf])
    rule = next(r for r in SMOOTH if r.name == "i1")
    for path, got in _each_path(rule, (713.0,), (0,)):
        assert got[0] == np.inf, (path, got)
    got = dg.jacobian(lambda v: sc.i1(v), x).diagonal()
    np.testing.assert_array_equal(got, [np.inf, np.inf, np.inf, np.nan, np.nan])


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name, x", _BESSEL_CASES, ids=[f"{n}{x}" for n, x in _BESSEL_CASES])
@pytest.mark.engine_independent
def test_order_one_bessel_second_derivatives(name, x, engine):
    """The Hessian differentiates the row's expression: the recurrence's derivative
    (J1' - J1 / x) / x cancels near 0, so there the rows take J1' and I1''s series (was
    exact at 1e-300 for J1'' = -3x/8; I1''(1e-300) was 1/3 off with iv(2.0, x) and
    K1''(700) 1/2 off with kv(2.0, x))."""
    f = getattr(sc, name)
    with dg.engine(engine):
        got = dg.hessian(lambda v: f(v[0]), np.array([x]))[0, 0]
    _oracles.assert_close(got, _bessel_oracle(name, x, 2), f"{name}''({x}), {engine}",
                          rtol=4e-15)


# Second derivatives of the factored forms near 0 (they cancel: -(1 + x) + (1 - x)),
# closed forms in mpmath
_SECOND = {np.arcsin: lambda x: x / (1 - x * x) ** 1.5,
           np.arccos: lambda x: -x / (1 - x * x) ** 1.5,
           np.arctanh: lambda x: 2 * x / (1 - x * x) ** 2}


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("f", list(_SECOND), ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [1e-300, 1e-12, -3e-8, 1e-4, 0.3, -0.4999, 0.5, 0.51, 0.9,
                               1 - 1e-8])
@pytest.mark.engine_independent
def test_inverse_trig_second_derivatives_near_zero(f, x, engine):
    """arcsin''(1e-12) was 9e-5 off (1e-300: 0 for 1e-300): the factored form's own
    derivative cancels near 0; inside |x| < 1/2 the rows take 1 - x * x, a test of
    values only (value(x))."""
    with mp.workdps(60):
        want = float(_SECOND[f](mp.mpf(x)))
    with dg.engine(engine):
        got = dg.hessian(lambda v: f(v[0]), np.array([x]))[0, 0]
    _oracles.assert_close(got, want, f"{f.__name__}''({x}), {engine}", rtol=1e-14)


@pytest.mark.parametrize("f", [np.arcsin, np.arccos, np.arctanh], ids=lambda f: f.__name__)
@pytest.mark.parametrize("z", [1e-9 + 2e-9j, 0.3 - 0.1j, 0.2 + 5j, -3.0 + 0.5j, 1e200j])
def test_inverse_trig_complex_derivatives_across_the_switch(f, z):
    """Complex values inside and outside the disc |z| < 1/2 where the rows switch form:
    first derivatives against mpmath's (arcsin' = 1 / sqrt(1 - z**2), principal)."""
    with mp.workdps(60):
        Z = mp.mpc(z)
        want = {np.arcsin: 1 / mp.sqrt(1 - Z * Z), np.arccos: -1 / mp.sqrt(1 - Z * Z),
                np.arctanh: 1 / (1 - Z * Z)}[f]
        want = complex(want)
    got = complex(np.asarray(f(dg.Dual(np.array([z]), np.ones((1, 1)))).partials)[0, 0])
    assert abs(got - want) <= 1e-14 * abs(want), (f.__name__, z, got, want)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("f, point", [
    (lambda v: np.tanh(v[0]), (720.0,)), (lambda v: np.tanh(v[0]), (-1000.0,)),
    (lambda v: np.tanh(v[0]), (1e300,)),
    (lambda v: np.logaddexp(v[0], v[1]), (800.0, 0.0)),
    (lambda v: np.logaddexp(v[0], v[1]), (-1000.0, 1000.0)),
    (lambda v: np.logaddexp2(v[0], v[1]), (1100.0, 0.0)),
    (lambda v: sc.log_ndtr(v[0]), (40.0,)), (lambda v: sc.log_ndtr(v[0]), (1e10,))],
    ids=["tanh720", "tanh-1000", "tanh1e300", "logaddexp800", "logaddexp-1000,1000",
         "logaddexp2_1100", "log_ndtr40", "log_ndtr1e10"])
def test_second_derivatives_that_underflow_are_zero_not_nan(f, point, engine):
    """Every exact entry is below 1e-308 here (2 sech**2 tanh, p (1 - p) with p =
    e**-800, phi(x) x / Phi(x)): 0, where an overflowing intermediate (cosh, exp, erfcx)
    made the derivative of 1 / inf NaN."""
    with dg.engine(engine):
        got = dg.hessian(f, np.array(point))
    assert np.all(got == 0.0), got


def _log_ndtr_second(x):
    """(log Phi)'' = -x r - r**2 with r = phi / Phi (mpmath's diff of log(ncdf) steps
    through log(1) = 0 at x = 30)."""
    r = mp.npdf(x) / mp.ncdf(x)
    return -x * r - r * r


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("f, x, second", [
    (np.tanh, 30.0, lambda x: -2 * mp.tanh(x) / mp.cosh(x) ** 2),
    (np.tanh, -24.9, lambda x: -2 * mp.tanh(x) / mp.cosh(x) ** 2),
    (np.tanh, 25.1, lambda x: -2 * mp.tanh(x) / mp.cosh(x) ** 2),
    (np.tanh, 400.0, lambda x: -2 * mp.tanh(x) / mp.cosh(x) ** 2),
    (sc.log_ndtr, 30.0, _log_ndtr_second), (sc.log_ndtr, 5.0, _log_ndtr_second),
    (sc.log_ndtr, -5.0, _log_ndtr_second)],
    ids=["tanh30", "tanh-24.9", "tanh25.1", "tanh400", "log_ndtr30", "log_ndtr5",
         "log_ndtr-5"])
def test_second_derivatives_in_the_upper_tails(f, x, second, engine):
    """log_ndtr''(30) is -4.4e-195: it was -0 (an overflowing erfcx's reciprocal);
    tanh'' beyond the switch to 4 e**-2|x|.  log_ndtr's condition number is ~x**2 there
    (900 at 30), so 1e-12."""
    with mp.workdps(60):
        want = float(second(mp.mpf(x)))
    with dg.engine(engine):
        got = dg.hessian(lambda v: f(v[0]), np.array([x]))[0, 0]
    _oracles.assert_close(got, want, f"{f.__name__}''({x}), {engine}", rtol=1e-12)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("point", [(800.0, 0.0), (1.0, -3.0), (-3.0, 1.0), (2.5, 2.5)])
def test_logaddexp_first_and_second_derivatives(point, engine):
    """p = 1 / (1 + e**(y - x)): gradient (p, 1 - p), Hessian p (1 - p) [[1, -1], [-1, 1]]
    (mpmath), on both sides of the switch x >= y."""
    with mp.workdps(60):
        x, y = map(mp.mpf, point)
        p = 1 / (1 + mp.exp(y - x))
        g = [float(p), float(1 - p)]
        h = float(p * (1 - p))
    with dg.engine(engine):
        f = lambda v: np.logaddexp(v[0], v[1])          # noqa: E731
        np.testing.assert_allclose(dg.grad(f)(np.array(point)), g, rtol=1e-15)
        np.testing.assert_allclose(dg.hessian(f, np.array(point)), [[h, -h], [-h, h]],
                                   rtol=1e-14)


@pytest.mark.parametrize("point, want", [
    ((np.inf, 1.0), (0.0, 0.0)), ((-np.inf, 2.0), (0.0, 0.0)), ((1.0, np.inf), (0.0, 0.0)),
    ((-1.0, -np.inf), (0.0, 0.0)), ((np.inf, np.inf), (np.nan, np.nan)),
    ((np.nan, 1.0), (np.nan, np.nan)), ((1.0, np.nan), (np.nan, np.nan))])
def test_arctan2_at_infinite_arguments(point, want):
    """d/dx = y / (x**2 + y**2) is inf / inf at y = +-inf: its limit 1 / y, 0 where x
    is finite (it was NaN); NaN stays NaN, and at (inf, inf) the limit depends on the
    path."""
    rule = next(r for r in SMOOTH if r.name == "arctan2")
    for path, got in _each_path(rule, point, (0, 1)):
        np.testing.assert_array_equal(got, want, err_msg=f"arctan2{point} on {path}")


@pytest.mark.parametrize("f", [np.arcsin, np.arccos, np.arctanh, np.tanh],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("z", [0.3 + 0.1j, -0.2 - 0.05j, 1.5 + 0.5j, -3.0 + 0.5j])
def test_complex_second_derivatives_of_the_guarded_rows(f, z):
    """Holomorphic second derivatives, scalar and array forms, against the closed forms
    in mpmath: a value test inside a row (np.absolute(x) < 0.5, x * x > 5e5) raised on
    the nested complex duals (attack13 04)."""
    with mp.workdps(60):
        Z = mp.mpc(z)
        want = complex({np.arcsin: Z / (1 - Z * Z) ** 1.5, np.arccos: -Z / (1 - Z * Z) ** 1.5,
                        np.arctanh: 2 * Z / (1 - Z * Z) ** 2,
                        np.tanh: -2 * mp.tanh(Z) / mp.cosh(Z) ** 2}[f])
    scalar = complex(dg.derivative(lambda t: dg.derivative(f, t, holomorphic=True), z,
                                   holomorphic=True))
    array = complex(dg.hessian(lambda v: np.sum(f(v)), np.array([z]), holomorphic=True)[0, 0])
    for got in (scalar, array):
        assert abs(got - want) <= 1e-13 * abs(want), (f.__name__, z, got, want)
