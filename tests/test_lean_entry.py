"""The lean path's compiled entry points for unary rules on small 1-D values (stop 39,
small39): once numba is loaded, ``np.sin(a)``, ``np.exp(a)``, ``np.log(a)``... of an array
dual below ``backend.SMALL_BELOW`` partials elements call one numba entry point
(``backend.entry_cell``: ``_numba_kernels.scale_entry`` for a factor NumPy computes or
the value, a rule's generated ``*_entry`` kernel for arithmetic local derivatives)
without numba's dispatcher, at one signature of any layout, the kernel testing the
lengths.

Oracles: the analytic derivatives (``cos x``, ``exp x``, ``1 / x``, ``1 / (2 sqrt x)``,
``sech(x)**2``...) times the partials, in mpmath at 40 digits, to rounding
(``np.sin``'s ``cos x * p`` to the bit: the same product); the general NumPy path's
bits (``_kernels.use("numpy")``: no kernel, no lean function) for every unary smooth
rule of the table with a real result, for partials that are C-contiguous, strided,
reversed and Fortran-ordered.
"""

import mpmath as mp
import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
from dualgrad.dual._base import new_tag


@pytest.fixture
def entries(monkeypatch):
    """numba loaded, every entry cell emptied so that the next lean call makes its entry
    point again, recorded: yields the list of the entry points' calls (``"scale"`` or
    the ufunc's name); the cells are emptied again afterwards (made unrecorded when
    next used)."""
    from dualgrad.backend import _kernels, _loader, _propagate
    _loader.load()
    ran = []
    real = _kernels.small_entry

    def small_entry(ufunc):
        kernel = real(ufunc)
        label = "scale" if ufunc is None else ufunc.__name__

        def recording(*args):
            ran.append(label)
            return kernel(*args)
        return kernel and recording
    monkeypatch.setattr(_kernels, "small_entry", small_entry)
    for cell in _propagate._ENTRIES.values():
        cell[0] = None
    # (small71's entries that compute the value and factor by NumPy's loops too, tried
    # first for np.sin, np.exp...: off here, so that these entries, their way where
    # that one declines, are the ones called; tests/test_small71.py holds that one;
    # small72's of np.tanh and sc.erf's part likewise: tests/test_small72.py; small74's
    # of the fusable rows' value, np.log's...: tests/test_small74.py)
    from dualgrad.backend._rule_kernels import _VALUE_LOOPS
    loops = [_propagate.loop_cell(u) for u in (np.sin, np.cos, np.exp, np.sinh, np.cosh,
                                               np.expm1, np.tanh, sc.erf, *_VALUE_LOOPS)]
    for cell in loops:
        cell[0] = False
    yield ran
    for cell in _propagate._ENTRIES.values():
        cell[0] = None
    for cell in loops:
        cell[0] = None


# (ufunc, its derivative in mpmath, values in its domain, the entry point's label)
ANALYTIC = [
    (np.sin, mp.cos, (-6.0, 6.0), "scale"),
    (np.cos, lambda x: -mp.sin(x), (-6.0, 6.0), "cos"),        # (its own: small66)
    (np.exp, mp.exp, (-30.0, 30.0), "scale"),
    (np.tanh, lambda x: mp.sech(x) ** 2, (-3.0, 3.0), "tanh"),     # (its own: small65/66)
    (np.sinh, mp.cosh, (-5.0, 5.0), "scale"),
    (np.cosh, mp.sinh, (-5.0, 5.0), "scale"),
    (np.expm1, mp.exp, (-2.0, 2.0), "scale"),
    (np.log, lambda x: 1 / x, (0.01, 50.0), "log"),
    (np.sqrt, lambda x: 1 / (2 * mp.sqrt(x)), (0.01, 50.0), "sqrt"),
    (np.log1p, lambda x: 1 / (1 + x), (-0.9, 20.0), "log1p"),
    (np.arctan, lambda x: 1 / (1 + x * x), (-20.0, 20.0), "arctan"),
    (np.arcsinh, lambda x: 1 / mp.sqrt(1 + x * x), (-20.0, 20.0), "arcsinh"),
    (np.cbrt, lambda x: 1 / (3 * mp.cbrt(x) ** 2), (0.01, 50.0), "cbrt"),
    (np.log10, lambda x: 1 / (x * mp.log(10)), (0.01, 50.0), "log10"),
    # a scipy.special row of rules._table.entry_form: its own entry (small66)
    (sc.erf, lambda x: 2 / mp.sqrt(mp.pi) * mp.exp(-x * x), (-3.0, 3.0), "erf"),
]


