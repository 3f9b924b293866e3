"""Sparsity through complex values, what stop 50 still refused or made dense (cplx51):
np.max / np.clip / np.interp of complex values (refused where np.nanmax / np.ptp were
followed), Hessian patterns and sparse Hessians through complex intermediates
(refused), ``mode="global"`` through np.angle / np.fft (every output on every input).

Oracles: central differences (first and second), the dense dg.jacobian / dg.hessian,
and for the power flow's Hessian the central differences of the hand-derived gradient
J^T F (MATPOWER's dSbus_dV, as test_sparsity_complex.py writes it).  A pattern must
hold every nonzero of each; ``sparsity="auto"`` must give the dense numbers.
"""
import numpy as np
import pytest

import dualgrad as dg
from _oracles import central, second_differences
from test_sparsity_complex import _hand_jacobian, _mismatch, _network

sp = pytest.importorskip("scipy.sparse")

X = np.linspace(0.3, 1.4, 6)


def _z(x):
    return x[:3] + 1j * x[3:]


# ---- (1) extremes of complex values: followed as the dense helpers compute them ----

EXTREMES = [
    ("np.max", lambda x: np.abs(np.max(_z(x))) * np.ones(1)),
    ("z.max()", lambda x: np.abs(_z(x).max()) * np.ones(1)),
    ("np.amin", lambda x: np.imag(np.amin(_z(x) * (1 - 1j))) * np.ones(1)),
    ("np.maximum.reduce", lambda x: np.abs(np.maximum.reduce(_z(x))) * np.ones(1)),
    ("np.nanmax", lambda x: np.abs(np.nanmax(_z(x))) * np.ones(1)),
    ("np.nanmin axis", lambda x: np.imag(np.nanmin(
        (x + 1j * x[::-1]).reshape(2, 3), axis=0))),
    ("np.fmax.reduce", lambda x: np.abs(np.fmax.reduce(_z(x))) * np.ones(1)),
    ("np.ptp", lambda x: np.abs(np.ptp(_z(x))) * np.ones(1)),
    ("np.ptp axis", lambda x: np.ptp((x + 1j * x[::-1]).reshape(2, 3), axis=1).imag),
    ("np.clip", lambda x: np.clip(_z(x), 0.5 + 0.1j, 1.0).imag),
    ("z.clip traced bound", lambda x: np.abs(_z(x).clip(x[1] * (1 + 1j), None))),
    ("np.interp complex fp", lambda x: np.interp(x[:3] * 2, [0.0, 1.0, 2.0, 3.0],
                                                  x[2:] + 1j * x[::-1][2:]).imag),
]


@pytest.mark.parametrize("mode", ["local", "global"])
@pytest.mark.parametrize("name, f", EXTREMES, ids=[n for n, _ in EXTREMES])
def test_extremes_of_complex_values_are_followed(name, f, mode):
    # attack50b m1: np.max / clip / interp of complex raised in the tracer while the
    # dense helpers compute them (and np.nanmax / np.ptp were followed)
    fd = central(f, X)
    D = dg.jacobian(f, X)
    np.testing.assert_allclose(D, fd, rtol=1e-7, atol=1e-7)   # (the dense path's own)
    P = dg.sparsity(f, X, mode=mode).toarray()
    assert np.all((np.abs(fd) > 1e-7) <= P) and np.all((D != 0) <= P), (P, fd)
    if mode == "local":
        np.testing.assert_allclose(dg.jacobian(f, X, sparsity="auto").toarray(), D,
                                   rtol=1e-14, atol=0)


def test_max_of_complex_picks_numpys_element_in_local_mode():
    # NumPy orders complex numbers by real part first: 1.4 + 0.5j (x[2], x[5]) wins
    # over 1.3 + 0.9j, whose larger modulus np.abs would pick; only its inputs are in
    # the row
    f = lambda x: np.abs(np.max(_z(x))) * np.ones(1)             # noqa: E731
    x = np.array([0.2, 1.3, 1.4, 0.3, 0.9, 0.5])
    P = dg.sparsity(f, x).toarray()
    np.testing.assert_array_equal(P, [[0, 0, 1, 0, 0, 1]])
    assert np.array_equal(np.abs(central(f, x)) > 1e-7, P)


