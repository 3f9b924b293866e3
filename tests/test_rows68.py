"""Issue 13, stop 68 (rows68): the lattice Boltzmann and Newmark rows' general paths.

* An ndarray of NumPy ints, uints, bools or small floats beside an array dual (``F *
  cxs``) is read by ``_ufuncs._pair`` as ``call``'s own float64 of it.
* ``np.roll`` of an array dual of two or more axes copies the value by NumPy's two
  slices, and partials whose rows of ``n >= 2`` lie apart row by row (a void view).
* ``F[:, :, i]`` with ``i`` a NumPy integer takes the basic index's lines, reading and
  storing (``put_rows``: rows of ``n >= 2`` copied as one element each).
* An object ndarray of scalar duals read again holding the same items gives copies of
  the numbers read before (``_array._read_objects``).

Each against NumPy's own operation or the general path bit for bit, with a probe of
the way (the way tests fail on 0e40b8b); the two rows' Jacobians against the complex
step.
"""


import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _ufuncs
from dualgrad.dual import _array
from dualgrad.dual._base import new_tag
from dualgrad.rules._table import RULES
from _probes import bench_module, python_calls, same_bits, same_duals, spy_on, without_numba

SPECIAL = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5, 3.0, 0.5])


def _dual(tag, shape, n, order="C"):
    size = int(np.prod(shape))
    return dg.Dual(np.array(np.resize(SPECIAL, size).reshape(shape), order=order),
                   np.array(np.resize(SPECIAL[::-1], size * n).reshape(shape + (n,)),
                            order=order), tag=tag)


INTS = [np.array([0, 0, 1, 1, 1, 0, -1, -1, -1]),
        np.array([2 ** 53 + 1, -3, 0, 7, 1, 2, 3, 4, 5], dtype=np.int64),
        np.array([2 ** 64 - 1, 0, 1, 2, 3, 4, 5, 6, 200], dtype=np.uint64),
        np.array([True, False] * 4 + [True]), np.linspace(-1, 1, 9).astype(np.float32)]


@pytest.mark.parametrize("n", [1, 2])
def test_int_array_constants(request, monkeypatch, n):
    """``u op c`` and ``c op u`` of an int / uint / bool / float32 array: the general
    path's bits (``call`` with the array as given) and NumPy's value; of finite
    operands (``+ - *``) without a call of ``call``."""
    without_numba(request, monkeypatch)
    tag = new_tag()
    finite = dg.Dual(np.linspace(0.5, 3.0, 180).reshape(4, 5, 9),
                     np.linspace(-1.0, 2.0, 180 * n).reshape(4, 5, 9, n), tag=tag)
    calls = spy_on(monkeypatch, _ufuncs, "call", lambda args, result: args[0].name)
    for u in (_dual(tag, (4, 5, 9), n), finite):
        for c in INTS:
            for ufunc in (np.multiply, np.add, np.subtract, np.divide, np.arctan2, np.hypot):
                for args in ((u, c), (c, u)):
                    with np.errstate(all="ignore"):
                        want = _ufuncs.call(RULES[ufunc], args)
                        value = ufunc(*(a.value if a is u else a for a in args))
                        del calls[:]
                        got = ufunc(*args)
                    same_duals(got, want)
                    same_bits(dg.Dual(got.value, got.partials[..., :1]),
                              dg.Dual(value, got.partials[..., :1]))
                    if u is finite and ufunc in (np.multiply, np.add, np.subtract):
                        assert not calls, (ufunc, c.dtype, calls)


def test_int_array_derivative():
    """d(F * cxs)/dF and d(cxs / F)/dF against their closed forms (cxs an int array)."""
    cxs = np.array([0, 0, 1, 1, 1, 0, -1, -1, -1])
    x = np.linspace(0.5, 2.0, 9)
    J = dg.jacobian(lambda v: (v * cxs + cxs / v) * 2, x)
    np.testing.assert_allclose(np.diag(J), 2 * (cxs - cxs / x ** 2), rtol=1e-15, atol=0)
    assert not (J - np.diag(np.diag(J))).any()


