"""A scalar's power with small array duals in a few NumPy calls and one compiled call
(issue 13, small64).

``u ** k`` and ``2.0 ** u`` went ``small``'s ``_pair``, ``k ** u`` ``lean_mixed`` and
``t ** k`` ``lean_constant`` (``k`` a scalar dual, ``u`` an array dual, ``t`` a float64
array): the scalar's partials as a row, the regular-first factors' tests on arrays, the
quotient's ``_tiny`` and ``combine_small``'s broadcast products, 10-21 us at N = 10,
n = 10.  ``dispatch._lean_small.lean_power_mixed`` computes the value and the regular
branches' NumPy calls and, numba loaded, one compiled entry point
(``backend.POWER_MIXED``) tests where they are the row's and makes the partials;
anything else is ``_pair``'s from the value on.

Oracles: the general path (``dispatch._ufuncs.call`` of the row, ``_kernels.use("numpy")``)
to the bit with NumPy's reports; closed forms (``c x**(c - 1)``, ``x**c log x``, ...).
Path spies: the entry point called and ``_pair`` not, or ``_pair`` given the value.
"""

import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _kernels, _loader
from dualgrad.dispatch import _lean_small
from dualgrad.dispatch._ufuncs import call
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import rule_for
from _probes import loaded_or_not, same_duals, spy_on  # noqa: F401 (loaded)

POWER = rule_for(np.power)
SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -1e-310, 1e154, 1e160,
                    -1e200, 1e-160, 1.0, -1.0, 0.7, -2.5, 2.0, -3.0, 1e300])
# (u, k, t, c) -> the form's two spellings
FORMS = {"u ** k": (lambda u, k, t, c: u ** k, lambda u, k, t, c: np.power(u, k)),
         "k ** u": (lambda u, k, t, c: k ** u, lambda u, k, t, c: np.power(k, u)),
         "t ** k": (lambda u, k, t, c: t ** k, lambda u, k, t, c: np.power(t, k)),
         "c ** u": (lambda u, k, t, c: c ** u, lambda u, k, t, c: np.power(c, u))}
ARGS = {"u ** k": lambda u, k, t, c: (u, k), "k ** u": lambda u, k, t, c: (k, u),
        "t ** k": lambda u, k, t, c: (t, k), "c ** u": lambda u, k, t, c: (c, u)}


def _reports(op):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = op()
    return result, [str(w.message) for w in seen]


def _operands(trial, tag, layout="C"):
    """An array dual, a scalar dual, a float64 array and a float: ordinary values, and
    from trial 3 on special ones among them (zeros, NaN, infs, subnormals, negative
    bases, powers that under- or overflow, a quotient factor that underflows beside
    huge partials)."""
    rng = np.random.default_rng(trial)
    x = rng.uniform(0.3, 3.0, 10) * (rng.choice([-1.0, 1.0], 10) if trial % 3 == 1 else 1.0)
    p = rng.standard_normal((10, 4))
    row = rng.standard_normal(4)
    c = float(rng.choice([0.7, -1.3, 2.5, -1.0, 3.0]))
    if trial >= 3:
        at = rng.random(10) < 0.3
        x[at] = rng.choice(SPECIAL, at.sum())
        c = float(SPECIAL[trial % len(SPECIAL)])
        p[rng.random((10, 4)) < 0.2] = rng.choice([0.0, np.nan, 1e300])
    if trial == 2:                          # y x**(y - 1) below the normal numbers
        x, c = np.resize([1e160, 3e154, 1.5], 10), -1.0
        p *= 1e250
    if layout == "strided":
        x, p = np.repeat(x, 2)[::2], np.repeat(p, 2, axis=0)[::2]
    elif layout == "F":
        p = np.asfortranarray(p)
    t = rng.uniform(0.3, 3.0, 10) if trial % 2 else x.copy()
    return dg.Dual(x, p, tag=tag), dg.Dual(c, row, tag=tag), t, c


@pytest.mark.parametrize("form", list(FORMS))
def test_a_scalars_power_with_arrays_is_the_general_paths_to_the_bit(form, loaded):
    """Values, partials and NumPy's reports (once, as the float call's) equal to the
    general path's, both spellings, three layouts."""
    tag = new_tag()
    for layout in ("C", "strided", "F"):
        for trial in range(12):
            u, k, t, c = _operands(trial, tag, layout)
            args = ARGS[form](u, k, t, c)
            with np.errstate(all="ignore"):
                want = call(POWER, args)
                with _kernels.use("numpy"):
                    general = FORMS[form][0](u, k, t, c)
            floats, want_reports = _reports(lambda: np.power(*(
                a.value if isinstance(a, dg.Dual) else a for a in args)))
            for op in FORMS[form]:
                got, reports = _reports(lambda: op(u, k, t, c))
                same_duals(got, want)
                same_duals(got, general)
                assert got.value.tobytes() == floats.tobytes()
                assert reports == want_reports, (layout, trial)


