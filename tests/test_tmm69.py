"""tmm69: ``np.block`` of 0-d leaves (scalar duals and numbers) by the lean join
(:func:`dualgrad.dual._joins.block`): tmm's ``make_2x2_array`` of a transfer matrix's
four entries.  Its values and partials are the general path's (``_composed._block``:
every leaf lifted, one concatenation a row) bit for bit, the derivatives the closed
forms' and JAX's, and NumPy's own errors where the nesting is not a block of 0-d
leaves."""

import sys
from pathlib import Path

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _composed
from dualgrad.dispatch._functions import HANDLED


@pytest.fixture
def general_blocks(monkeypatch):
    """Counts the general path's ``np.block`` calls."""
    calls = []

    def spy(arrays):
        calls.append(arrays)
        return _composed._block(arrays)
    monkeypatch.setitem(HANDLED, np.block, spy)
    return calls


def _bits(d):
    """value and partials of an array dual as (dtype, shape, bytes)."""
    return [(a.dtype.str, a.shape, a.tobytes()) for a in (np.asarray(d.value), d.partials)]


def test_transfer_matrix_block_takes_no_general_path_and_is_the_closed_form(general_blocks):
    # d/dx of [[exp(-i x1 x0), 0], [0, exp(i x1 x0)]] and of [[1, r], [r, 1]] with
    # r = (x2 - i x3) / (x2 + x3): closed forms
    x = np.array([0.7, 1.9, 1.3, 0.4])

    def f(q):
        delta = q[0] * q[1]
        r = (q[2] - 1j * q[3]) / (q[2] + q[3])
        P = np.block([[np.exp(-1j * delta), 0], [0, np.exp(1j * delta)]])
        R = np.block([[1, r], [r, 1]])
        return np.concatenate([P.ravel(), R.ravel()])

    got = dg.jacobian(f, x)
    assert general_blocks == []
    e = np.exp(1j * x[0] * x[1])
    s = x[2] + x[3]
    dr = np.array([0, 0, (1 + 1j) * x[3] / s ** 2, -(1 + 1j) * x[2] / s ** 2])
    dd = np.array([x[1], x[0], 0, 0])
    want = np.zeros((8, 4), dtype=complex)
    want[0] = -1j * np.conj(e) * dd
    want[3] = 1j * e * dd
    want[5] = want[6] = dr
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("n", [1, 3, 16])
def test_lean_block_is_the_general_paths_bits(n):
    # leaves with -0.0, NaN, inf, subnormal and huge values and partials, complex
    # duals with float partials, real duals, Python numbers (-0.0 and ints among them),
    # 1-D and 2-D nestings: the lean result equals the general path's byte for byte
    specials = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5]
    seen = []

    def f(q):
        cx = [q[0] * complex(s, 1.0) + q[-1] * 1j for s in specials] + \
            [q[0] + 1j, q[0] * complex(-0.0, -0.0), q[0] * 0.0 + complex(np.nan, -0.0)]
        re = [q[0] * s for s in specials] + [np.sin(q[-1])]
        numbers = [0, 1, -7, 2 ** 53, -0.0, float("nan"), 1e308, 1.5 - 2j,
                   complex(-0.0, -0.0)]
        nests = []
        for leaves in (cx, re):
            for a in leaves:
                for c in numbers:
                    nests += [[[a, c], [c, a]], [[c, a], [a, c]], [a, c], [[a, c, a]],
                              [[a], [c], [a]]]
        for nest in nests:
            with np.errstate(all="ignore"):
                lean = np.block(nest)
                general = _composed._block(nest)
            assert type(lean) is type(general)
            assert _bits(lean) == _bits(general)
            seen.append(nest)
        return q

    dg.jacobian(f, np.linspace(0.5, 1.5, n))
    assert len(seen) == (11 + 9) * 9 * 5


def test_lean_block_leaves_numpys_errors_and_other_leaves_to_the_general_path(
        general_blocks):
    def f(q):
        e = np.exp(1j * q[0])
        for nest, error, text in (
                ([[e, 0], [0]], ValueError, "all the input array dimensions"),
                ([[e, 0], []], ValueError, "cannot be empty"),
                ([[e, 0], (0, e)], TypeError, "is a tuple"),
                ([e, [0, e]], ValueError, "List depths are mismatched"),
                ([[e, 0], 1], ValueError, "List depths are mismatched")):
            with pytest.raises(error, match=text):
                np.block(nest)
        before = len(general_blocks)
        # NumPy scalars, bools, ints past 2**53, arrays and deeper lists: the general path
        for nest in ([[e, np.float64(1.0)], [0, e]], [[e, True], [0, e]],
                     [[e, 2 ** 53 + 1], [0, e]], [[e, np.zeros(1)]], [[[e, 0], [0, e]]],
                     [[e, q[1:2].reshape(()) * 1.0], [0, e]]):
            np.block(nest)
        assert len(general_blocks) - before == 6
        return q

    dg.jacobian(f, np.array([0.3, 0.8]))