@pytest.mark.parametrize("n", [1, 2, 3])
def test_roll_views(request, monkeypatch, n):
    """``np.roll`` of array duals whose partials' rows lie apart (and of others): NumPy's
    own roll of the value and of the partials, bit for bit, the value's strides too; no
    call of NumPy's ``roll`` (two slice copies instead)."""
    without_numba(request, monkeypatch)
    tag = new_tag()
    for shape in ((12, 40, 9), (3, 4, 3), (2, 16, 3)):
        F = _dual(tag, shape, n)
        Ff = _dual(tag, shape, n, order="F")
        for d in (F[:, :, 1], F[:, :, np.int64(-1)], F[1], F[::-1, :, 0], F[1].T,
                  Ff[:, :, 1], F[:, ::3, 1], F * 1.0):
            for shift in (1, -1, 0, 5, np.int64(-3), 2 ** 40):
                for axis in (0, 1, -1, np.int64(1)):
                    if d.ndim <= axis:
                        continue
                    calls = _numpy_calls(lambda: np.roll(d, shift, axis=axis))
                    got = np.roll(d, shift, axis=axis)
                    want_v = np.roll(d.value, shift, axis=axis)
                    want_p = np.roll(d.partials, shift, axis=int(axis) % d.ndim)
                    same_bits(got, dg.Dual(want_v, want_p))
                    assert got.value.strides == want_v.strides
                    assert "roll" not in calls, calls


@pytest.mark.parametrize("n", [1, 2, 3])
def test_numpy_int_index(request, monkeypatch, n):
    """``F[:, :, i]`` read and written with ``i`` a NumPy int: NumPy's own reads and
    writes of the value and the partials (overlapping and reversed sources, broadcast
    items, a Fortran-ordered target), NumPy's errors; the basic index's lines (no
    ``_check_index``)."""
    without_numba(request, monkeypatch)
    tag = new_tag()
    checked = spy_on(monkeypatch, _array, "_check_index", lambda args, result: args)
    for shape in ((12, 40, 9), (5, 40, 2), (3, 4, 3)):
        base = _dual(tag, shape, n)
        R = _dual(tag, shape[:2], n) * 0.5
        for i in (np.int64(1), np.int32(-1), np.uint8(0)):
            got = base[:, :, i]
            same_bits(got, dg.Dual(base.value[:, :, i], base.partials[:, :, i]))
            for item, index in ((R, (slice(None), slice(None), i)),
                                (R[0], (slice(None), slice(None), i)),
                                (base[:, :-1, 0], (slice(None), slice(1, None), i)),
                                (base[:, ::-1, i][:, 1:], (slice(None), slice(1, None), i)),
                                (base[::-1, :, 0], (slice(None), slice(None), i))):
                for order in ("C", "F"):
                    F = _dual(tag, shape, n, order=order)
                    v, p = F.value.copy(), F.partials.copy()
                    iv, ip = item.value.copy(), item.partials.copy()
                    F[index] = item
                    v[index] = iv
                    p[index] = ip
                    same_bits(F, dg.Dual(v, p))
            F = base.copy()
            with pytest.raises(IndexError):
                F[:, :, np.int64(shape[2])] = R
            with pytest.raises(ValueError):
                F[:, :, i] = R[:, 1:]
            F.value.flags.writeable = False
            with pytest.raises(ValueError):
                F[:, :, i] = R
    assert not checked


