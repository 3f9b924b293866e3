"""A split-step Fourier loop's operations off the general path (issue 13, fft37):
a complex number times a scalar dual (``1j * p[1]``, ``_ufuncs._with_complex``), a
scalar dual times an array or array dual where something is complex
(``(1j * p[1]) * abs(A)**2``, ``(0.5j * p[0]) * w``: ``_ufuncs.complex_small``),
``np.abs`` / ``np.conjugate`` of a complex array dual (``_ufuncs._tangent_small``),
and ``np.fft.fft`` / ``ifft`` of a 1-D complex dual in one call
(``dispatch._fft._stacked``).

Oracles: the closed forms of the derivatives to rounding; the general path (every
lean path patched to decline) to the bit; the whole loop's Jacobian against
eighth-order central differences (and JAX's ``jacfwd`` where it is installed).
Each lean path is shown to have run (the general ``call`` recorded, never reached).
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _fft, _ufuncs
from dualgrad.dual import _array
from dualgrad.dual._base import new_tag
from _oracles import central8
from test_complex_lean import _counting


def _complex(shape, rng):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _bits(got, want):
    """Same values and partials to the bit (dtypes, shapes, signs of zeros, NaN)."""
    if not isinstance(want, dg.Dual):
        assert not isinstance(got, dg.Dual)
        return
    a, b = np.asarray(got.value), np.asarray(want.value)
    assert type(got) is type(want) and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    p, q = np.asarray(got.partials), np.asarray(want.partials)
    assert p.dtype == q.dtype and p.shape == q.shape and p.tobytes() == q.tobytes(), (p, q)


def _general(monkeypatch):
    """Every lean path of this stop and complex17's declines: the general ``call``."""
    monkeypatch.setattr(_ufuncs, "complex_small", lambda rule, args: None)
    monkeypatch.setattr(_array, "complex_small", lambda rule, args: None)
    monkeypatch.setattr(_ufuncs, "_with_complex", lambda rule, args, k: None)
    monkeypatch.setattr(_ufuncs, "_complex_unary", lambda rule, d: None)     # (mixed61)
    monkeypatch.setattr(_fft, "_stacked", lambda func, a: None)


def _parts(d):
    """``(value, partials)`` of a scalar or array dual as arrays, directions last."""
    return np.asarray(d.value), np.asarray(d.partials)


# name -> (f(s, c, r, w), the partials of f from s's (a complex scalar dual), c's (a
# real scalar dual), r's (a real array dual): d(s, c, r, w, ds, dc, dr) -> partials)
MIXED = {
    "s * r": (lambda s, c, r, w: s * r, lambda s, c, r, w, ds, dc, dr: ds * r + s * dr),
    "r * s": (lambda s, c, r, w: r * s, lambda s, c, r, w, ds, dc, dr: dr * s + r * ds),
    "s * w": (lambda s, c, r, w: s * w, lambda s, c, r, w, ds, dc, dr: ds * w),
    "s + w": (lambda s, c, r, w: s + w, lambda s, c, r, w, ds, dc, dr: ds + 0 * w),
    "s - w": (lambda s, c, r, w: s - w, lambda s, c, r, w, ds, dc, dr: ds + 0 * w),
    "s / w": (lambda s, c, r, w: s / w, lambda s, c, r, w, ds, dc, dr: ds / w),
    "s / r": (lambda s, c, r, w: s / r,
              lambda s, c, r, w, ds, dc, dr: ds / r - s * dr / r ** 2),
    "s - r": (lambda s, c, r, w: s - r, lambda s, c, r, w, ds, dc, dr: ds - dr),
    "c * (w + 1j)": (lambda s, c, r, w: c * (w + 1j),
                     lambda s, c, r, w, ds, dc, dr: dc * (w + 1j)),
    "s * np.exp(1j * r)": (lambda s, c, r, w: s * np.exp(1j * r),
                           lambda s, c, r, w, ds, dc, dr: (ds + 1j * s * dr) * np.exp(1j * r)),
}


def _scalars_and_array(N, n, rng):
    tag = new_tag()
    s = dg.Dual(complex(*rng.standard_normal(2)), _complex(n, rng), tag=tag)
    c = dg.Dual(float(rng.standard_normal()), rng.standard_normal(n), tag=tag)
    r = dg.Dual(rng.uniform(0.5, 2.0, N), rng.standard_normal((N, n)), tag=tag)
    return s, c, r, rng.standard_normal(N)


