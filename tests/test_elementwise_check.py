"""elementwise_grad's elementwise check: no coupling between two elements escapes it.

One probe of 64 codes let a coupling between two elements of one code through (an
outside attack: the periodic stencil ``r[0] += 0.25 * x[-1]`` returned the row sum
at 15 of the sizes 65-1199).  The probes now spell each element's index in base 256
(``dualgrad/api/transforms.py``, ``_probes``), so every pair of elements differs in
some probe.  Oracles: the stencil's Jacobian has an off-diagonal entry (ValueError
is the only right answer), couplings ``i -> i + 64, 4096, 256, 65536`` (a shared code
under the old scheme, or in all probes but one under this one), and analytic
derivatives for elementwise functions.  The fused kernel's check is exercised with
kernels compiled at first use and a spy that sees it run.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api import transforms
from dualgrad.backend import _fused


def _stencil(x):
    r = x * 1.0
    r[0] += 0.25 * x[-1]
    return r


def _wave(x):
    return np.sin(x) * x + x ** 3


def _wave_derivative(x):
    return np.cos(x) * x + np.sin(x) + 3 * x ** 2


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_the_periodic_stencil_raises_at_every_size_up_to_1300(engine):
    missed, wrong = [], []
    with dg.engine(engine):
        for n in range(2, 1301):
            x = np.linspace(0.5, 1.5, n)
            try:
                dg.elementwise_grad(_stencil)(x)
                missed.append(n)
            except ValueError:
                pass
            g = dg.elementwise_grad(_wave)(x)
            if not np.allclose(g, _wave_derivative(x), rtol=1e-13, atol=0):
                wrong.append(n)
    assert missed == [] and wrong == []


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.parametrize("n", [4096, 4097, 65536, 65537, 300_000])
@pytest.mark.engine_independent
def test_the_periodic_stencil_raises_at_large_sizes(engine, n):
    x = np.linspace(0.5, 1.5, n)
    with dg.engine(engine):
        with pytest.raises(ValueError, match="elementwise in argument 0 "):
            dg.elementwise_grad(_stencil)(x)
        g = dg.elementwise_grad(_wave)(x)
    np.testing.assert_allclose(g, _wave_derivative(x), rtol=1e-13)


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 65536, 65537, 3 * 2 ** 17 + 5])
def test_every_pair_of_elements_differs_in_some_probe(size):
    probes = transforms._probes(size)
    assert len(probes) == (1 if size <= 256 else 2 if size <= 65536 else 3)
    key = np.zeros(size, dtype=np.int64)
    for p, q in enumerate(probes):
        mantissa, exponent = np.frexp(q)            # q = +-2**k: mantissa +-0.5, k + 1
        assert np.all(np.abs(mantissa) == 0.5)
        assert exponent.min() >= 1 and exponent.max() <= 128
        code = (exponent - 1) * 2 + (mantissa < 0)  # one of 256
        key += code.astype(np.int64) << (8 * p)
    assert np.unique(key).size == size


def test_the_probe_count_is_the_index_digits_in_base_256():
    for size, count in [(1, 1), (256, 1), (257, 2), (2 ** 16, 2), (2 ** 16 + 1, 3),
                        (2 ** 24, 3), (2 ** 24 + 1, 4), (2 ** 32, 4), (2 ** 32 + 1, 5)]:
        assert transforms._probe_count(size) == count


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_large_values_pass_quietly(engine):
    # the probes' partials reach 2**127 times the first direction's: near overflow
    # they are inf (not compared), never a warning or a rejection
    x = np.linspace(1.0, 2.0, 70_000)
    with dg.engine(engine), np.errstate(all="raise"):
        g = dg.elementwise_grad(lambda a: np.exp(a) * 1e290)(x)
    np.testing.assert_allclose(g, np.exp(x) * 1e290, rtol=1e-15)


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_adversarial_single_couplings_raise(engine):
    # i -> i + 64 and i + 4096 shared a code under one probe of 64 codes; i + 256 and
    # i + 65536 share every probe's code but the second's or the third's here
    n = 3 * 65536
    x = np.linspace(0.5, 1.5, n)
    for i in (0, 5, 1000, 65535):
        for step in (64, 256, 4096, 65536, 2 * 65536):
            j = i + step

            def f(a):
                out = a * a
                out[i] = out[i] + a[j] * 0.5
                return out
            with dg.engine(engine), pytest.raises(ValueError, match="elementwise"):
                dg.elementwise_grad(f)(x)


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_several_arguments_each_checked_with_its_own_probes(engine):
    x, y = np.linspace(0.5, 1.5, 70_000), np.linspace(-1.0, 1.0, 70_000)

    def f(a, b):
        out = a * b
        out[0] = out[0] + b[65536]          # differs from element 0 in the third probe only
        return out
    # broadcasting: a (300, 1) with 2 probes, b (1, 100) with 1; sums over the other axis
    u, v = np.linspace(0.5, 1.5, 300)[:, None], np.linspace(-1.0, 1.0, 100)[None, :]
    with dg.engine(engine):
        with pytest.raises(ValueError, match="elementwise in argument 1 "):
            dg.elementwise_grad(f, argnums=(0, 1))(x, y)
        gu, gv = dg.elementwise_grad(lambda a, b: np.exp(a) * b ** 2, argnums=(0, 1))(u, v)
    np.testing.assert_allclose(gu, np.exp(u) * np.sum(v ** 2), rtol=1e-13)
    np.testing.assert_allclose(gv, 2 * v * np.sum(np.exp(u)), rtol=1e-13)


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_a_coupling_in_a_broadcast_argument_raises(engine):
    # x (70000, 1) against y (1, 3): output row i reads x[i - 65536] too
    x = np.linspace(0.5, 1.5, 70_000)[:, None]
    y = np.array([[1.0, 2.0, 3.0]])
    with dg.engine(engine):
        with pytest.raises(ValueError, match="elementwise in argument 0 "):
            dg.elementwise_grad(lambda a, b: a * b + np.roll(a, 65536, axis=0) * 0.5,
                                argnums=(0, 1))(x, y)


# ---- the fused kernel's check of every probe -------------------------------------
@pytest.fixture
def kernel_counts(monkeypatch):
    """Kernels compile at their first use; the columns kernel's probe counts of each
    call are recorded (``None``: it did not run)."""
    from dualgrad.backend import _loader
    _loader.load()
    monkeypatch.setattr(_fused, "COMPILE_AFTER", 1)
    monkeypatch.setattr(_fused, "COMPILE_TIMES", 1)
    monkeypatch.setattr(_fused, "MIN_WORK", 0)
    seen = []
    real = dg.backend.fused_columns

    def spy(*args):
        got = real(*args)
        seen.append(None if got is None else [int(c) for c in got[1]])
        return got
    monkeypatch.setattr(dg.backend, "fused_columns", spy)
    return seen


@pytest.mark.parametrize("shift", [1, 64, 256, 4096, 65536])
@pytest.mark.engine_independent
def test_the_columns_kernel_checks_every_probe(shift, kernel_counts):
    # 3 * 65536 elements: a roll by 65536 pairs elements whose codes differ in the
    # third probe only (the wrapped ones too), so a kernel that checked fewer probes
    # would count nothing and return the row sum
    n = 3 * 65536
    x, y = np.linspace(0.5, 1.5, n), np.linspace(-1.0, 1.0, n)
    with dg.engine("fused"):
        with pytest.raises(ValueError, match="elementwise in argument 1 "):
            dg.elementwise_grad(lambda a, b: a * b + 0.25 * np.roll(b, shift) * a,
                                argnums=(0, 1))(x, y)
    assert kernel_counts and kernel_counts[-1] is not None
    assert kernel_counts[-1][0] == 0 and kernel_counts[-1][1] > 0
    kernel_counts.clear()
    with dg.engine("fused"):
        gx, gy = dg.elementwise_grad(lambda a, b: a * b + 0.25 * np.sin(b) * a,
                                     argnums=(0, 1))(x, y)
    assert kernel_counts == [[0, 0]]
    np.testing.assert_allclose(gx, y + 0.25 * np.sin(y), rtol=1e-14)
    np.testing.assert_allclose(gy, x + 0.25 * np.cos(y) * x, rtol=1e-14)


@pytest.mark.engine_independent
def test_jitted_f_is_checked_with_every_probe():
    numba = pytest.importorskip("numba")

    @numba.njit
    def stencil(x):
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = x[i] * x[i]
        out[0] = out[0] + 0.25 * x[65536]
        return out

    @numba.njit
    def wave(x):
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = np.sin(x[i]) * x[i]
        return out
    x = np.linspace(0.5, 1.5, 65537)        # 3 probes: 4 directions, the ladder's 4
    with pytest.raises(ValueError, match="elementwise"):
        dg.elementwise_grad(stencil)(x)
    np.testing.assert_allclose(dg.elementwise_grad(wave)(x), np.cos(x) * x + np.sin(x),
                               rtol=1e-14)