@pytest.mark.parametrize("name, f", [
    ("maximum", lambda x: np.maximum(_z(x), x[::-1][:3] - 0.5j)),
    ("minimum of a constant", lambda x: np.minimum(_z(x), 0.9 + 0.1j)),
    ("fmax beside NaN", lambda x: np.fmax(np.where([True, False, True], x[:3], np.nan) +
                                          1j * x[3:], x[::-1][:3] + 0j)),
])
def test_elementwise_selection_of_complex_values_keeps_the_chosen_argument(name, f):
    # local mode took both arguments' inputs for complex values (a superset): now the
    # argument NumPy's result is, as for real values; the differences of the complex
    # result (an entry nonzero in either part) are the oracle
    x = np.array([0.3, -0.7, 1.1, 0.5, 0.9, -0.2])
    P = dg.sparsity(f, x).toarray()
    np.testing.assert_array_equal(P, np.abs(central(f, x)) > 1e-7)
    np.testing.assert_allclose(dg.jacobian(f, x, sparsity="auto").toarray(),
                               dg.jacobian(f, x), rtol=1e-14)
    assert np.all(dg.sparsity(f, x, mode="global").toarray() >= P)


# ---- (3) mode="global": structural patterns through np.angle and np.fft ----

def test_angle_is_elementwise_in_global_mode():
    # attack50b m2: every output on every input (36 of 36) where the pattern is 12
    f = lambda x: np.angle(x[:3] - 1j * x[3:])                    # noqa: E731
    want = np.hstack([np.eye(3), np.eye(3)]) != 0
    for mode in ("local", "global"):
        P = dg.sparsity(f, X, mode=mode).toarray()
        np.testing.assert_array_equal(P, want)
    assert np.all((np.abs(central(f, X)) > 1e-7) == want)


def test_angle_of_real_values_is_locally_constant_except_at_zero():
    f = lambda x: np.angle(x) + x[::-1] * 0.0                    # noqa: E731
    x = np.array([-1.0, 0.0, 2.0])
    D = dg.jacobian(f, x)
    P = dg.sparsity(f, x).toarray()
    assert np.all((D != 0) <= P)                  # NaN at 0 (the jump) is kept
    assert not P[0, 0] and not P[2, 2]
    # mode="global": any element may be 0 at another point (dualgrad's NaN there
    # landed on a finite entry of another column: attack51b 02), each its own only
    G = dg.sparsity(f, x, mode="global").toarray()
    np.testing.assert_array_equal(G, np.eye(3, dtype=bool) | np.eye(3, dtype=bool)[::-1])
    x1 = np.array([0.0, -1.0, 2.0])
    np.testing.assert_array_equal(dg.jacobian(f, x1, sparsity=G).toarray(), dg.jacobian(f, x1))


def test_fft_along_an_axis_is_its_rows_in_global_mode():
    # each row of fft(Z, axis=1) depends on that row of Z only; before, mode="global"
    # gave every output on every input
    def f(x):
        F = np.fft.fft((x[:12] + 1j * x[12:]).reshape(3, 4), axis=1).ravel()
        return np.concatenate([F.real, F.imag])
    x = np.linspace(0.3, 1.4, 24)
    block = np.kron(np.eye(3), np.ones((4, 4))) != 0
    half = np.hstack([block, block])
    fd = np.abs(central(f, x)) > 1e-7
    assert np.array_equal(fd[:12] | fd[12:], half)      # the complex element's inputs
    for mode in ("local", "global"):
        np.testing.assert_array_equal(dg.sparsity(f, x, mode=mode).toarray(),
                                      np.vstack([half, half]))


@pytest.mark.parametrize("name, f", [
    ("rfft", lambda x: np.fft.rfft(x.reshape(2, 3), axis=-1).imag.ravel()),
    ("irfft", lambda x: np.fft.irfft(x[:3] + 1j * x[3:], n=4)),
    ("fftshift", lambda x: np.fft.fftshift(x.reshape(2, 3) * 1j, axes=1).imag.ravel()),
    ("ifft2 norm", lambda x: np.fft.ifft2(x.reshape(2, 3), norm="ortho").real.ravel()),
])
def test_fft_family_global_patterns_hold_the_differences(name, f):
    fd = np.abs(central(f, X)) > 1e-7
    P = dg.sparsity(f, X, mode="global").toarray()
    assert np.all(fd <= P)
    assert np.array_equal(P, dg.sparsity(f, X).toarray())      # linear: one pattern


def test_fftfreq_of_a_traced_spacing_is_not_taken_as_linear():
    f = lambda x: np.sum(np.fft.fftfreq(4, x[0]) ** 2) * np.ones(1) + x[1]   # noqa: E731
    H = dg.hessian_sparsity(lambda x: f(x)[0], np.array([0.5, 1.0])).toarray()
    assert H[0, 0]                                 # 1 / d^2: a second derivative


# ---- (2) Hessian patterns and sparse Hessians through complex intermediates ----

rng = np.random.default_rng(1)
_B = (np.abs(np.subtract.outer(range(6), range(6))) <= 1) * \
    (rng.standard_normal((6, 6)) + 1j * rng.standard_normal((6, 6)))


def _losses(x):                         # V = Vm e^{j Va}; sum Re(V conj(B V))
    V = x[6:] * np.exp(1j * x[:6])
    return np.sum((V * np.conj(_B @ V)).real)