@pytest.mark.parametrize("name", sorted(MIXED))
@pytest.mark.parametrize("N", [1, 7, 256])
@pytest.mark.parametrize("n", [1, 4])
def test_scalar_duals_with_arrays_give_closed_forms_and_general_bits(name, N, n, monkeypatch):
    rng = np.random.default_rng(N * 10 + n)
    s, c, r, w = _scalars_and_array(N, n, rng)
    f, closed = MIXED[name]
    seen = _counting(monkeypatch)
    got = f(s, c, r, w)
    assert seen == []                            # the lean paths took every step
    (sv, sp), (cv, cp), (rv, rp) = _parts(s), _parts(c), _parts(r)
    want = closed(sv, cv, rv[:, None], w[:, None], sp, cp, rp)
    np.testing.assert_allclose(got.partials, np.broadcast_to(want, (N, n)),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got.value, f(sv, cv, rv, w), rtol=1e-15)
    assert got.value.dtype == np.complex128 and got.partials.shape == (N, n)
    _general(monkeypatch)
    _bits(got, f(s, c, r, w))


# name -> (f(s, c), the partials from s's (complex) and c's (real): closed form)
WITH_NUMBERS = {
    "1j * c": (lambda s, c: 1j * c, lambda s, c, ds, dc: 1j * dc),
    "c * 1j": (lambda s, c: c * 1j, lambda s, c, ds, dc: 1j * dc),
    "(1j * 0.5) * c": (lambda s, c: 1j * 0.5 * c, lambda s, c, ds, dc: 0.5j * dc),
    "np.complex128 * c": (lambda s, c: np.complex128(2 - 1j) * c,
                          lambda s, c, ds, dc: (2 - 1j) * dc),
    "c + 1j": (lambda s, c: c + 1j, lambda s, c, ds, dc: dc + 0j),
    "1j - c": (lambda s, c: 1j - c, lambda s, c, ds, dc: -dc + 0j),
    "c / 2j": (lambda s, c: c / 2j, lambda s, c, ds, dc: dc / 2j),
    "(1 + 1j) / c": (lambda s, c: (1 + 1j) / c, lambda s, c, ds, dc: -(1 + 1j) * dc / c ** 2),
    "s * 3j": (lambda s, c: s * 3j, lambda s, c, ds, dc: 3j * ds),
    "2j * s": (lambda s, c: 2j * s, lambda s, c, ds, dc: 2j * ds),
    "(1 - 2j) - s": (lambda s, c: (1 - 2j) - s, lambda s, c, ds, dc: -ds),
}


@pytest.mark.parametrize("name", sorted(WITH_NUMBERS))
@pytest.mark.parametrize("n", [1, 4, 16])   # (the slot classes; n > 16: general)
def test_complex_numbers_with_scalar_duals_give_closed_forms_and_general_bits(
        name, n, monkeypatch):
    rng = np.random.default_rng(n)
    s, c, _, _ = _scalars_and_array(3, n, rng)
    f, closed = WITH_NUMBERS[name]
    seen = _counting(monkeypatch)
    got = f(s, c)
    assert seen == []
    (sv, sp), (cv, cp) = _parts(s), _parts(c)
    np.testing.assert_allclose(np.asarray(got.partials), closed(sv, cv, sp, cp),
                               rtol=1e-14, atol=1e-15)
    assert complex(got.value) == f(sv, cv)
    _general(monkeypatch)
    _bits(got, f(s, c))


def test_complex_numbers_at_singular_points_and_other_kinds(monkeypatch):
    """A zero divisor gives NumPy's inf (no ZeroDivisionError) as the general path;
    a nested scalar dual or another call's dual takes the general path."""
    tag = new_tag()
    c = dg.Dual(0.0, np.array([1.0, 0.0]), tag=tag)
    with np.errstate(all="ignore"):
        got = 1j / c
        _general(monkeypatch)
        _bits(got, 1j / c)
    monkeypatch.undo()
    # nested scalar duals (a Hessian's): the general path; -p0^2 p1 spelled complex
    H = dg.hessian(lambda p: np.real((1j * p[0]) * (p[0] * 1j)) * p[1], np.array([1.5, -2.0]))
    np.testing.assert_allclose(H, [[4.0, -3.0], [-3.0, 0.0]], rtol=1e-15)


@pytest.mark.parametrize("ufunc", [np.abs, np.conjugate])
@pytest.mark.parametrize("N", [1, 7, 256])
@pytest.mark.parametrize("real_partials", [False, True])
def test_abs_and_conjugate_of_complex_arrays(ufunc, N, real_partials, monkeypatch):
    """The tangents |z|' = Re(conj(z) dz) / |z| (0 at z = 0) and conj(z)' = conj(dz),
    and the general path's bits; holomorphic derivatives still raise."""
    rng = np.random.default_rng(N)
    z = _complex(N, rng)
    z[0] = 0.0                                  # |z| at 0: the table's 0
    dz = rng.standard_normal((N, 3)) if real_partials else _complex((N, 3), rng)
    d = dg.Dual(z, dz, tag=new_tag())
    seen = _counting(monkeypatch)
    got = ufunc(d)
    assert seen == []
    if ufunc is np.abs:
        want = np.real(np.conj(z)[:, None] * dz) / np.where(z == 0, 1.0, np.abs(z))[:, None]
        want[0] = 0.0
    else:
        want = np.conj(dz)
    np.testing.assert_allclose(got.partials, want, rtol=1e-14, atol=1e-15)
    _general(monkeypatch)
    _bits(got, ufunc(d))
    monkeypatch.undo()
    with pytest.raises((TypeError, ValueError), match="holomorphic"):
        dg.jacobian(lambda a: ufunc(a) * 1.0, z[:4] + 1.0, holomorphic=True)


