"""elementwise_grad's elementwise check: no coupling between two elements escapes it.

One probe of 64 codes let a coupling between two elements of one code through (an
outside attack: the periodic stencil ``r[0] += 0.25 * x[-1]`` returned the row sum
at 15 of the sizes 65-1199); probes of 256 codes ``+-2**k``, one per base-256 digit
of the index, let couplings to two or more elements through where their terms
cancelled (outside attack 18: ``r[195] += 0.5 * (x[196] + x[197])``).  The probes
now spell a one-to-one mix of each element's index in base 32, with codes ``16**d``
(``dualgrad/api/transforms.py``, ``_probes``): every pair of elements differs in
some probe, and terms within the docstring's bound cancel only in zero-sum groups.  Oracles: the stencil's Jacobian has an off-diagonal entry (ValueError
is the only right answer), couplings ``i -> i + 64, 4096, 256, 65536`` (a shared code
under the old scheme, or in all probes but one under this one), and analytic
derivatives for elementwise functions.  The fused kernel's check is exercised with
kernels compiled at first use and a spy that sees it run.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api import transforms


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


@pytest.mark.parametrize("size", [1, 2, 31, 32, 33, 1024, 1025, 32768, 32769,
                                  3 * 2 ** 17 + 5, 2 ** 20 + 1])
@pytest.mark.engine_independent
def test_every_pair_of_elements_differs_in_some_probe(size):
    probes = transforms._probes(size)
    assert len(probes) == next(k for k in range(1, 6) if 32 ** k >= size)
    key = np.zeros(size, dtype=np.int64)
    for p, q in enumerate(probes):
        mantissa, exponent = np.frexp(q)            # q = 16**d: mantissa 0.5, 4 d + 1
        assert np.all(mantissa == 0.5)
        assert np.all((exponent - 1) % 4 == 0)
        digit = (exponent - 1) // 4
        assert digit.min() >= 0 and digit.max() <= 31
        key += digit.astype(np.int64) << (5 * p)
    assert np.unique(key).size == size


def test_the_probe_count_is_the_index_digits_in_base_32():
    for size, count in [(1, 1), (32, 1), (33, 2), (1024, 2), (1025, 3), (2 ** 15, 3),
                        (2 ** 15 + 1, 4), (101 ** 3, 4), (2 ** 20, 4), (2 ** 20 + 1, 5)]:
        assert transforms._probe_count(size) == count


def test_a_unit_stride_neighbour_differs_from_its_row_in_every_probe():
    # the mixing's promise (every base-32 digit of the multiplier in 1..30): the
    # row's code is never a stride-1 neighbour's, so a coupling to it shows in each
    # probe on its own
    for size in (33, 1025, 40_000):
        probes = transforms._probes(size)
        assert all(np.all(q[1:] != q[:-1]) for q in probes)


# ---- couplings to several elements (outside attack 18) ---------------------------
def _coupled(row, partners, weights):
    def f(x):
        r = np.sin(x)
        r[row] = r[row] + sum(w * x[j] for j, w in zip(partners, weights))
        return r
    return f


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_the_attacks_two_neighbour_row_raises(engine):
    # r[195] += 0.5 * (x[196] + x[197]) returned cos(x_195) + 1 at every N >= 198
    with dg.engine(engine):
        for n in (198, 256, 1000, 4097, 70_000):
            x = np.linspace(0.5, 1.5, n)
            for row in (0, 31, 195, n // 2, n - 3):
                for a in (0.5, 1.0, 3.0):
                    f = _coupled(row, (row + 1, row + 2), (a, a))
                    with pytest.raises(ValueError, match="elementwise in argument 0 "):
                        dg.elementwise_grad(f)(x)
                    g = _coupled(row, (row - 1, row + 2), (a, a))
                    with pytest.raises(ValueError, match="elementwise in argument 0 "):
                        dg.elementwise_grad(g)(x)


# weights whose groups cannot sum to zero (one sign, or two terms) and whose absolute
# sum is below 8 units: no probe scheme escape by transforms._probes' argument
WEIGHTS = [(0.5, 0.5), (1.0, -1.0), (1.0, 3.0), (0.25, 0.25, 0.5), (1.0, 2.0, 3.0)]


def _random_couplings(rng, n, k, count):
    """Rows and their ``k`` partners (``(rows, partners)``, partners ``(k, rows)``),
    all distinct: half the rows coupled near themselves (a stencil's strides up to
    40), half anywhere."""
    rows = rng.integers(0, n, count)
    strides = np.r_[-40:0, 1:41]
    near = rows + strides[np.argsort(rng.random((count, strides.size)), axis=1)[:, :k]].T
    far = rng.integers(0, n, (k, count))
    partners = np.where(np.arange(count) % 2, near % n, far)
    keep = np.all(partners != rows, axis=0)
    for a in range(k):
        for b in range(a):
            keep &= partners[a] != partners[b]
    return rows[keep], partners[:, keep]


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.engine_independent
def test_no_coupling_of_these_weights_escapes_the_probes(weights):
    # the probe arithmetic of r = sin(x); r[i] += sum w_j x[j] in float64 over many
    # rows (what both engines compute for that f), at sizes of 1 to 4 probes
    rng = np.random.default_rng(1418)
    for n in (32, 300, 5000, 70_000, 1_100_000):
        probes = transforms._probes(n)
        rows, parts = _random_couplings(rng, n, len(weights), 40_000)
        d = np.cos(rng.uniform(0.5, 1.5, rows.size))
        ones = d + sum(weights)
        caught = np.zeros(rows.size, dtype=bool)
        for q in probes:
            cross = sum(w * q[j] for j, w in zip(parts, weights))
            caught |= d * q[rows] + cross != q[rows] * ones
        # the one way through: every term below the row's own term's rounding in
        # every probe (weights 1, -1: the codes 2**53 apart), where the result is the
        # diagonal itself, to the bit
        assert np.all(caught | (ones == d)), (n, np.flatnonzero(~caught)[:5])
        assert caught.all() or sum(weights) == 0


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_random_couplings_raise_on_both_engines(engine):
    rng = np.random.default_rng(14)
    escaped = []
    with dg.engine(engine):
        for n in (40, 700, 40_000):
            x = np.linspace(0.5, 1.5, n)
            for weights in WEIGHTS:
                rows, partners = _random_couplings(rng, n, len(weights), 12)
                for row, to in zip(rows, partners.T):
                    try:
                        dg.elementwise_grad(_coupled(row, to, weights))(x)
                        escaped.append((n, row, to, weights))
                    except ValueError:
                        pass
    assert escaped == []


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_elementwise_functions_pass_at_the_probe_counts_edges(engine):
    with dg.engine(engine):
        for n in (31, 32, 33, 1023, 1024, 1025, 32768, 32769, 2 ** 20 + 1):
            x = np.linspace(0.5, 1.5, n)
            np.testing.assert_allclose(dg.elementwise_grad(_wave)(x), _wave_derivative(x),
                                       rtol=1e-13)
            y = np.linspace(-2.0, 2.0, n)
            gx, gy = dg.elementwise_grad(lambda a, b: np.exp(a) * b / (1 + a * a),
                                         argnums=(0, 1))(x, y)
            np.testing.assert_allclose(gx, np.exp(x) * y * (1 - x) ** 2 / (1 + x * x) ** 2,
                                       rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(gy, np.exp(x) / (1 + x * x), rtol=1e-14)


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_large_values_are_not_rejected_and_say_they_were_not_compared(engine):
    # the probes' partials reach 2**124 times the first direction's: near overflow
    # they are inf (not compared): a warning naming check=False, never a rejection
    # and never a floating-point error
    x = np.linspace(1.0, 2.0, 70_000)
    with dg.engine(engine), np.errstate(all="raise"), \
            pytest.warns(dg.UncheckedWarning, match="check=False"):
        g = dg.elementwise_grad(lambda a: np.exp(a) * 1e290)(x)
    np.testing.assert_allclose(g, np.exp(x) * 1e290, rtol=1e-15)


@pytest.mark.parametrize("engine", ("fused", "eager"))
@pytest.mark.engine_independent
def test_adversarial_single_couplings_raise(engine):
    # i -> i + 64 and i + 4096 shared a code under one probe of 64 codes; a stride
    # 2**k leaves the mixed index's lowest k bits alone, so i + 65536 shares every
    # probe's code but the fourth's here, i + 4096 all but the third's and fourth's
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
        out[0] = out[0] + b[65536]          # differs from element 0 in the fourth probe only
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
@pytest.mark.parametrize("shift", [1, 64, 256, 4096, 65536])
@pytest.mark.engine_independent
def test_the_columns_kernel_checks_every_probe(shift, kernel_counts):
    # 3 * 65536 elements: a roll by 65536 pairs elements whose codes differ in the
    # fourth probe only (the wrapped ones too), so a kernel that checked fewer probes
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
    x = np.linspace(0.5, 1.5, 65537)        # 4 probes: 5 directions, the ladder's 8
    with pytest.raises(ValueError, match="elementwise"):
        dg.elementwise_grad(stencil)(x)
    np.testing.assert_allclose(dg.elementwise_grad(wave)(x), np.cos(x) * x + np.sin(x),
                               rtol=1e-14)