HESSIANS = [
    ("polar product", _losses, np.linspace(0.3, 1.4, 12)),
    ("|z|^2", lambda x: np.sum(np.abs(_z(x)) ** 2), X),
    ("|z|", lambda x: np.sum(np.abs(_z(x)) * x[::-1][:3]), X),
    ("angle", lambda x: np.sum(np.angle(_z(x)) ** 2), X),
    ("sign", lambda x: np.sum(np.sign(_z(x)).real * x[:3]), X),
    ("fft", lambda x: np.sum(np.fft.rfft(x).real ** 3), X),
    ("exp of imaginary", lambda x: np.sum(np.exp(1j * x).imag * x[::-1]), X),
    ("max of complex", lambda x: np.abs(np.max(_z(x))) ** 2, X),
    ("prod of complex", lambda x: np.prod(_z(x)).real, X),
]


@pytest.mark.parametrize("mode", ["local", "global"])
@pytest.mark.parametrize("name, f, x", HESSIANS, ids=[n for n, _, _ in HESSIANS])
def test_hessian_patterns_through_complex_values_hold_every_nonzero(name, f, x, mode):
    # raised "expected real values ... a Hessian's pattern" before
    C = second_differences(f, x, h=1e-4)
    D = dg.hessian(f, x)
    np.testing.assert_allclose(D, C, atol=2e-5 * max(1.0, np.abs(D).max()))
    P = dg.hessian_sparsity(f, x, mode=mode).toarray()
    assert np.all((np.abs(C) > 1e-4) <= P) and np.all((D != 0) <= P), (P, C)
    assert np.array_equal(P, P.T)


@pytest.mark.parametrize("name, f, x", HESSIANS, ids=[n for n, _, _ in HESSIANS])
def test_sparse_hessians_through_complex_values_equal_the_dense_one(name, f, x):
    D = dg.hessian(f, x)
    H = dg.hessian(f, x, sparsity="auto")
    assert sp.issparse(H)
    np.testing.assert_allclose(H.toarray(), D, rtol=1e-12, atol=1e-12)
    P = dg.hessian_sparsity(f, x)
    np.testing.assert_allclose(dg.hessian(f, x, sparsity=P).toarray(), D, rtol=1e-12,
                               atol=1e-12)