@pytest.mark.parametrize("func", [np.fft.fft, np.fft.ifft])
@pytest.mark.parametrize("N", [1, 7, 256])
@pytest.mark.parametrize("n", [1, 4])
@pytest.mark.parametrize("axis", [-1, 0])
def test_fft_of_complex_1d_duals_in_one_call(func, N, n, axis, monkeypatch):
    """The value and each direction's partials are the transforms of the value and
    of the partials along the value's axis, to the bit; the general path's bits."""
    rng = np.random.default_rng(N + n)
    v, p = _complex(N, rng), _complex((N, n), rng)
    d = dg.Dual(v, p, tag=new_tag())
    got = func(d, axis=axis)
    assert got.value.tobytes() == func(v).tobytes()
    want = func(p, axis=0)
    assert np.asarray(got.partials).shape == (N, n)
    assert np.ascontiguousarray(got.partials).tobytes() == want.tobytes()
    _general(monkeypatch)
    _bits(got, func(d, axis=axis))


def test_fft_declines_other_forms(monkeypatch):
    """``n=``, ``norm=``, a real value, 2-D values: the two-call form."""
    rng = np.random.default_rng(3)
    tag = new_tag()
    cases = [(dg.Dual(_complex(8, rng), _complex((8, 2), rng), tag=tag), {"n": 12}),
             (dg.Dual(_complex(8, rng), _complex((8, 2), rng), tag=tag), {"norm": "ortho"}),
             (dg.Dual(rng.standard_normal(8), _complex((8, 2), rng), tag=tag), {}),
             (dg.Dual(_complex((4, 8), rng), _complex((4, 8, 2), rng), tag=tag), {})]
    used = []
    real = _fft._stacked

    def stacked(func, a):
        result = real(func, a)
        used.append(result is not None)
        return result
    monkeypatch.setattr(_fft, "_stacked", stacked)
    for d, kwargs in cases:
        got = np.fft.fft(d, **kwargs)
        np.testing.assert_array_equal(got.value, np.fft.fft(d.value, **kwargs))
        np.testing.assert_array_equal(
            got.partials, np.fft.fft(np.asarray(d.partials), axis=d.ndim - 1, **kwargs))
    assert not any(used)


T = np.linspace(-20, 20, 64, endpoint=False)
W = np.fft.fftfreq(T.size, d=T[1] - T[0]) * 2 * np.pi


def _intensity(p, xp=np, steps=20):
    """The split-step loop of bench/ssfm.py (ShihaoZhangPro/split_step_fourier_method,
    SSFM_NSE_simple), 64 points, ``steps`` steps of dz = 0.02."""
    dz = 0.02
    A = p[2] / xp.cosh(T) * xp.exp(-0.5j * p[3] * T ** 2)
    for _ in range(steps):
        A = A * xp.exp(1j * p[1] * xp.abs(A) ** 2 * dz)
        A = xp.fft.fft(xp.exp(1j * 0.5 * p[0] * W * W * dz) * xp.fft.ifft(A))
    return xp.abs(A) ** 2


P = np.array([-1.0, 1.0, 1.2, 0.1])




@pytest.mark.parametrize("engine", ["auto", "eager", "fused"])
@pytest.mark.engine_independent
def test_split_step_jacobian(engine, monkeypatch):
    """Central differences (eighth order) to their accuracy; the general path's bits
    in each engine; no general ``call`` in the loop but the fused engine's own."""
    with dg.engine(engine):
        seen = _counting(monkeypatch)
        J = dg.jacobian(_intensity, P)
        if engine != "fused":
            assert seen == []
        else:                 # its deferral of the real |A|^2 * p[1], once a step
            assert set(seen) <= {"multiply"}
        ref = central8(_intensity, P)
        np.testing.assert_allclose(J, ref, rtol=0, atol=1e-8 * np.max(np.abs(ref)))
        _general(monkeypatch)
        assert J.tobytes() == dg.jacobian(_intensity, P).tobytes()


def test_split_step_jacobian_against_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    J = dg.jacobian(_intensity, P)
    Jj = np.asarray(jax.jacfwd(lambda q: _intensity(q, jnp))(jnp.asarray(P)))
    np.testing.assert_allclose(J, Jj, rtol=0, atol=1e-12 * np.max(np.abs(Jj)))