def test_a_scalars_power_with_arrays_against_closed_forms(loaded):
    """Each partial against the closed forms' terms, to 1e-14 of the terms' magnitudes
    (two terms may cancel)."""
    rng = np.random.default_rng(641)
    tag = new_tag()
    x, c = rng.uniform(0.2, 4.0, 10), 1.7
    p, row = rng.standard_normal((10, 3)), rng.standard_normal(3)
    u, k = dg.Dual(x, p, tag=tag), dg.Dual(c, row, tag=tag)

    def near(got, *terms):
        assert np.all(np.abs(got - sum(terms)) <= 1e-14 * sum(np.abs(t) for t in terms))
    dx, dc = c * np.exp((c - 1.0) * np.log(x)), np.exp(c * np.log(x)) * np.log(x)
    near((u ** k).partials, dx[:, None] * p, dc[:, None] * row)
    near((x ** k).partials, dc[:, None] * row)
    d_base, d_exp = x * np.exp((x - 1.0) * np.log(c)), np.exp(x * np.log(c)) * np.log(c)
    near((k ** u).partials, d_base[:, None] * row, d_exp[:, None] * p)
    near((c ** u).partials, d_exp[:, None] * p)


def test_a_scalars_power_takes_the_entry_point_or_hands_the_value_on(request, monkeypatch):
    """Ordinary values: the compiled entry point makes the partials and ``_pair`` (the
    row's general loop) does not run; a zero base, a value that underflows, a quotient
    factor below the normal numbers: ``_pair`` from the value the lean path made (one
    NumPy report for ``0.0 ** -1.0``, as the float call); a zero scalar and other
    directions: the general path before any value."""
    _loader.load()
    tag = new_tag()
    rng = np.random.default_rng(642)
    c = 0.7
    u, k = dg.Dual(rng.uniform(0.5, 2.0, 10), rng.standard_normal((10, 4)), tag=tag), \
        dg.Dual(c, rng.standard_normal(4), tag=tag)
    t = rng.uniform(0.5, 2.0, 10)
    entries = []
    # (small72's entries by NumPy's loops, tried first: off here, so that these, their
    # way where those decline, are the ones called; tests/test_small72.py holds those)
    for loops in (_lean_small._EXPONENT_LOOPS, _lean_small._BASE_LOOPS):
        request.addfinalizer(lambda loops=loops, held=loops[0]: loops.__setitem__(0, held))
        loops[0] = False
    cells = _lean_small._POWER_MIXED
    for base in (0, 1):
        FORMS["c ** u" if base else "t ** k"][0](u, k, t, c)      # (the cell filled)
        real = cells[base]
        assert real
        request.addfinalizer(lambda base=base, real=real: cells.__setitem__(base, real))
        cells[base] = lambda *args, base=base, real=real: entries.append(base) or real(*args)
    pairs = spy_on(monkeypatch, _lean_small, "_pair", lambda args, result: args[3] is not None)
    for form, spellings in FORMS.items():
        for op in spellings:
            same_duals(op(u, k, t, c), call(POWER, ARGS[form](u, k, t, c)))
    assert entries == [0, 0, 1, 1, 0, 0, 1, 1] and pairs == []
    zero = u.value.copy()
    zero[3] = 0.0
    v = dg.Dual(zero, u.partials, tag=tag)
    for a, b in ((v, k), (k, v * 1e3), (dg.Dual(np.resize([1e160, 2.0], 10), u.partials,
                                                 tag=tag), dg.Dual(-1.0, k.partials, tag=tag))):
        with np.errstate(all="ignore"):
            same_duals(a ** b, call(POWER, (a, b)))
    assert pairs == [True, True, True]
    minus = dg.Dual(-1.0, k.partials, tag=tag)
    _, want = _reports(lambda: np.power(zero, -1.0))
    _, got = _reports(lambda: v ** minus)
    assert got == want == ["divide by zero encountered in power"] and len(pairs) == 4
    del entries[:]
    for a, b in ((u, dg.Dual(0.0, k.partials, tag=tag)), (dg.Dual(0.0, k.partials, tag=tag), u)):
        same_duals(a ** b, call(POWER, (a, b)))
    assert entries == [] and len(pairs) == 4
    other = dg.Dual(0.7, np.ones(3), tag=tag)
    for a, b in ((u, other), (other, u)):
        with pytest.raises(ValueError, match="directions"):
            a ** b
