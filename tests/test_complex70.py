"""complex70: the complex scalar duals' ``.real``, ``.imag``, ``abs`` and ``conjugate``
read their tangents from the rule table (``rules._table.PARTS`` for ``np.real`` /
``np.imag``, the ``np.absolute`` and ``np.conjugate`` rows), computed on Python's numbers
(``rules._expr.number_tangent``) instead of restating them by hand.

Oracles: the table's tangent on NumPy's 0-d lift (the general path, bit for bit), an
edited row (the fast paths must follow it), closed forms of the real-pair derivatives
and central differences of the real and imaginary parts taken separately.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.rules import _table
from dualgrad.rules._expr import parse

_TANGENT_ROWS = [_table.RULES[np.absolute], _table.RULES[np.conjugate],
                 *_table.PARTS.values()]


def _edited(rule, tangent):
    """``rule`` with ``tangent`` in its place, in place (every reference sees it: the
    scalar duals' and dispatch's), and the compiled tangents forgotten."""
    old = rule.tangent
    object.__setattr__(rule, "tangent", tangent)
    rule.__dict__.pop("tangent_expr", None)
    rule.__dict__.pop("number_tangents", None)
    for key in [k for k in _table._COMPILED if isinstance(k, tuple) and "tangent" in k[0]]:
        del _table._COMPILED[key]
    return old


def test_the_parts_are_rows_of_the_table():
    assert set(_table.PARTS) == {np.real, np.imag}
    assert _table.PARTS[np.real].tangent == "np.real(dx)"
    assert _table.PARTS[np.imag].tangent == "np.imag(dx)"
    assert {np.real, np.imag, np.absolute, np.conjugate} <= set(_table.NOT_HOLOMORPHIC)


@pytest.mark.parametrize("spelling, rule, tangent, scale", [
    (lambda d: d.real, _table.PARTS[np.real], "np.real(dx) * 2.0", (2.0, 0.0)),
    (lambda d: d.imag, _table.PARTS[np.imag], "np.imag(dx) * -3.0", (0.0, -3.0)),
    (lambda d: d.conjugate().imag, _table.RULES[np.conjugate], "np.conjugate(dx) * 5.0",
     (0.0, -5.0)),
    (lambda d: abs(d), _table.RULES[np.absolute],
     "where(out == 0.0, 0.0, np.real(x) / out * np.real(dx) * 7.0)", (7.0, 0.0)),
], ids=["real", "imag", "conjugate", "abs"])
def test_the_fast_paths_follow_an_edited_row(monkeypatch, spelling, rule, tangent, scale):
    """The derivative is written once: an edited row changes what the scalar fast paths
    give (before complex70 they restated the tangent and kept theirs).  d = x0 (1 + 2i)
    + x1^2 i at (0.6, 0.8), value 0.6 + 1.84i; the fast path is taken (the general
    path's np.real / np.imag / the table's call are not reached)."""
    from dualgrad.dispatch import _functions, _ufuncs
    general = []
    for func in (np.real, np.imag):
        monkeypatch.setitem(_functions.HANDLED, func, lambda *a, _f=_functions.HANDLED[func],
                            **k: general.append(a) or _f(*a, **k))
    call = _ufuncs.call
    monkeypatch.setattr(_ufuncs, "call", lambda *a, **k: general.append(a) or call(*a, **k))
    x = np.array([0.6, 0.8])
    dz = np.array([1.0 + 2.0j, 2.0j * x[1]])          # the partials of d
    z = x[0] * (1 + 2j) + x[1] ** 2 * 1j
    old = _edited(rule, tangent)
    try:
        got = dg.gradient(lambda q: spelling(q[0] * (1 + 2j) + q[1] ** 2 * 1j), x)
    finally:
        _edited(rule, old)
    assert general == []
    re, im = scale
    want = re * dz.real + im * dz.imag
    if rule.ufunc is np.absolute:
        want = want * z.real / abs(z)
    np.testing.assert_allclose(got, want, rtol=1e-15)
    # and, the row restored, the real-pair derivative again
    got = dg.gradient(lambda q: spelling(q[0] * (1 + 2j) + q[1] ** 2 * 1j), x)
    exact = {np.real: dz.real, np.imag: dz.imag, np.conjugate: -dz.imag,
             np.absolute: (z.real * dz.real + z.imag * dz.imag) / abs(z)}[rule.ufunc]
    np.testing.assert_allclose(got, exact, rtol=1e-15)


# ---- the tangents on Python numbers against NumPy's on the lift ---------------------------

_SPECIAL = [0.0, -0.0, 1.0, -2.5, 5e-324, -5e-324, 1e-310, 1e308, -1e308, 3e-160,
            float("inf"), -float("inf"), float("nan")]


def _numbers(rng, count):
    """Complex numbers of every part: the special floats paired, then random ones of
    every scale (the parts' signs, magnitude 1e-300 .. 1e300)."""
    out = [complex(a, b) for a in _SPECIAL for b in _SPECIAL]
    scale = 10.0 ** rng.uniform(-300, 300, (count, 2))
    signs = rng.choice([-1.0, 1.0], (count, 2))
    out += [complex(a, b) for a, b in (scale * signs * rng.uniform(0.5, 1, (count, 2)))]
    return out


def _bits(v):
    return (type(v).__name__, np.asarray(v).tobytes())


@pytest.mark.parametrize("rule", _TANGENT_ROWS, ids=lambda r: r.name)
@pytest.mark.engine_independent
def test_every_tangent_on_numbers_is_numpys_on_the_lift(rule):
    """For each row with a tangent on Python numbers (abs, conj and the parts: sign has
    none, its complex division), float, complex and mixed partials: the list
    ``number_tangent_function`` gives is, partial for partial, type and bytes, what the
    table's NumPy tangent gives on the 0-d lift (a float64 array of the floats, a
    complex128 one of the complex numbers and of ``complex(p)`` beside them), wherever it
    returns; it returns for every finite
    number and, where it only reads parts, every number."""
    rng = np.random.default_rng(70)
    zs = _numbers(rng, 300)
    numpy_tangent = _table.tangent_function(rule)
    ufunc = {np.real: np.real, np.imag: np.imag}.get(rule.ufunc, rule.ufunc)
    with np.errstate(all="ignore"):
        for k, z in enumerate(zs):
            x = np.complex128(z)
            out = ufunc(x)
            kind = "c" if np.iscomplexobj(out) else "f"
            out_number = complex(out) if kind == "c" else float(out)
            floats = [zs[(k * 7 + j) % len(zs)].real for j in range(3)]
            complexes = [zs[(k * 11 + j) % len(zs)] for j in range(3)]
            mixed = [floats[0], complexes[1], floats[2]]
            for dx_kind, dxs, lift in (("f", floats, np.array(floats)),
                                       ("c", complexes, np.array(complexes)),
                                       ("m", mixed, np.array([complex(p) for p in mixed]))):
                fn, arithmetic = _table.number_tangent_function(rule, kind, dx_kind)
                assert fn is not None
                finite = np.isfinite(z) and all(np.isfinite(dxs))
                try:
                    got = fn(z, out_number, dxs)
                except (ArithmeticError, ValueError):
                    assert arithmetic
                    continue
                if arithmetic and not finite:
                    continue                    # (not asked: the caller declines)
                # the general path's steps on the lift (dispatch._ufuncs._complex_tangent)
                total = numpy_tangent(x, out, lift)
                if np.ndim(total) == 0:         # a constant branch: out's kind
                    total = [out * 0.0 + total] * len(dxs)
                want = [np.asarray(t).item() for t in total]
                assert [_bits(g) for g in got] == [_bits(w) for w in want], \
                    (rule.name, z, dxs)


def test_one_source_serves_every_kind_of_partial_where_it_can():
    """abs and the parts read a float partial as the lift's complex(p) wherever that
    matters in their floats' own source too: one function for floats, complex numbers
    and both; conj's float partials stay floats where all are, so it has three."""
    assert [r.number_tangents[3] for r in _TANGENT_ROWS] == [True, False, True, True]


def test_number_tangent_sources():
    """What the emitter writes: a where whose test does not read dx as an if, the parts
    that do not read dx once, a float operand of a complex one made complex as NumPy's
    promotion makes it, and no source for ``**``, complex division or a complex
    modulus."""
    abs_ = parse(_table.RULES[np.absolute].tangent, ("x", "out", "dx"))
    from dualgrad.rules._expr import number_tangent
    fn, arithmetic = number_tangent(abs_, {"x": "c", "out": "f", "dx": "f"})
    assert arithmetic
    assert "    if out == 0.0:\n        _h0 = out * 0.0 + 0.0\n        return [_h0 for dx in dxs]\n" \
        in fn.source
    assert "complex(dx) * _h2" in fn.source and "_h0 = x.real * (" in fn.source
    fn, arithmetic = number_tangent(parse("np.conjugate(dx)", ("x", "out", "dx")),
                                    {"x": "c", "out": "c", "dx": "f"})
    assert not arithmetic and "return [dx.conjugate() for dx in dxs]" in fn.source
    assert fn(1j, -1j, []) == []
    for text in ("dx ** 2.0", "dx / x", "np.absolute(dx)", "sc.erf(np.real(dx))"):
        assert number_tangent(parse(text, ("x", "out", "dx")),
                              {"x": "c", "out": "c", "dx": "c"}) == (None, False)
    sign = _table.RULES[np.sign]
    assert _table.number_tangent_function(sign, "c", "c") == (None, False)
    # a where of the partials whose branches differ in kind: np.where's complex result
    fn, _ = number_tangent(parse("where(np.real(dx) > 0.0, 0.0, dx * x)", ("x", "out", "dx")),
                           {"x": "c", "out": "f", "dx": "c"})
    assert [type(t) for t in fn(1j, 0.0, [2.0 + 0j, -1.0 + 0j])] == [complex, complex]
    # of the values alone: an if on the lift, the branch's own kind: at the top the
    # same if here; inside an expression no one kind follows it: no source
    fn, _ = number_tangent(parse("where(out == 0.0, 0.0, dx * x)", ("x", "out", "dx")),
                           {"x": "c", "out": "f", "dx": "c"})
    assert [type(t) for t in fn(1j, 0.0, [1j]) + fn(1j, 1.0, [1j])] == [float, complex]
    assert number_tangent(parse("where(out == 0.0, 0.0, dx * x) * 2.0", ("x", "out", "dx")),
                          {"x": "c", "out": "f", "dx": "c"}) == (None, False)
    # a constant branch is spread as the general path spreads it: out * 0.0 + it (NaN
    # at an infinite out)
    fn, _ = number_tangent(parse("where(out > 1.0, 2.0, np.real(dx))", ("x", "out", "dx")),
                           {"x": "c", "out": "f", "dx": "f"})
    assert [repr(t) for t in fn(1j, float("inf"), [1.0, 2.0])] == ["nan", "nan"]
    assert fn(1j, 0.5, [1.0, -0.0]) == [1.0, -0.0]


# ---- oracles: closed forms, central differences of the parts -----------------------------

def _z(q):
    """A complex value of two real inputs: z = e^{i q0 q1} (q0 + 2i) + q1^2 (1 - 3i)."""
    return np.exp(1j * q[0] * q[1]) * (q[0] + 2j) + q[1] ** 2 * (1 - 3j)


def _z_and_dz(q):
    e = np.exp(1j * q[0] * q[1])
    z = e * (q[0] + 2j) + q[1] ** 2 * (1 - 3j)
    dz0 = 1j * q[1] * e * (q[0] + 2j) + e
    dz1 = 1j * q[0] * e * (q[0] + 2j) + 2 * q[1] * (1 - 3j)
    return z, np.array([dz0, dz1])


_SPELLINGS = {
    "d.real": lambda d: d.real, "d.imag": lambda d: d.imag,
    "np.real": np.real, "np.imag": np.imag,
    "abs": abs, "np.abs": np.abs,
    "conj.real": lambda d: d.conjugate().real, "conj.imag": lambda d: d.conjugate().imag,
    "np.conj.imag": lambda d: np.conjugate(d).imag,
}


def _closed(name, z, dz):
    if name.endswith("real"):
        return dz.real
    if name.endswith("imag"):
        return -dz.imag if "conj" in name else dz.imag
    return (z.real * dz.real + z.imag * dz.imag) / abs(z)


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.parametrize("name", list(_SPELLINGS))
def test_real_pair_derivatives_against_closed_forms_and_central_differences(name, engine):
    part = _SPELLINGS[name]
    rng = np.random.default_rng(7)
    for q in rng.uniform(-1.5, 1.5, (6, 2)):
        z, dz = _z_and_dz(q)
        with dg.engine(engine):
            got = dg.gradient(lambda p: part(_z(p)), q)
        np.testing.assert_allclose(got, _closed(name, z, dz), rtol=1e-13, atol=1e-15)
        # 6th-order central differences of the plain function (a real output)
        h = 1e-3
        fd = []
        for k in range(2):
            e = np.zeros(2)
            e[k] = h
            g = [float(part(_z(q + j * e))) for j in (-3, -2, -1, 1, 2, 3)]
            fd.append((-g[0] + 9 * g[1] - 45 * g[2] + 45 * g[3] - 9 * g[4] + g[5]) / (60 * h))
        np.testing.assert_allclose(got, fd, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name", ["d.real", "d.imag", "abs", "conj.imag"])
def test_second_derivatives_against_central_differences_of_the_gradient(name):
    part = _SPELLINGS[name]
    q = np.array([0.7, -0.4])
    hess = dg.hessian(lambda p: part(_z(p)), q)
    h = 1e-4
    cols = []
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        g = [_closed(name, *_z_and_dz(q + j * e)) for j in (-2, -1, 1, 2)]
        cols.append((g[0] - 8 * g[1] + 8 * g[2] - g[3]) / (12 * h))
    np.testing.assert_allclose(hess, np.array(cols).T, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(hess, hess.T, rtol=1e-13, atol=1e-14)


def test_a_division_by_zero_in_a_tangent_takes_the_general_path():
    """An edited abs row whose number source divides by out unguarded: at |z| = 0 the
    Python division raises, the fast path declines, and the general path's NumPy
    division gives its NaN (the same number the lift gives)."""
    rule = _table.RULES[np.absolute]
    old = _edited(rule, "np.real(x) / out * np.real(dx)")
    try:
        with np.errstate(all="ignore"):
            g = dg.gradient(lambda q: abs(q[0] * 0.0 + 0j + q[1] * 0.0), np.array([1.0, 2.0]))
    finally:
        _edited(rule, old)
    assert np.isnan(g).all()
    # and math.sqrt of a negative float (ValueError there, NaN in NumPy)
    rule = _table.PARTS[np.real]
    old = _edited(rule, "np.sqrt(np.real(dx))")
    try:
        with np.errstate(all="ignore"):
            g = dg.gradient(lambda q: (q[0] * (1 + 1j) - q[1] * (4 + 1j)).real,
                            np.array([1.0, 2.0]))
    finally:
        _edited(rule, old)
    assert g[0] == 1.0 and np.isnan(g[1])


def test_the_power_exponents_are_one_lookup():
    """``_EXPONENTS[y]``: a kept number read, another made (and kept where finite, not
    zero), a zero or NaN made each time and not kept."""
    from dualgrad.dispatch import _lean_small
    _lean_small._EXPONENTS.clear()
    pair = _lean_small._EXPONENTS[2.5]
    assert pair[0] == 2.5 and pair[1] == 1.5 and not pair[0].flags.writeable
    assert _lean_small._EXPONENTS[np.float64(2.5)] is pair
    zero = _lean_small._EXPONENTS[-0.0]
    assert np.signbit(zero[0]) and 0.0 not in _lean_small._EXPONENTS
    assert np.isnan(_lean_small._EXPONENTS[float("nan")][0])
    assert list(_lean_small._EXPONENTS) == [2.5]
    x = np.linspace(0.5, 2.0, 10)
    np.testing.assert_array_equal(dg.jacobian(lambda u: u ** 2.5, x),
                                  np.diag(2.5 * x ** 1.5))
