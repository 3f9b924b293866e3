"""Every rule of the table against an oracle that does not read the table, on every path.

The oracle (tests/_oracles.py) differentiates an mpmath twin of each function at 40
digits; each path must agree to 1e-12 relative at fixed points, so a rule off by
1e-7 relative fails here whichever path it reaches:

* the array path with NumPy propagation and with the numba kernels forced (for the
  rules with generated kernels, the test checks that the generated kernel ran);
* the scalar fast path (generated per number of partials in dualgrad/_scalar.py),
  through the ufunc and through the operator spelling;
* users' ``@njit`` code (dualgrad/_numba_dual.py), every spelling: ufunc, operator,
  ``math`` function.

Kinks and ties: each rule's ``kink`` text names its convention; ``KINKS`` maps that
text to exact expected derivatives, asserted bit for bit on every path.  A new
convention in the table needs its entry here, so the tests follow the table.
"""

import math
import operator

import numpy as np
import pytest

import _oracles
import dualgrad as dg
from dualgrad import _kernels, _rules
from dualgrad._base import new_tag

_rules._load_scipy()
SMOOTH = [r for r in _rules.RULES.values() if r.kind == "smooth"]
_OPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
        "truediv": operator.truediv, "pow": operator.pow, "mod": operator.mod}


def _mixes(rule):
    """Which arguments carry partials: every mix the rule differentiates."""
    ok = [d is not None for d in rule.derivs]
    if rule.ufunc.nin == 1:
        return [(0,)]
    mixes = [(0,), (1,), (0, 1)]
    return [m for m in mixes if all(ok[k] for k in m)]


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
def test_oracle_is_the_function(rule, mix):
    """The mpmath twin computes the ufunc (else the oracle would check the wrong thing)."""
    for p in _oracles.points(rule):
        v = _oracles.value(rule.name, p)
        if v is not None:
            _oracles.assert_close(v, rule.ufunc(*p), f"{rule.name}{p}", rtol=1e-14)


@pytest.mark.parametrize("path", ["numpy", "numba"])
@pytest.mark.parametrize("rule, mix", CASES)
def test_array_path_matches_oracle(rule, mix, path, monkeypatch):
    pts = _oracles.points(rule)
    want = _wanted(rule, pts, mix)
    calls = []
    if path == "numba":
        kernels = _kernels._rule_kernels()
        cases = kernels.get(rule.ufunc, {})
        monkeypatch.setitem(kernels, rule.ufunc, {
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
