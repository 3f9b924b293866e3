"""Sparsity patterns through complex intermediate values (userpower50: the AC power
flow's mismatch, written with complex voltages, was refused by ``dg.sparsity`` and
``sparsity="auto"``).

Oracles: the power flow's hand-derived Jacobian (the bus injections' derivatives
dS/dVa = j diag(V) conj(diag(I) - Y diag(V)), dS/dVm = diag(V) conj(Y diag(V / |V|)) +
conj(diag(I)) diag(V / |V|), as in MATPOWER's dSbus_dV), and 4th-order central
differences, whose nonzeros a detected pattern must cover; a write through ``z.real``
keeps what the imaginary part depends on.
"""
import numpy as np
import pytest

import dualgrad as dg
from _oracles import central

sp = pytest.importorskip("scipy.sparse")


def _network(nb=30, seed=0):
    rng = np.random.default_rng(seed)
    lines = [(i, (i + 1) % nb) for i in range(nb)] + [(0, 15), (5, 20), (7, 25)]
    y = (1.0 - 5j) * (1 + 0.2 * rng.random(len(lines)))
    f, t = np.array(lines).T
    m = len(lines)
    Cf = sp.csr_matrix((np.ones(m), (range(m), f)), (m, nb))
    Ct = sp.csr_matrix((np.ones(m), (range(m), t)), (m, nb))
    Y = sp.diags(y)
    Ybus = (Cf.T @ Y @ Cf + Ct.T @ Y @ Ct - Cf.T @ Y @ Ct - Ct.T @ Y @ Cf).tocsr() + \
        sp.diags(0.05j * np.ones(nb))
    pv, pq = np.arange(1, 6), np.arange(6, nb)
    S = -(0.3 + 0.1j) * rng.random(nb)
    S[pv] = 0.4
    x0 = np.concatenate([0.01 * rng.standard_normal(nb - 1),
                         1 + 0.01 * rng.standard_normal(len(pq))])
    return Ybus.tocsr(), pv, pq, S, x0


def _mismatch(Ybus, pv, pq, S):
    nb, pvpq = Ybus.shape[0], np.r_[pv, pq]

    def F(x):                       # as PYPOWER's newtonpf writes it
        Va = np.zeros_like(x, shape=nb)
        Vm = np.ones_like(x, shape=nb)
        Va[pvpq] = x[:len(pvpq)]
        Vm[pq] = x[len(pvpq):]
        V = Vm * np.exp(1j * Va)
        mis = V * np.conj(Ybus @ V) - S
        return np.concatenate([mis.real[pvpq], mis.imag[pq]])
    return F


def _hand_jacobian(Ybus, pv, pq, x):
    nb, pvpq = Ybus.shape[0], np.r_[pv, pq]
    Va, Vm = np.zeros(nb), np.ones(nb)
    Va[pvpq], Vm[pq] = x[:len(pvpq)], x[len(pvpq):]
    V = Vm * np.exp(1j * Va)
    Yd = Ybus.toarray()
    Ibus = Yd @ V
    dVa = 1j * np.diag(V) @ np.conj(np.diag(Ibus) - Yd @ np.diag(V))
    dVm = np.diag(V) @ np.conj(Yd @ np.diag(V / np.abs(V))) + \
        np.conj(np.diag(Ibus)) @ np.diag(V / np.abs(V))
    return np.block([[dVa[pvpq][:, pvpq].real, dVm[pvpq][:, pq].real],
                     [dVa[pq][:, pvpq].imag, dVm[pq][:, pq].imag]])


def test_power_flow_pattern_and_sparse_jacobian_through_complex_voltages():
    Ybus, pv, pq, S, x0 = _network()
    F = _mismatch(Ybus, pv, pq, S)
    J = _hand_jacobian(Ybus, pv, pq, x0)
    P = dg.sparsity(F, x0)
    # the pattern is the network's: every nonzero of the hand Jacobian, nothing else
    assert np.array_equal(P.toarray() != 0, np.abs(J) > 0)
    for pattern in ("auto", P):
        Js = dg.jacobian(F, x0, sparsity=pattern)
        assert sp.issparse(Js)
        np.testing.assert_allclose(Js.toarray(), J, rtol=1e-13, atol=1e-13)