@pytest.mark.parametrize("ufunc,deriv,domain,label", ANALYTIC,
                         ids=[u.__name__ for u, *_ in ANALYTIC])
@pytest.mark.parametrize("n", [1, 2, 4, 10])
@pytest.mark.engine_independent
def test_entry_points_give_the_analytic_derivatives(ufunc, deriv, domain, label, n, entries):
    """Each partial within 4 ulps of the derivative times the partial in 40 digits (the
    local derivative's own rounding by NumPy or the kernel, then the product's)."""
    rng = np.random.default_rng(n)
    x = rng.uniform(*domain, 10)
    p = rng.standard_normal((10, n))
    a = dg.Dual(x, p, tag=new_tag())
    for _ in range(3):                  # the first makes the entry point, then it is called
        got = ufunc(a)
    assert entries == [label] * 3
    np.testing.assert_array_equal(got.value, ufunc(x))          # NumPy's value, to the bit
    with mp.workdps(40):
        want = np.array([[float(deriv(mp.mpf(float(v))) * mp.mpf(float(q))) for q in row]
                         for v, row in zip(x, p)])
    np.testing.assert_allclose(got.partials, want, rtol=4 * 2.0 ** -52, atol=0)
    if ufunc is np.sin:                 # cos x * p: the same IEEE product
        np.testing.assert_array_equal(got.partials, np.cos(x)[:, None] * p)


def _unary_rules():
    """Every unary smooth rule the lean path covers (a local derivative of the table
    that is an expression) with a real result of a real value (not ``wofz``: the
    general path takes a complex result), scipy.special's rows loaded too."""
    import scipy.special as sc
    from dualgrad.rules._table import RULES, rule_for
    rule_for(sc.erf)                              # (scipy's rows are made on first use)
    return sorted((r for r in RULES.values() if r.ufunc.nin == 1 and r.kind == "smooth"
                   and len(r.derivs) == 1 and r.exprs[0] is not None
                   and r.exprs[0].constant is None and "d->d" in r.ufunc.types),
                  key=lambda r: r.name)


def _layouts(x, p):
    """Duals of the values ``x`` with partials ``p`` in four layouts: C-contiguous, every
    other row of a longer array, reversed rows, Fortran order; each checked to be what
    it says (the lean path takes the partials as they are)."""
    tag = new_tag()
    wide = np.repeat(p, 2, axis=0)
    yield "C", dg.Dual(x, p.copy(), tag=tag)
    strided = dg.Dual(np.repeat(x, 2), wide, tag=tag)[::2]
    assert not strided._p.flags.c_contiguous
    yield "strided", strided
    backwards = dg.Dual(x[::-1].copy(), p[::-1].copy(), tag=tag)[::-1]
    assert backwards._p.strides[0] < 0
    yield "reversed", backwards
    fortran = dg.Dual(x, np.asfortranarray(p), tag=tag)
    if p.shape[1] > 1:
        assert not fortran._p.flags.c_contiguous
    yield "fortran", fortran


@pytest.mark.parametrize("rule", _unary_rules(), ids=lambda r: r.name)
@pytest.mark.engine_independent
def test_every_unary_rule_gives_the_general_paths_bits_in_every_layout(rule, entries):
    """Zeros of both signs, infinities, NaN, huge, tiny and plain values with zero
    partials beside them (a local derivative that is not finite makes the entry point
    decline: the general path keeps such a zero partial 0), n = 1, 3, 4."""
    from dualgrad.backend import _kernels
    from dualgrad.dispatch import _ufuncs
    special = np.array([0.0, -0.0, 0.5, np.inf, -np.inf, np.nan, 1e300, -3.0, 5e-324, 2.0])
    for x in (special, np.linspace(0.1, 0.9, 10), -np.linspace(0.1, 0.9, 10)):
        for n in (1, 3, 4):
            p = np.cos(np.arange(10.0 * n)).reshape(10, n)
            p[::3] = 0.0
            p[5, n - 1] = -0.0
            for layout, a in _layouts(x, p):
                with np.errstate(all="ignore"):
                    got = rule.ufunc(a)
                    with _kernels.use("numpy"):
                        want = _ufuncs.call(rule, (a,))
                for g, w in ((got.value, want.value), (got.partials, want.partials)):
                    np.testing.assert_array_equal(g, w, err_msg=f"{layout}, n = {n}")
                    for part in (np.real, np.imag):          # (wofz: complex)
                        assert (np.signbit(part(g)) == np.signbit(part(w))).all(), (layout, n)
    assert entries, "no entry point ran"


