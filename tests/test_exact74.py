"""Stop 73's open complex findings and the tracer's positional dtype (exact74).

(1) attack73 F2, silent: where one part of a complex local derivative overflowed, its
product with a direction's ``1 + 0j`` (a real partial read as complex, a holomorphic
seed) made ``inf * 0`` NaN in the part that is finite: ``Re exp(x + 1j)`` at x = 710.
The zero rule holds part by part now.
(2) attack73 F3, silent (precision): ``x.astype(np.complex64)`` of a dual carried the
partials at complex64 (3e-8 off); refused now as ``astype(np.float32)`` is, and the
advice for ``dtype=np.complex64`` (the complex128 cast, the result cast after) runs and
is exact.
(3) attack73 F4, silent (subnormal): d/dx |x c| and d/dx sign(x + i c) where |x + i c|
is near or below the smallest normal number: the parts and the modulus taken times
2**600 first (as np.hypot scales), not |x|'s few subnormal bits (1.41440 for sqrt 2)
nor NumPy's complex division by a subnormal (NaN for 0).
(4) attack73 C2: dg.sparsity's tracer takes NumPy's positional spellings of every
function it handles (np.trace(A, 0, 0, 1, None)'s dtype raised "<lambda>() takes from 2
to 5 positional arguments but 6 were given" where dg.jacobian took it).
Oracles: mpmath at 50 digits (analytic derivatives of exp / cosh / sinh / cos / sin);
analytic Jacobians (cos, the DFT matrix); |c| and mpmath's c**2 / |z|**3, -c x / |z|**3; the dense Jacobian's nonzeros and the keyword
spelling's pattern for the tracer.
"""

import warnings

import mpmath as mp
import numpy as np
import pytest

import dualgrad as dg
from _probes import loaded_or_not  # noqa: F401  (the loaded fixture: numba loaded or not)


def _float(v):
    """An mpmath number as the nearest float, +-inf past the range."""
    return float(v) if abs(v) < mp.mpf(2) ** 1024 else float(mp.sign(v)) * np.inf


# (name, NumPy's g, mpmath's g', the point a + b i, the part read, d/d of which part)
_ROWS = [
    ("exp", np.exp, mp.exp, (710.0, 1.0), "real", "re"),
    ("exp", np.exp, mp.exp, (720.0, 1.5707963), "real", "re"),
    ("exp", np.exp, mp.exp, (712.0, 0.01), "imag", "re"),
    ("cosh", np.cosh, mp.sinh, (711.0, 1.0), "real", "re"),
    ("cosh", np.cosh, mp.sinh, (711.0, 0.01), "imag", "re"),
    ("sinh", np.sinh, mp.cosh, (711.0, 1.0), "real", "re"),
    ("sinh", np.sinh, mp.cosh, (711.0, 1.5707), "real", "re"),
    ("cos", np.cos, lambda z: -mp.sin(z), (1.0, 711.0), "real", "im"),
    ("cos", np.cos, lambda z: -mp.sin(z), (1.5707, 711.0), "real", "im"),
    ("sin", np.sin, mp.cos, (1.0, 711.0), "imag", "im"),
    ("sin", np.sin, mp.cos, (0.001, 711.0), "real", "im"),
]


def _case(row):
    """``(f, x0, exact)``: f a real function of one real x through ``g`` of a complex
    intermediate, finite at x0 with a finite exact derivative (mpmath)."""
    _, g, dg_mp, (a, b), part, var = row
    with mp.workdps(50):
        dz = dg_mp(mp.mpc(a, b)) * (1 if var == "re" else 1j)
        exact = _float(dz.real if part == "real" else dz.imag)
    if var == "re":
        def f(x):
            return getattr(np, part)(g(x + 1j * b))
        x0 = a
    else:
        def f(y):
            return getattr(np, part)(g(a + 1j * y))
        x0 = b
    return f, x0, exact


@pytest.mark.parametrize("row", _ROWS, ids=lambda r: f"{r[0]}-{r[4]}-{r[5]}-{r[3]}")
def test_a_complex_overflow_leaves_the_finite_part(row, loaded):
    f, x0, exact = _case(row)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isfinite(f(np.float64(x0))) and np.isfinite(exact)
        got = [dg.derivative(f, x0),
               dg.jacobian(f, np.array([x0, 1.0]))[0, 0],
               dg.gradient(lambda x: np.sum(f(x)), np.array([x0]))[0]]
        for engine in ("eager", "fused"):
            with dg.engine(engine):
                got.append(dg.gradient(lambda x: np.sum(f(x)), np.array([x0, x0]))[0])
    for g in got:
        assert g == pytest.approx(exact, rel=1e-13)