def test_real_block_jacobian_and_hessian_are_the_closed_forms():
    # np.block([[x0 x1, 2], [sin(x1), x0]]): real scalar duals by the real lean join;
    # a Hessian's nested duals by the general path
    def f(q):
        return np.block([[q[0] * q[1], 2], [np.sin(q[1]), q[0]]]).ravel()

    x = np.array([0.6, 1.1])
    want = np.array([[x[1], x[0]], [0, 0], [0, np.cos(x[1])], [1, 0]])
    np.testing.assert_allclose(dg.jacobian(f, x), want, rtol=1e-15, atol=0)
    h = dg.hessian(lambda q: f(q) @ np.array([1.0, 1.0, 1.0, 1.0]), x)
    np.testing.assert_allclose(h, [[0, 1], [1, -np.sin(x[1])]], rtol=1e-15, atol=1e-16)


def _one_layer(xp, block, p):
    """A film's reflectance (s polarization, normal incidence) by 2 x 2 transfer
    matrices, written once for NumPy and for JAX: ``p = (n1, d1, lam)``."""
    n0, n2 = 1.0, 1.52 + 0.01j
    n1, d1, lam = p[0], p[1], p[2]
    delta = 2 * np.pi * n1 * d1 / lam

    def interface(na, nb):
        r = (na - nb) / (na + nb)
        t = 2 * na / (na + nb)
        return block([[1 / t, r / t], [r / t, 1 / t]])

    P = block([[xp.exp(-1j * delta), 0], [0, xp.exp(1j * delta)]])
    M = xp.dot(xp.dot(interface(n0, n1), P), interface(n1, n2))
    r = M[1, 0] / M[0, 0]
    return xp.abs(r) ** 2


def test_one_layer_reflectance_against_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    p = np.array([1.38, 110.0, 550.0])
    got = dg.gradient(lambda q: _one_layer(np, np.block, q), p)
    want = np.asarray(jax.grad(lambda q: _one_layer(jnp, jnp.block, q))(p))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    got_h = dg.hessian(lambda q: _one_layer(np, np.block, q), p)
    want_h = np.asarray(jax.hessian(lambda q: _one_layer(jnp, jnp.block, q))(p))
    np.testing.assert_allclose(got_h, want_h, rtol=1e-11, atol=1e-13 * np.abs(want_h).max())


def test_tmm_row_jacobian_against_central_differences():
    # bench/corpus68.py's coh_tmm row: 8th-order central differences (error ~1e-11)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        from corpus68 import tmm_row
    finally:
        sys.path.pop(0)
    x = np.array([1.38, 100.0, 2.1, 60.0])
    got = dg.jacobian(tmm_row, x)
    c = np.array([4 / 5, -1 / 5, 4 / 105, -1 / 280])
    want = np.zeros_like(got)
    for j in range(4):
        h = 1e-3 * abs(x[j])
        for k, ck in enumerate(c, 1):
            e = np.zeros(4)
            e[j] = k * h
            want[:, j] += ck * (tmm_row(x + e) - tmm_row(x - e)) / h
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9 * np.abs(want).max())


# ---- the parts of complex scalar duals (d.real, d.imag, d.conjugate()) ---------------
_SPECIALS = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5]


def _scalar_bits(d):
    return [type(d).__name__, np.asarray(d.value).tobytes(),
            [(type(p).__name__, np.asarray(p).tobytes()) for p in d._plist()]]


def test_parts_of_a_complex_scalar_dual_take_no_general_path_and_are_the_closed_forms(
        monkeypatch):
    from dualgrad.dispatch import _ufuncs
    general = []
    for func in (np.real, np.imag):
        monkeypatch.setitem(HANDLED, func, lambda *a, _f=HANDLED[func], **k:
                            general.append(a) or _f(*a, **k))
    call = _ufuncs.call
    monkeypatch.setattr(_ufuncs, "call", lambda *a, **k: general.append(a) or call(*a, **k))
    x = np.array([0.7, 1.3])

    def f(q):
        d = q[0] * (1 + 2j) + q[1] ** 2 * 1j          # partials (1 + 2j, 2 x1 i)
        c = d.conjugate()
        return np.stack([d.real, d.imag, c.real, c.imag, d.conj().imag])

    got = dg.jacobian(f, x)
    assert general == []
    want = np.array([[1, 0], [2, 2 * x[1]], [1, 0], [-2, -2 * x[1]], [-2, -2 * x[1]]])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("n", [1, 2, 5])
