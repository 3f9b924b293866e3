"""The operators on complex128 array duals off the general path (issue 13, complex17:
``dispatch._ufuncs.complex_small``, ``backend.combine_complex``): a spectral
solver's ``u * u``, ``G * fft(u)``, ``dt * Nn``, ``A * u + ...``.

Oracles: the closed forms of the derivatives (``d(a*b) = da b + a db``,
``d(a/b) = da/b - a db/b**2``, ...) to rounding; the general path
(``_ufuncs.call``, or the whole computation with the lean path patched to
decline) to the bit, zeros' signs and the zero-partial-beside-an-infinite-factor
convention included; a Kuramoto-Sivashinsky spectral solver's ``dg.jvp`` against
central differences.  The lean path is shown to have run (the general ``call``
recorded, never reached).
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.dispatch import _ufuncs
from dualgrad.dual import _array
from dualgrad.dual._base import new_tag
from _probes import same_duals

SIZES = (1, 7, 64, 2000)


def _complex(shape, rng):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _dual(v, n, rng, tag, real_partials=False):
    p = rng.standard_normal(np.shape(v) + (n,)) if real_partials else \
        _complex(np.shape(v) + (n,), rng)
    return dg.Dual(v, p, tag=tag)


def _general(monkeypatch):
    """The lean path declines: every case runs the general ``call``."""
    monkeypatch.setattr(_ufuncs, "complex_small", lambda rule, args: None)
    monkeypatch.setattr(_array, "complex_small", lambda rule, args: None)


def _counting(monkeypatch):
    """Count the general ``call``'s runs (the lean path's fallback included)."""
    seen = []
    real = _ufuncs.call

    def call(rule, args, out=None):
        seen.append(rule.name)
        return real(rule, args, out)
    monkeypatch.setattr(_ufuncs, "call", call)
    monkeypatch.setattr(_array, "call", call)
    return seen


# name -> (f(u, v, G, A), its partials from u's and v's: the closed form)
CASES = {
    "u * v": (lambda u, v, G, A: u * v, lambda u, v, G, A, du, dv: du * v + u * dv),
    "u * u": (lambda u, v, G, A: u * u, lambda u, v, G, A, du, dv: du * u + u * du),
    "u + v": (lambda u, v, G, A: u + v, lambda u, v, G, A, du, dv: du + dv),
    "u - v": (lambda u, v, G, A: u - v, lambda u, v, G, A, du, dv: du - dv),
    "u / v": (lambda u, v, G, A: u / v, lambda u, v, G, A, du, dv: du / v - u * dv / v**2),
    "G * u": (lambda u, v, G, A: G * u, lambda u, v, G, A, du, dv: G * du),
    "u * G": (lambda u, v, G, A: u * G, lambda u, v, G, A, du, dv: G * du),
    "A * u": (lambda u, v, G, A: A * u, lambda u, v, G, A, du, dv: A * du),
    "u / A": (lambda u, v, G, A: u / A, lambda u, v, G, A, du, dv: du / A),
    "A / u": (lambda u, v, G, A: A / u, lambda u, v, G, A, du, dv: -A * du / u**2),
    "G - u": (lambda u, v, G, A: G - u, lambda u, v, G, A, du, dv: -du),
    "2.0 * u": (lambda u, v, G, A: 2.0 * u, lambda u, v, G, A, du, dv: 2.0 * du),
    "u * 0.5j": (lambda u, v, G, A: u * 0.5j, lambda u, v, G, A, du, dv: 0.5j * du),
    "u - 3": (lambda u, v, G, A: u - 3, lambda u, v, G, A, du, dv: du),
    "3 - u": (lambda u, v, G, A: 3 - u, lambda u, v, G, A, du, dv: -du),
    "u + 1j": (lambda u, v, G, A: u + 1j, lambda u, v, G, A, du, dv: du),
    "1.0 / u": (lambda u, v, G, A: 1.0 / u, lambda u, v, G, A, du, dv: -du / u**2),
    "u * np.float64": (lambda u, v, G, A: u * np.float64(1.5),
                       lambda u, v, G, A, du, dv: 1.5 * du),
    "np.complex128 * u": (lambda u, v, G, A: np.complex128(2 - 1j) * u,
                          lambda u, v, G, A, du, dv: (2 - 1j) * du),
    "np.multiply(u, v)": (lambda u, v, G, A: np.multiply(u, v),
                          lambda u, v, G, A, du, dv: du * v + u * dv),
    "KS step": (lambda u, v, G, A: A * (A * u + 1.5 * v - 0.5 * u),
                lambda u, v, G, A, du, dv: A * (A * du + 1.5 * dv - 0.5 * du)),
}


def _operands(N, n, rng, real_partials=False):
    tag = new_tag()
    u, v = _complex(N, rng), _complex(N, rng)
    du, dv = _dual(u, n, rng, tag, real_partials), _dual(v, n, rng, tag, real_partials)
    return du, dv, _complex(N, rng), rng.standard_normal(N) + 2.0


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("N", SIZES)
@pytest.mark.parametrize("n", [1, 3])
def test_operators_give_the_closed_forms_and_the_general_bits(name, N, n, monkeypatch):
    rng = np.random.default_rng(N * 10 + n)
    du, dv, G, A = _operands(N, n, rng)
    f, closed = CASES[name]
    seen = _counting(monkeypatch)
    got = f(du, dv, G, A)
    assert seen == []                                   # the lean path took every step
    want = closed(du.value, dv.value, G, A, np.asarray(du.partials).T,
                  np.asarray(dv.partials).T).T
    np.testing.assert_allclose(got.partials, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got.value, f(du.value, dv.value, G, A), rtol=1e-15)
    _general(monkeypatch)
    same_duals(got, f(du, dv, G, A))


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_partials_and_2d_values_give_the_general_bits(name, monkeypatch):
    """Complex values holding float64 partials (the lean path's ``backend.combine``
    branch where no factor is complex), and values of two axes."""
    rng = np.random.default_rng(5)
    du, dv, G, A = _operands(30, 2, rng, real_partials=True)
    f = CASES[name][0]
    shape = (5, 6)
    tag = new_tag()
    d2 = [dg.Dual(d.value.reshape(shape), np.asarray(d.partials).reshape(shape + (2,)),
                  tag=tag) for d in (du, dv)]
    lean = [f(du, dv, G, A), f(*d2, G.reshape(shape), A.reshape(shape))]
    _general(monkeypatch)
    general = [f(du, dv, G, A), f(*d2, G.reshape(shape), A.reshape(shape))]
    for got, want in zip(lean, general):
        same_duals(got, want)


def test_infinite_factors_keep_zero_partials_zero(monkeypatch):
    """A zero partial beside an infinite or NaN local derivative stays 0, as on the
    general path (``1 / u`` at u = 0, ``u * v`` with v infinite); NumPy's reports
    on the values are left alone (raised here under ``np.errstate``)."""
    tag = new_tag()
    u = np.array([0j, 1 + 1j, 2.0, np.inf + 0j, np.nan + 1j])
    v = np.array([1 + 0j, np.inf + 1j, 3j, 1.0, 2.0])
    pu = np.array([[0j, 1], [0j, 1], [0j, 0j], [0j, 1], [0j, 1j]])
    pv = np.array([[1j, 1], [0j, 1], [1, 2], [0j, 0j], [1, 0j]])
    du, dv = dg.Dual(u, pu, tag=tag), dg.Dual(v, pv, tag=tag)
    cases = [lambda: du * dv, lambda: 1.0 / du, lambda: dv / du, lambda: du * np.inf,
             lambda: (1 + 2j) * du * dv]
    with np.errstate(all="ignore"):
        seen = _counting(monkeypatch)
        lean = [f() for f in cases]
        _general(monkeypatch)
        general = [f() for f in cases]
    for got, want in zip(lean, general):
        same_duals(got, want)
    assert np.asarray(lean[0].partials)[1, 0] == 0      # d(u v): 0 * inf stays 0
    assert np.asarray(lean[1].partials)[0, 0] == 0      # d(1/u) at u = 0, du = 0
    assert seen                        # non-finite factors: the careful path computed
    with np.errstate(divide="raise", invalid="raise"):
        monkeypatch.undo()
        with pytest.raises(FloatingPointError):
            1.0 / du                   # the value's own report, as NumPy's


def test_mismatched_directions_and_tags_take_the_general_path(monkeypatch):
    """Partials of other numbers of directions: the general path's ValueError naming
    both; duals of two tags (nesting): the general path."""
    rng = np.random.default_rng(0)
    tag = new_tag()
    u = _dual(_complex(8, rng), 2, rng, tag)
    v = _dual(_complex(8, rng), 3, rng, tag)
    with pytest.raises(ValueError, match="2.*3|3.*2"):
        u * v
    w = _dual(_complex(8, rng), 2, rng, new_tag())
    seen = _counting(monkeypatch)
    got = u * w                               # nested: u's duals inside w's
    assert "multiply" in seen and got.tag == w.tag


def _ksintegrate(u, Lx, dt, Nt):
    """johnfgibson/whyjulia ks-benchmark/ksintegrate.py (f808808e), numpy spelled out."""
    Nx = np.size(u)
    kx = np.concatenate((np.arange(0, Nx / 2), np.array([0]), np.arange(-Nx / 2 + 1, 0)))
    alpha = 2 * np.pi * kx / Lx
    D = 1j * alpha
    L = alpha**2 - alpha**4
    G = -0.5 * D
    dt2, dt32 = dt / 2, 3 * dt / 2
    A = np.ones(Nx) + dt2 * L
    B = 1.0 / (np.ones(Nx) - dt2 * L)
    Nn = G * np.fft.fft(u * u)
    u = np.fft.fft(u)
    for _ in range(int(Nt)):
        Nn1 = Nn
        Nn = G * np.fft.fft(np.real(np.fft.ifft(u * u)))
        u = B * (A * u + dt32 * Nn - dt2 * Nn1)
    return np.real(np.fft.ifft(u))


def test_spectral_solver_jvp(monkeypatch):
    """The KS solver's jvp: central differences to their accuracy, and the general
    path's bits (the whole computation with the lean path declining)."""
    Nx, Lx = 32, 22.0
    x = Lx * np.arange(Nx) / Nx
    u0 = np.cos(2 * np.pi * x / Lx) * (1 + np.sin(2 * np.pi * x / Lx))
    t = np.sin(4 * np.pi * x / Lx)
    f = lambda u: _ksintegrate(u, Lx, 1 / 16, 40)          # noqa: E731
    value, tangent = dg.jvp(f, u0, t)
    h = 1e-6
    fd = (f(u0 + h * t) - f(u0 - h * t)) / (2 * h)
    np.testing.assert_allclose(tangent, fd, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(value, f(u0))
    _general(monkeypatch)
    value2, tangent2 = dg.jvp(f, u0, t)
    assert value.tobytes() == value2.tobytes() and tangent.tobytes() == tangent2.tobytes()