def test_re_exp_at_710_in_every_spelling(loaded):
    """attack73 F_cexp_real: f = e^x cos 1 through exp(x + 1j); .real, np.real and the
    array forms, beside the plain-float spelling's own."""
    with mp.workdps(50):
        exact = {x: _float(mp.exp(x) * mp.cos(1)) for x in (709.0, 710.0, 710.2)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for x0, want in exact.items():
            assert dg.derivative(lambda x: np.exp(x + 1j).real, x0) == \
                pytest.approx(want, rel=1e-13)
            assert dg.derivative(lambda x: np.real(np.exp(x + 1j)), x0) == \
                pytest.approx(want, rel=1e-13)
            J = dg.jacobian(lambda x: np.real(np.exp(x * (1 + 0j) + 1j)), np.array([x0, 1.0]))
            assert J[0, 0] == pytest.approx(want, rel=1e-13)
            assert J[0, 1] == 0.0 and J[1, 0] == 0.0


@pytest.mark.parametrize("z", [710 + 1j, 710 + 0j, 712 + 1j])
def test_a_holomorphic_derivative_keeps_its_finite_part(z, loaded):
    """d/dz exp(z) at 710 + 1j is 1.2070e308 + inf j (NumPy's exp there), not nan + inf j;
    at 710 + 0j inf + 0j; cosh at 712 + 1j inf + inf j (both parts past the range)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for g, dg_mp in ((np.exp, mp.exp), (np.cosh, mp.sinh)):
            with mp.workdps(50):
                w = dg_mp(mp.mpc(z.real, z.imag))
                want = complex(_float(w.real), _float(w.imag))
            a = complex(dg.jacobian(g, np.array([z]), holomorphic=True)[0, 0])
            s = complex(dg.jacobian(g, z, holomorphic=True))
            for got in (a, s):
                assert got.real == pytest.approx(want.real, rel=1e-13)
                assert got.imag == pytest.approx(want.imag, rel=1e-13)


def test_a_nan_local_derivative_stays_nan():
    """The zero rule part by part keeps a NaN that is one: d/dx Re exp(x + 1j) at x = NaN
    is NaN, and the directions the NaN does not reach stay 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        J = dg.jacobian(lambda x: np.real(np.exp(x + 1j)), np.array([np.nan, 710.0]))
    assert np.isnan(J[0, 0]) and J[0, 1] == 0.0 and J[1, 0] == 0.0
    with mp.workdps(50):
        assert J[1, 1] == pytest.approx(_float(mp.exp(710) * mp.cos(1)), rel=1e-13)


# ---- (2) complex64: refused as float32, the advice exact -------------------------------

@pytest.mark.parametrize("spell", ["array", "scalar", "np.complex64", "dtype object"])
def test_a_complex64_cast_of_a_dual_is_refused_as_float32s(spell):
    x = np.array([0.1, 1.3, 3.3])
    cast = {"array": lambda z: np.sin(z.astype(np.complex64)),
            "scalar": lambda z: np.sin(z[1].astype(np.complex64)),
            "np.complex64": lambda z: z.astype("complex64"),
            "dtype object": lambda z: z.astype(np.dtype(np.complex64))}[spell]
    with pytest.raises(TypeError) as info:
        dg.jacobian(cast, x)
    text = str(info.value)
    assert text.startswith("dualgrad.jacobian: d.astype(complex64) asks a dual number for a "
                           "narrowing cast"), text
    assert "z = x.astype(complex)" in text and "J.astype(np.complex64)" in text
    with pytest.raises(TypeError, match="narrowing cast"):
        dg.jacobian(lambda z: z.astype(np.float32), x)          # (its sibling, as before)


def test_the_complex_casts_advice_runs_and_is_exact():
    """The advised spelling z = x.astype(complex): d/dx sin(z) is cos(x) and the FFT's
    Jacobian the DFT matrix, exactly (complex64's cast was 1.2e-8 .. 3e-8 off)."""
    x = np.array([0.1, 1.3, 3.3])
    J = dg.jacobian(lambda z: np.sin(z.astype(complex)), x)
    np.testing.assert_allclose(np.diag(J), np.cos(x), rtol=1e-15, atol=0)
    N = 64
    xs = np.linspace(0.0, 1.0, N)
    k = np.arange(N)
    dft = np.exp(-2j * np.pi * np.outer(k, k) / N)
    J = dg.jacobian(lambda z: np.fft.fft(z.astype(complex)), xs)
    np.testing.assert_allclose(J, dft, rtol=0, atol=1e-13)
    with pytest.raises(TypeError) as info:
        dg.jacobian(lambda z: np.abs(np.sum(z, dtype=np.complex64)), x)
    text = str(info.value)
    assert "z = x.astype(complex)" in text and "J.astype(np.complex64)" in text
    assert "np.sum(z, ...) for np.sum(x, ..., dtype=np.complex64)" in text
    g = lambda z: np.abs(np.sum(z.astype(complex)))            # as advised
    np.testing.assert_array_equal(dg.jacobian(g, x), np.ones(3))


# ---- (3) |z| and sign(z) near and below the smallest normal number -----------------------

_SMALL = [1e-320, 5e-324, 1e-310, 3e-308, 1e-300, 1e-200, 1e-160, 1.0]


@pytest.mark.parametrize("c", [1 + 1j, 0.6 - 0.8j, 3j, -2.0 + 1e-3j])
def test_the_modulus_derivative_of_a_tiny_complex_number(c, loaded):
    """d/dx |x c| = Re(conj(z) c) / |z| at z = x c as NumPy rounds it (|c| where z's
    parts are exact): within 2 ulps of mpmath's at every scale, scalar, array and
    gradient."""
    for x0 in _SMALL:
        z = complex(np.complex128(c) * x0)
        with mp.workdps(50):
            zm, cm = mp.mpc(z.real, z.imag), mp.mpc(c.real, c.imag)
            want = float((mp.conj(zm) * cm).real / abs(zm))
        got = [dg.derivative(lambda t: np.abs(t * c), x0),
               dg.jacobian(lambda t: np.abs(t * c), np.array([x0, 2.0 * x0]))[0, 0],
               dg.gradient(lambda t: np.sum(np.abs(t * c)), np.array([x0]))[0]]
        for g in got:
            assert g == pytest.approx(want, rel=4.5e-16, abs=0), (x0, g, want)


@pytest.mark.parametrize("part", ["real", "imag"])
def test_the_sign_derivative_of_a_tiny_complex_number(part, loaded):
    """d/dx Re sign(x + i c) = c**2 / |z|**3 and d/dx Im sign(x + i c) = -c x / |z|**3
    (mpmath), and exactly 0 for c = 0 (sign(x + 0j) = 1 near x > 0): NaN before at 1e-310
    and 1e-320."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for x0 in (1e-320, 1e-310, 3e-308, 1.0):
            f = lambda t: getattr(np, part)(np.sign(t + 0j))
            for g in (dg.derivative(f, x0), dg.jacobian(f, np.array([x0]))[0, 0]):
                assert g == 0.0, (x0, g)
            for c in (x0, 3.0 * x0, 0.25 * x0):
                with mp.workdps(60):
                    z3 = (mp.mpf(x0) ** 2 + mp.mpf(c) ** 2) ** mp.mpf(1.5)
                    want = _float(mp.mpf(c) ** 2 / z3 if part == "real" else
                                  -mp.mpf(c) * mp.mpf(x0) / z3)
                f = lambda t, c=c: getattr(np, part)(np.sign(t + 1j * c))
                for g in (dg.derivative(f, x0), dg.jacobian(f, np.array([x0]))[0, 0]):
                    if np.isinf(want):
                        assert g == want, (x0, c, g)
                    else:
                        assert g == pytest.approx(want, rel=1e-12), (x0, c, g, want)


# ---- (4) the sparsity tracer takes NumPy's positional spellings --------------------------

_ROW = np.array([True, False, True])
_POSITIONAL = {
    "np.trace(A, 0, 0, 1, None)": (
        lambda z: np.trace(z[:4].reshape(2, 2), 0, 0, 1, None).reshape(1),
        lambda z: np.trace(z[:4].reshape(2, 2), dtype=None).reshape(1)),
    "np.trace(A, 0, 0, 1, float, None)": (
        lambda z: np.trace(z[:4].reshape(2, 2), 0, 0, 1, float, None).reshape(1),
        lambda z: np.trace(z[:4].reshape(2, 2), dtype=float).reshape(1)),
    "np.sum(A, 0, None, None, False, 5.0)": (
        lambda z: np.sum(z.reshape(2, 3), 0, None, None, False, 5.0),
        lambda z: np.sum(z.reshape(2, 3), 0, initial=5.0)),
    "np.sum(A, 1, None, None, False, 0.0, where)": (
        lambda z: np.sum(z.reshape(2, 3), 1, None, None, False, 0.0, _ROW),
        lambda z: np.sum(z.reshape(2, 3), 1, initial=0.0, where=_ROW)),
    "np.prod(A, 1, None, None, False, 2.0)": (
        lambda z: np.prod(z.reshape(2, 3), 1, None, None, False, 2.0),
        lambda z: np.prod(z.reshape(2, 3), 1, initial=2.0)),
    "np.max(A, 1, None, False, 0.0)": (
        lambda z: np.max(z.reshape(2, 3), 1, None, False, 0.0),
        lambda z: np.max(z.reshape(2, 3), 1, initial=0.0)),
    "np.max(A, 1, None, False, 100.0, where)": (
        lambda z: np.max(z.reshape(2, 3), 1, None, False, 100.0, _ROW) + z[:2],
        lambda z: np.max(z.reshape(2, 3), 1, initial=100.0, where=_ROW) + z[:2]),
    "np.min(A, 0, None, False, 9.0, where)": (
        lambda z: np.min(z.reshape(2, 3), 0, None, False, 9.0, np.array([[True], [False]])),
        lambda z: np.min(z.reshape(2, 3), 0, initial=9.0, where=np.array([[True], [False]]))),
    "np.amin(A, 1, None, False, 100.0)": (
        lambda z: np.amin(z.reshape(2, 3), 1, None, False, 100.0),
        lambda z: np.amin(z.reshape(2, 3), 1, initial=100.0)),
    "np.var(A, 1, None, None, 0, True)": (
        lambda z: np.var(z.reshape(2, 3), 1, None, None, 0, True).ravel(),
        lambda z: np.var(z.reshape(2, 3), 1, keepdims=True).ravel()),
    "np.var(A, 1, None, None, 1)": (
        lambda z: np.var(z.reshape(2, 3), 1, None, None, 1),
        lambda z: np.var(z.reshape(2, 3), 1, ddof=1)),
    "np.std(A, 0, None, None, 1, True)": (
        lambda z: np.std(z.reshape(2, 3), 0, None, None, 1, True).ravel(),
        lambda z: np.std(z.reshape(2, 3), 0, ddof=1, keepdims=True).ravel()),
}


@pytest.mark.parametrize("name", _POSITIONAL)
def test_the_tracer_takes_numpys_positional_spellings(name):
    """The pattern covers the dense Jacobian's nonzeros and is the keyword spelling's."""
    x = np.arange(1.0, 7.0)
    f, keywords = _POSITIONAL[name]
    J = dg.jacobian(f, x)
    np.testing.assert_array_equal(f(x), keywords(x))
    P = dg.sparsity(f, x)
    P = P.toarray() if hasattr(P, "toarray") else np.asarray(P)
    K = dg.sparsity(keywords, x)
    K = K.toarray() if hasattr(K, "toarray") else np.asarray(K)
    assert np.all((P != 0) | (J == 0)), (P, J)
    np.testing.assert_array_equal(P != 0, K != 0)


def test_every_handled_function_takes_numpys_places():
    """Every function the tracer handles itself: a call with as many positional
    arguments as NumPy's signature has places binds to its handler once the places
    past the handler's own are named (a handler's own names are NumPy's at each of its
    places, so the rest are read where NumPy reads them)."""
    import inspect
    from dualgrad.api import _sparsity
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    checked = 0
    for func, handler in _sparsity._HANDLED.items():
        try:
            names = [p.name for p in inspect.signature(func).parameters.values()
                     if p.kind in kinds]
            mine = inspect.signature(handler)
        except (TypeError, ValueError):
            continue
        args, kwargs = _sparsity._named_past(func, handler, tuple(names), {})
        mine.bind(None, *args, **kwargs)
        if any(p.kind == p.VAR_POSITIONAL for p in mine.parameters.values()):
            continue                    # (np.zeros' handler: its own reading of *args)
        for got, want in zip(list(mine.parameters)[2:], names[1:len(args)]):
            assert got == want, (func, got, want)       # (the array's own name aside)
        checked += 1
    assert checked > 30