def test_parts_are_the_general_paths_bits(n):
    # values and partials with -0.0, NaN, inf, subnormals; complex, float and mixed
    # partials: d.real / d.imag / d.conjugate() equal the general path's (the 0-d lift's
    # np.real / np.imag, the table's conjugate) in class, types and bytes
    from dualgrad.dispatch import _ufuncs
    from dualgrad.dispatch._functions import dispatch
    from dualgrad.dual import make_scalar
    from dualgrad.rules._table import RULES
    checked = []

    def f(q):
        duals = []
        for a in _SPECIALS:
            for b in _SPECIALS:
                duals.append(make_scalar(complex(a, b), [complex(b, a)] * n, q.tag))
                duals.append(make_scalar(complex(b, a), [a] * n, q.tag))
                if n > 1:
                    duals.append(make_scalar(complex(a, -b), [b] + [complex(-a, b)] * (n - 1),
                                             q.tag))
        for d in duals:
            with np.errstate(all="ignore"):
                assert _scalar_bits(d.real) == _scalar_bits(dispatch(np.real, (d,), {}, d))
                assert _scalar_bits(d.imag) == _scalar_bits(dispatch(np.imag, (d,), {}, d))
                assert _scalar_bits(d.conjugate()) == \
                    _scalar_bits(_ufuncs.call(RULES[np.conjugate], (d,)))
            checked.append(d)
        return q

    dg.jacobian(f, np.linspace(0.5, 1.0, n))
    assert len(checked) == len(_SPECIALS) ** 2 * (3 if n > 1 else 2)


def test_parts_refused_where_the_general_path_refuses():
    kept = []
    dg.jacobian(lambda q: kept.append(q[0] * 1j) or q, np.ones(1))
    for part in (lambda d: d.real, lambda d: d.imag, lambda d: d.conjugate()):
        with pytest.raises(dg.errors.DualTypeError, match="escaped"):
            part(kept[0])
    for part, name in ((lambda d: d.real, "np.real"), (lambda d: d.imag, "np.imag"),
                       (lambda d: d.conjugate(), "np.conjugate")):
        with pytest.raises(dg.errors.DualTypeError, match=name):
            dg.jacobian(lambda z: part(z[0] * 2.0), np.array([1.0 + 1j]), holomorphic=True)


# ---- products of complex array duals (np.dot of 2 x 2 transfer matrices) -------------
def test_complex_product_takes_the_lean_lines_and_is_the_closed_form(monkeypatch):
    from dualgrad.dispatch import _linalg
    general = []
    product = _linalg._product
    monkeypatch.setattr(_linalg, "_product",
                        lambda *a, **k: general.append(a) or product(*a, **k))
    x = np.array([0.3, 1.7])
    C = np.array([[1 + 2j, -0.5j], [0.25, 3 - 1j]])

    def f(q):
        A = q[0] * C + 1j * q[1]              # dA/dq0 = C, dA/dq1 = 1j
        B = np.exp(1j * q[1]) * C.T           # dB/dq1 = 1j B
        return np.concatenate([np.dot(A, B).ravel(), (A @ B[:, 0]), np.matmul(A, B).ravel()])

    got = dg.jacobian(f, x)
    assert general == []
    A = x[0] * C + 1j * x[1]
    B = np.exp(1j * x[1]) * C.T
    J = np.ones((2, 2)) * 1j
    d0, d1 = C @ B, J @ B + A @ (1j * B)
    want = np.stack([np.concatenate([d.ravel(), d[:, 0], d.ravel()]) for d in (d0, d1)],
                    axis=-1)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)


def test_complex_product_is_the_general_paths_bits_and_reports():
    # finite values with partials that overflow (1e300 scales) or underflow, float
    # partials of complex values, plain operands either side, three error states:
    # bilinear's lean lines against _product's, value, partials and warnings alike
    import warnings
    from dualgrad.dispatch import _linalg

    def both(func, a, b):
        out = []
        for lean in (True, False):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                try:
                    if lean:
                        r = func(a, b)
                    else:
                        va, vb = [getattr(o, "value", o) for o in (a, b)]
                        duals = [i for i, o in enumerate((a, b)) if isinstance(o, dg.Dual)]
                        tag = (a if 0 in duals else b).tag
                        n = (a if 0 in duals else b).partials.shape[-1]
                        r = _linalg._product(func, (a, b), [va, vb], func(va, vb), duals,
                                             tag, n, {})
                    res = _bits(r)
                except FloatingPointError as e:
                    res = str(e)
            out.append((res, sorted(str(m.message) for m in w)))
        return out

    def f(q):
        rng = np.random.default_rng(3)
        C = rng.standard_normal((2, 2)) + 1j * rng.standard_normal((2, 2))
        for scale in (1.0, 1e300, 5e-324, -0.0):
            A = (q[0] * scale) * C + C
            Af = q[0] * C.real + 1j * C.imag
            for a, b in ((A, A), (A, C), (C, A), (Af, A), (A, A[:, 0]), (A[0], A[:, 1])):
                for state in ("warn", "raise", "ignore"):
                    with np.errstate(all=state):
                        for func in (np.dot, np.matmul, np.inner):
                            lean, general = both(func, a, b)
                            assert lean == general
        return q

    dg.jacobian(f, np.array([0.5, 1.5]))