def _covers(f, x):
    """dg.sparsity(f, x) holds every nonzero of f's central-difference Jacobian."""
    P = dg.sparsity(f, x).toarray() != 0
    fd = central(f, x)
    assert np.all((np.abs(fd) > 1e-7) <= P), (fd, P)
    return P


A = np.arange(12.0).reshape(3, 4) % 5 - 2 + 1j * (np.arange(12.0).reshape(3, 4) % 3)


@pytest.mark.parametrize("name, f", [
    ("imag of a product", lambda x: np.imag(x[:3] * (1 + 2j) + 1j * x[3:6])),
    ("abs and angle", lambda x: np.concatenate([np.abs(x[:3] + 1j * x[3:]),
                                                np.angle(x[3:] - 1j * x[:3])])),
    ("dense complex matrix", lambda x: (A @ (x[:4] * np.exp(1j * x[2:6]))).imag),
    ("zeros_like of complex", lambda x: _zeros_like_filled(x)),
    ("write through real", lambda x: _write_real(x)),
    ("in-place on imag", lambda x: _iadd_imag(x)),
    ("complex join", lambda x: np.real(np.concatenate([x[:2], 1j * x[2:4]]) ** 2)),
    ("astype complex", lambda x: np.abs(x.astype(complex) ** 0.5)),
    ("fft", lambda x: np.abs(np.fft.fft(x))),
    ("setter", lambda x: _setter(x)),
])
def test_complex_intermediates_pattern_covers_differences(name, f):
    x = np.linspace(0.3, 1.4, 6)
    P = _covers(f, x)
    np.testing.assert_allclose(dg.jacobian(f, x, sparsity="auto").toarray(),
                               central(f, x), rtol=1e-8, atol=1e-8)
    assert P.shape == (np.size(f(x)), x.size)


def _zeros_like_filled(x):
    z = np.zeros_like(x[:3] + 0j)
    z[1] = x[0] * 1j + x[4]
    return np.abs(z) + x[:3]


def _write_real(x):
    z = x[:3] * (1 + 1j)
    z.real[0] = x[4]                # z[0] = x4 + 1j x0: the imaginary part keeps x0
    return np.imag(z * z)


def _iadd_imag(x):
    z = x[:3] + 0j
    z.imag += x[3:]
    return np.abs(z)


def _setter(x):
    z = x[:3] * (2 - 1j)
    z.imag = x[3:]                  # z = 2 x[:3] + 1j x[3:]
    return (z * z).real


def test_write_through_real_keeps_imaginary_parts_inputs():
    x = np.linspace(0.3, 1.4, 6)
    P = dg.sparsity(_write_real, x).toarray() != 0
    assert P[0, 0] and P[0, 4]      # imag(z0^2) = 2 x4 x0: both


def test_hessian_pattern_of_complex_intermediates_is_followed():
    # refused until cplx51 (test_sparsity_complex51.py has the Hessian oracles):
    # |exp(1j x)|^2 = 1, yet its pattern is the union of the pairs met on the way
    f = lambda x: np.sum(np.abs(np.exp(1j * x) * x[::-1]) ** 2)      # noqa: E731
    P = dg.hessian_sparsity(f, np.linspace(0.3, 1.1, 3)).toarray()
    np.testing.assert_array_equal(P, np.eye(3) + np.eye(3)[::-1] != 0)


def test_complex_stored_into_a_real_array_raises_as_the_dense_helpers_do():
    def f(x):
        y = np.zeros_like(x)
        y[0] = x[0] * 1j + x[1]
        return y
    for call in (lambda: dg.jacobian(f, np.ones(3)), lambda: dg.sparsity(f, np.ones(3))):
        with pytest.raises(TypeError, match="complex dual number into a real"):
            call()