def test_power_flow_least_squares_hessian_through_complex_voltages():
    # 0.5 |F|^2 of the AC mismatch: the pattern is the network's two-hop coupling; the
    # oracle is the central differences of the hand gradient J^T F
    Ybus, pv, pq, S, x0 = _network()
    F = _mismatch(Ybus, pv, pq, S)
    f = lambda x: 0.5 * np.sum(F(x) ** 2)                        # noqa: E731
    C = central(lambda x: _hand_jacobian(Ybus, pv, pq, x).T @ F(x), x0, h=1e-6)
    P = dg.hessian_sparsity(f, x0).toarray()
    assert np.all((np.abs(C) > 1e-6) <= P)
    assert P.sum() < P.size                       # sparse: not everything on everything
    H = dg.hessian(f, x0, sparsity="auto")
    np.testing.assert_allclose(H.toarray(), C, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(H.toarray(), dg.hessian(f, x0), rtol=1e-12, atol=1e-12)


# ---- (4) holomorphic=True with sparsity=; dg.hessian's check_sparsity= ----

Z = np.array([0.3 + 0.2j, -0.7 + 1.0j, 1.1 - 0.4j, 0.5 + 0.1j, 0.2 - 0.3j, 0.9 + 0.6j])


def _chain(z):                        # holomorphic, banded: z_{i+1} z_i + e^{z_{i+1}} + sin^2 z_i
    return z[1:] * z[:-1] + np.exp(z[1:]) + np.sin(z[:-1]) ** 2


def _chain_derivative(z):             # written by hand
    J = np.zeros((z.size - 1, z.size), complex)
    i = np.arange(z.size - 1)
    J[i, i] = z[1:] + 2 * np.sin(z[:-1]) * np.cos(z[:-1])
    J[i, i + 1] = z[:-1] + np.exp(z[1:])
    return J


def test_holomorphic_sparse_jacobian_is_the_complex_derivative():
    # refused before ("Sparse results are real; drop sparsity= for complex x")
    want = _chain_derivative(Z)
    np.testing.assert_allclose(central(_chain, Z), want, rtol=1e-8)    # real direction
    P = dg.sparsity(_chain, Z, holomorphic=True)
    np.testing.assert_array_equal(P.toarray(), want != 0)
    for pattern in ("auto", P, want != 0):
        J = dg.jacobian(_chain, Z, holomorphic=True, sparsity=pattern)
        assert sp.issparse(J) and J.dtype == complex
        np.testing.assert_allclose(J.toarray(), want, rtol=1e-14, atol=1e-15)
    J = dg.jacobian(_chain, Z, holomorphic=True, sparsity=P, check_sparsity=False,
                    format="csc")
    np.testing.assert_allclose(J.toarray(), want, rtol=1e-14, atol=1e-15)


def test_holomorphic_sparse_jacobian_checks_a_given_pattern():
    P = sp.csr_matrix(np.eye(5, 6, dtype=bool))               # misses the superdiagonal
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.jacobian(_chain, Z, holomorphic=True, sparsity=P)


def test_holomorphic_sparse_jacobian_refuses_what_is_not_holomorphic():
    f = lambda z: np.conj(z) * z                                  # noqa: E731
    for sparsity in ("auto", sp.identity(6, format="csr", dtype=bool)):
        with pytest.raises(TypeError, match="complex derivative"):
            dg.jacobian(f, Z, holomorphic=True, sparsity=sparsity)


def test_complex_x_with_sparsity_names_holomorphic_true_and_it_works():
    with pytest.raises(TypeError, match="pass holomorphic=True") as err:
        dg.jacobian(_chain, Z, sparsity="auto")
    assert "drop sparsity=" not in str(err.value)
    with pytest.raises(TypeError, match="pass holomorphic=True"):
        dg.sparsity(_chain, Z)
    np.testing.assert_allclose(
        dg.jacobian(_chain, Z, sparsity="auto", holomorphic=True).toarray(),
        _chain_derivative(Z), rtol=1e-14)


def _counted(f):
    calls = []

    def g(x):
        calls.append(1)
        return f(x)
    return g, calls


HESS_F = [("sum form", lambda x: 0.5 * np.sum((x[1:] - x[:-1] ** 2) ** 2)),
          ("not a sum", lambda x: np.prod(np.cos(x[:2])) + x[2] * x[3] ** 3)]


@pytest.mark.parametrize("name, f", HESS_F, ids=[n for n, _ in HESS_F])
def test_hessian_check_sparsity_false_skips_the_check_pass(name, f):
    x = np.linspace(0.3, 1.4, 6)
    P = dg.hessian_sparsity(f, x)
    C = second_differences(f, x, h=1e-4)
    g, calls = _counted(f)
    H = dg.hessian(g, x, sparsity=P)
    checked = len(calls)
    calls.clear()
    H2 = dg.hessian(g, x, sparsity=P, check_sparsity=False)
    assert len(calls) == checked - 1                 # the nested check pass, no more
    for got in (H, H2):
        np.testing.assert_allclose(got.toarray(), C, atol=1e-5)
        np.testing.assert_allclose(got.toarray(), dg.hessian(f, x), rtol=1e-13,
                                   atol=1e-13)


def test_hessian_check_sparsity_true_raises_on_a_missed_nonzero():
    f = HESS_F[1][1]
    x = np.linspace(0.3, 1.4, 6)
    P = sp.identity(6, format="csr", dtype=bool)                # misses (0, 1), (2, 3)
    for check in (None, True):
        kw = {} if check is None else {"check_sparsity": check}
        with pytest.raises(ValueError, match="misses nonzeros"):
            dg.hessian(f, x, sparsity=P, **kw)


@pytest.mark.parametrize("kw", [{"check_sparsity": False},
                                {"check_sparsity": "no", "sparsity": "auto"}])
def test_hessian_check_sparsity_is_a_bool_with_sparsity(kw):
    with pytest.raises(ValueError, match="check_sparsity=True or False together with"):
        dg.hessian(lambda x: np.sum(x ** 3), np.ones(3), **kw)


def test_a_given_hessian_pattern_of_a_complex_f_is_checked_in_both_parts():
    # the check cast u @ H @ w to float: a pattern missing the purely imaginary (0, 1)
    # entry of 1j x0 x1 passed with a ComplexWarning, and H[0, 1] came back 0 for 1j
    f = lambda x: np.sum(np.exp(1j * x) * x[::-1]) + 1j * x[0] * x[1]   # noqa: E731
    x = np.linspace(0.3, 1.4, 4)
    P = sp.csr_matrix(np.eye(4, dtype=bool) | np.eye(4, dtype=bool)[::-1])
    with pytest.raises(ValueError, match="misses nonzeros"):
        dg.hessian(f, x, sparsity=P)
    D = dg.hessian(f, x)
    C = second_differences(lambda x: f(x).real, x, h=1e-4) + \
        1j * second_differences(lambda x: f(x).imag, x, h=1e-4)
    np.testing.assert_allclose(D, C, atol=1e-6)
    for pattern in ("auto", dg.hessian_sparsity(f, x)):
        np.testing.assert_allclose(dg.hessian(f, x, sparsity=pattern).toarray(), D,
                                   rtol=1e-13, atol=1e-15)