def test_own_rows_overlap():
    """A store of a dual's own rows shifted along an axis (overlapping memory, rows of
    two directions apart): NumPy's write of each array, as if the source were copied
    first."""
    tag = new_tag()
    F = _dual(tag, (6, 40, 3), 2)
    v, p = F.value.copy(), F.partials.copy()
    F[:, 1:, np.int64(1)] = F[:, :-1, np.int64(1)]
    v[:, 1:, 1] = v[:, :-1, 1].copy()
    p[:, 1:, 1] = p[:, :-1, 1].copy()
    same_bits(F, dg.Dual(v, p))
    F[1:, :, 2] = F[:-1, :, 2]
    v[1:, :, 2] = v[:-1, :, 2].copy()
    p[1:, :, 2] = p[:-1, :, 2].copy()
    same_bits(F, dg.Dual(v, p))


def test_object_array_read_again(monkeypatch):
    """``np.linalg.solve(M, b)`` of ``M = np.diag([m, m, m])`` read twice: one reading of
    its items; changed in place (an item replaced, the same item put back, reshaped)
    read anew; the solutions against x = M^-1 b's closed forms."""
    reads = spy_on(monkeypatch, _array, "_from_scalars", lambda args, result: 1)
    b0 = np.array([1.0, 2.0, 3.0])

    def f(q):
        m, k = q[0], q[1]
        M = np.diag([m, m, m])
        first = np.linalg.solve(M, k * b0)
        again = np.linalg.solve(M, k * b0)
        assert len(reads) == 1
        M[0, 1] = k
        changed = np.linalg.solve(M, b0 + 0 * k)
        assert len(reads) == 2
        M[0, 1] = 0
        back = np.linalg.solve(M, b0 + 0 * k)
        return np.concatenate([first, again, changed, back])

    m, k = 2.0, 0.5
    J = dg.jacobian(f, np.array([m, k]))
    b1, b2 = b0[1], b0[2]
    dm = np.concatenate([-b0 * k / m ** 2] * 2 +        # first, again: x = b0 k / m
                        [[-b0[0] / m ** 2 + 2 * k * b1 / m ** 3, -b1 / m ** 2,
                          -b2 / m ** 2],                 # x0 = b0 / m - k b1 / m**2
                         -b0 / m ** 2])                  # back: x = b0 / m
    dk = np.concatenate([b0 / m] * 2 + [[-b1 / m ** 2, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(J[:, 0], dm, rtol=1e-14, atol=0)
    np.testing.assert_allclose(J[:, 1], dk, rtol=1e-14, atol=0)


def test_object_array_other_call():
    """An object array of one call's duals read again in a later call: refused as an
    escaped dual, as before (the reading kept is of a call that returned)."""
    kept = []

    def f(q):
        kept.append(np.diag([q[0], q[0]]))
        return np.linalg.solve(kept[-1], q[0] * np.ones(2))

    J = dg.jacobian(f, np.array([2.0]))
    np.testing.assert_array_equal(J[:, 0], [0.0, 0.0])
    with pytest.raises(Exception, match="escaped|finished|returned"):
        dg.jacobian(lambda x: np.linalg.solve(kept[0], x * np.ones(2)), np.array([2.0]))


def _numpy_calls(op):
    """The names of NumPy's own Python functions ``op()`` calls."""
    return python_calls(op, within="/numpy/")


def _complex_step(f, x, h=1e-30):
    return np.array([f(x + 1j * h * e).imag / h for e in np.eye(len(x))]).T


def test_lbm_row_complex_step(np_random_kept):
    """A small lattice Boltzmann run (the corpus row's source, 12 x 16, 4 steps) against
    the complex step."""
    corpus64 = bench_module("corpus64")

    def f(q):
        return corpus64.lbm_main(q[0], q[1], Nx=16, Ny=12, Nt=4).ravel()

    x = np.array([100.0, 0.6])
    np.testing.assert_allclose(dg.jacobian(f, x), _complex_step(f, x), rtol=1e-11,
                               atol=1e-11)


def test_newmark_row_complex_step():
    """The Newmark row's integrator (the corpus row's source, 41 steps) against the
    complex step: its ``np.linalg.solve(M, .)`` of the object array ``M`` at each step."""
    corpus64 = bench_module("corpus64")

    def f(q):
        return corpus64.newmark_row(q, nt=41)

    x = np.array([2.0, 800.0, 0.01])
    np.testing.assert_allclose(dg.jacobian(f, x), _complex_step(f, x), rtol=1e-11,
                               atol=1e-13)


@pytest.mark.parametrize("n", [1, 2])
def test_number_operators(request, monkeypatch, n):
    """``k * u``, ``u * k``, ``u / k``, ``k - u``, ``u + k`` of a Python int or float or a
    NumPy float64 / int64 ``k``: the general path's bits (``call`` of the number's
    float64), NumPy's value, with no call of ``_hush`` (the error state set inline)."""
    without_numba(request, monkeypatch)
    tag = new_tag()
    u = _dual(tag, (6, 7), n)
    hushed = spy_on(monkeypatch, _ufuncs, "_hush", lambda args, result: 1)
    for k in (3, -2, 0.5, -0.0, 1e-300, np.float64(2.5), np.int64(-3), 2 ** 70):
        for ufunc, fn, args in ((np.multiply, lambda: k * u, lambda c: (c, u)),
                                (np.multiply, lambda: u * k, lambda c: (u, c)),
                                (np.divide, lambda: u / k, lambda c: (u, c)),
                                (np.subtract, lambda: k - u, lambda c: (c, u)),
                                (np.add, lambda: u + k, lambda c: (u, c))):
            with np.errstate(all="ignore"):
                want = _ufuncs.call(RULES[ufunc], args(np.float64(k)))
                del hushed[:]
                got = fn()
            if type(k) in (int, float) or type(k) is np.float64 and ufunc is not np.divide:
                assert not hushed, (ufunc, k)   # (u / h of a NumPy h: small()'s two steps,
            same_duals(got, want)               # corpus65; u * np.int64: small())


@pytest.mark.parametrize("n", [1, 3])
def test_solve_vector(monkeypatch, n):
    """``np.linalg.solve(A, b)`` of a square matrix and a vector, array duals of one tag
    (well conditioned, transposed, 1 x 1, NaN / inf entries, singular): the general
    path's bits and errors (its lean lines off), without ``operand``; the solution's
    partials against ``A^-1 (db - dA x)`` from NumPy's solve."""
    from dualgrad.dispatch import _linalg
    tag = new_tag()
    rng = np.random.default_rng(68)
    cases = []
    for m in (1, 3, 5):
        A = rng.standard_normal((m, m)) + m * np.eye(m)
        cases.append((A, rng.standard_normal(m)))
        cases.append((A.T, rng.standard_normal(m)))
    bad = cases[2][0].copy()
    bad[0, 1] = np.nan
    cases += [(bad, cases[2][1]), (np.diag([1.0, np.inf, 2.0]), np.ones(3)),
              (np.zeros((3, 3)), np.ones(3))]
    for Av, bv in cases:
        m = len(bv)
        A = dg.Dual(Av, rng.standard_normal((m, m, n)), tag=tag)
        b = dg.Dual(bv, np.asfortranarray(rng.standard_normal((m, n))), tag=tag)
        reads = spy_on(monkeypatch, _linalg, "operand", lambda args, result: 1)

        def solved():
            with np.errstate(all="ignore"):
                try:
                    return np.linalg.solve(A, b)
                except np.linalg.LinAlgError as exc:
                    return str(exc)
        got = solved()
        assert not reads
        with monkeypatch.context() as mp:
            mp.setattr(_linalg, "_solve_vector", lambda A, b: None)
            want = solved()
        if isinstance(want, str):
            assert got == want
            continue
        same_duals(got, want)
        if np.isfinite(Av).all():
            x = np.linalg.solve(Av, bv)
            oracle = np.linalg.solve(Av, b.partials - np.einsum("ijk,j->ik", A.partials, x))
            np.testing.assert_allclose(got.partials, oracle, rtol=1e-12, atol=1e-14)