@pytest.mark.engine_independent
def test_entry_points_refuse_operands_of_other_lengths():
    """The kernels test the lengths (the signature takes any layout, the caller tests
    only the dtypes and dimensions): False, nothing read past an operand."""
    from dualgrad.backend import _kernels, _loader
    _loader.load()
    f, p, t = np.ones(10), np.ones((10, 4)), np.empty((10, 4))
    scale = _kernels.small_entry(None)
    assert scale(f, p, t) and (t == 1.0).all()
    assert not scale(np.ones(9), p, t)
    assert not scale(np.ones(11), p, t)
    assert not scale(f, p, np.empty((9, 4)))
    assert not scale(f, p, np.empty((10, 3)))
    assert not scale(f, np.ones((10, 5)), t)
    log = _kernels.small_entry(np.log)
    x = np.full(10, 2.0)
    assert log(x, np.log(x), p, t) and (t == 0.5).all()
    assert not log(np.ones(9), np.ones(10), p, t)
    assert not log(x, np.ones(9), p, t)
    assert not log(x, np.log(x), np.ones((9, 4)), t)
    assert not log(x, np.log(x), p, np.empty((10, 3)))
    assert _kernels.small_entry(np.sin) is None          # (its factor is NumPy's: "scale")
    tanh = _kernels.small_entry(np.tanh)        # (x and NumPy's a0 = np.cosh(x): small66)
    assert tanh(x, np.cosh(x), p, t) and np.allclose(t, 1.0 / np.cosh(2.0) ** 2)
    assert not tanh(np.ones(9), np.cosh(x), p, t)
    assert not tanh(x, np.ones(9), p, t)
    assert not tanh(np.full(10, 374.5), np.cosh(x), p, t)     # the table's other branch


@pytest.mark.engine_independent
def test_entry_points_stay_out_of_other_work(entries):
    """Values of two axes, work from ``SMALL_BELOW`` on, and ``use("numba")`` take the
    kernels' dispatchers as before: no entry point runs, the derivatives are the same."""
    from dualgrad.backend import _kernels
    rng = np.random.default_rng(3)
    for shape, n in (((2, 5), 4), ((250,), 4), ((10,), 100)):
        x = rng.uniform(0.5, 2.0, shape)
        p = rng.standard_normal(shape + (n,))
        a = dg.Dual(x, p, tag=new_tag())
        for ufunc, deriv in ((np.sin, np.cos), (np.log, lambda v: 1.0 / v)):
            got = ufunc(a)
            np.testing.assert_allclose(got.partials, deriv(x)[..., None] * p, rtol=4e-16)
    x = rng.uniform(0.5, 2.0, 10)
    a = dg.Dual(x, rng.standard_normal((10, 4)), tag=new_tag())
    with _kernels.use("numba"):
        np.testing.assert_array_equal(np.sin(a).partials, np.cos(x)[:, None] * a.partials)
    assert entries == []
    np.sin(a)
    assert entries == ["scale"]


def test_a_jacobian_through_unary_rules_on_ten_elements(entries):
    """Through the helpers (either engine): the Jacobian of a chain of unary rules on
    ten elements (ten directions) against its closed form; the entry points ran."""
    x = np.linspace(0.2, 1.1, 10)

    def f(v):
        return np.log(np.exp(np.sin(v)) + np.sqrt(v)) * np.tanh(v)

    u = np.exp(np.sin(x)) + np.sqrt(x)
    want = np.diag((np.exp(np.sin(x)) * np.cos(x) + 0.5 / np.sqrt(x)) / u * np.tanh(x) +
                   np.log(u) * (1.0 - np.tanh(x) ** 2))
    for _ in range(3):
        np.testing.assert_allclose(dg.jacobian(f, x), want, rtol=1e-14, atol=1e-300)
    assert {"scale", "log", "sqrt"} <= set(entries)