def _views_of_parts(x):
    z = x + 1j * x[::-1]
    z.real.reshape(2, 3)[...] = 0.0         # a view of a part, made by a method
    np.flip(z.imag)[0] = x[0]               # and by a function
    return np.concatenate([z.imag, z.real])


def _astype_alias(x):
    z = x + 1j * x[::-1]
    w = z.astype(complex, copy=False)       # NumPy: z itself
    w[0] = 1j * x[1]
    return z.imag


def _real_if_close_alias(x):
    z = x * (1 + 0j)
    r = np.real_if_close(z)                 # NumPy: a view of z.real
    r[0] = x[1]
    return z.real


def _conj_of_real(x):
    y = x * 1.0
    c = y.conj()                            # NumPy: y itself for a real array
    c[0] = x[1]
    return y


@pytest.mark.parametrize("f", [_views_of_parts, _astype_alias, _real_if_close_alias,
                               _conj_of_real], ids=lambda f: f.__name__)
def test_aliases_of_complex_values_keep_their_writes(f):
    # attack50b 01, 03, 04, 05: a copy where NumPy aliases lost a write's inputs
    x = np.linspace(0.3, 1.4, 6)
    fd = central(f, x)
    _covers(f, x)
    np.testing.assert_allclose(dg.jacobian(f, x), fd, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(dg.jacobian(f, x, sparsity="auto").toarray(), fd,
                               rtol=1e-8, atol=1e-8)


def test_object_array_of_complex_elements_is_refused_as_the_dense_helpers_do():
    # attack50b 02: its .imag is NumPy's zeros (object elements count as real)
    def f(x):
        z = x + 1j * x[::-1]
        return np.array([w for w in z]).imag
    for call in (dg.sparsity, dg.jacobian):
        with pytest.raises(TypeError, match="complex scalar duals"):
            call(f, np.linspace(0.3, 1.4, 4))


def _ellipsis_on_a_part(x):
    z = (x + 1j * x[::-1]).reshape(3, 2)
    z.real[..., 0] = 0.0                    # the key's Ellipsis over the values' axes
    return z.imag.ravel()


def _divmod_out(x):
    q, r = np.zeros_like(x), np.zeros_like(x)
    np.divmod(x * x[::-1], 1.0, out=(q, r))
    return r


@pytest.mark.parametrize("f", [_ellipsis_on_a_part, _divmod_out],
                         ids=lambda f: f.__name__)
def test_writes_with_ellipsis_and_out_keep_their_rows(f):
    # attack50b 09, 07
    x = np.linspace(0.3, 1.4, 6)
    _covers(f, x)
    np.testing.assert_allclose(dg.jacobian(f, x, sparsity="auto").toarray(),
                               central(f, x), rtol=1e-8, atol=1e-8)


def test_out_of_a_numpy_function_is_written_while_detecting():
    # attack50b 08: np.dot(.., out=o) / np.trace(.., out=o) left o's old (empty) rows
    def dot(x):
        o = np.zeros_like(x)
        np.dot(np.outer(x, x[::-1]), x, out=o)
        return o

    def trace(x):
        o = np.zeros_like(x[:1]).reshape(())
        np.trace(np.outer(x, x[::-1]), out=o)
        return o
    x = np.linspace(0.3, 1.4, 6)
    for f in (dot, trace):
        P = dg.sparsity(f, x).toarray() != 0
        assert np.all((np.abs(np.atleast_2d(central(f, x))) > 1e-7) <= P)


def test_a_given_pattern_of_a_complex_f_is_checked_in_both_parts():
    # attack50b 06: the check compared real parts; a pattern missing the imaginary
    # anti-diagonal gave wrong entries with a ComplexWarning
    f = lambda x: np.where(x > 0, x, 1j * x[::-1])
    P = sp.identity(4, format="csr", dtype=bool)
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.jacobian(f, np.array([1.0, -2.0, 3.0, 4.0]), sparsity=P)
