"""Sums of partials: each direction rounded as NumPy rounds it alone, so a Jacobian
does not depend on ``chunk``, on the engine or on whether numba is loaded.

Oracles: ``np.add.reduce`` of a contiguous copy of one direction's numbers (NumPy's
own pairwise sum, which the kernels and the NumPy route must reproduce bit for bit),
``math.fsum`` (the exactly rounded sum) for the derivatives themselves, and the
Jacobian with one direction per pass against the Jacobian with all of them.
"""

import math
import os
import subprocess
import sys

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused, _kernels, sum_partials

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(dg.__file__)))

# every length to 300 (all block and halving boundaries of NumPy's pairwise sum up to
# two blocks), then lengths around the later boundaries and a few long ones
LENGTHS = list(range(0, 300)) + [383, 384, 385, 511, 512, 513, 1000, 1023, 1024, 1025,
                                 2047, 2049, 4095, 5000, 8191, 8192, 8193, 20001]


def same_bits(got, want, zero_sign=True):
    """Equal entries, NaN where NaN, and the same bits wherever not NaN (the sign of
    a zero too unless ``zero_sign`` is false: a whole program's elementwise products
    may give -0.0 on NumPy's path where a kernel gives +0.0, which the sums here do
    not change)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan)
    keep = ~nan if zero_sign else ~nan & (want != 0.0)
    assert np.array_equal(got[keep].view(np.int64), want[keep].view(np.int64))
    assert np.array_equal(got == 0.0, want == 0.0)


def wide(rng, shape):
    """Random numbers over 26 decades, both signs: sums that round differently in
    any other order."""
    return rng.standard_normal(shape) * np.exp(rng.uniform(-30, 30, shape))


def per_direction(p, axes):
    """The oracle: for each kept index and direction, ``np.add.reduce`` of that
    direction's numbers over ``axes`` copied into one contiguous array (C order)."""
    ndim = p.ndim - 1
    kept = [i for i in range(ndim) if i not in axes]
    moved = np.ascontiguousarray(p.transpose(kept + list(axes) + [ndim]))
    rows = moved.reshape(moved.shape[:len(kept)] + (-1, p.shape[-1]))
    want = np.empty(rows.shape[:-2] + (p.shape[-1],), dtype=p.dtype)
    for idx in np.ndindex(*want.shape):
        want[idx] = np.add.reduce(np.ascontiguousarray(rows[idx[:-1]][:, idx[-1]]))
    return want


@pytest.mark.parametrize("mode", ["numba", "numpy"])
@pytest.mark.engine_independent
def test_a_sum_over_every_length_is_numpys_sum_of_each_direction(mode):
    rng = np.random.default_rng(0)
    with _kernels.use(mode):
        for length in LENGTHS:
            for n in (1, 2, 3, 4, 16):
                p = wide(rng, (length, n))
                same_bits(sum_partials(p, (0,), False), per_direction(p, (0,)))


@pytest.mark.parametrize("mode", ["numba", "numpy"])
@pytest.mark.engine_independent
def test_sums_over_axes_of_strided_and_permuted_partials(mode):
    """Kept axes before, after and on both sides of the summed ones; views with steps,
    transposes and broadcast rows; rows wider than the kernel's column tiles."""
    rng = np.random.default_rng(1)
    base = wide(rng, (9, 140, 6, 4))
    views = [base, base[::2], base[:, ::3], base.transpose(1, 0, 2, 3),
             base.transpose(2, 1, 0, 3), base[:, :, ::-1],
             np.broadcast_to(base[:1], base.shape), wide(rng, (3, 20, 600, 2))]
    with _kernels.use(mode):
        for p in views:
            for axes in [(0,), (1,), (2,), (0, 1), (1, 2), (0, 2), (0, 1, 2)]:
                got = sum_partials(p, axes, False)
                same_bits(got, per_direction(p, axes))
                same_bits(sum_partials(p, axes, True),
                          np.expand_dims(per_direction(p, axes), axes))


@pytest.mark.parametrize("shape, axes", [((20, 30, 4), (0,)), ((50, 9, 7, 3), (1,)),
                                         ((128, 64, 2), (0,)), ((10, 1000, 4), (0,)),
                                         ((10_000, 10, 4), (1,))])
@pytest.mark.engine_independent
def test_sums_of_one_block_over_many_columns_are_numpys(shape, axes):
    """Lengths of one NumPy block (8 to 128: the kernel's own short loop) with many
    columns beside each other, and the many short sums of ``reshape(-1, 10).T.sum``."""
    p = wide(np.random.default_rng(6), shape)
    with _kernels.use("numba"):
        same_bits(sum_partials(p, axes, False), per_direction(p, axes))


def test_nan_and_inf_among_the_partials_land_where_numpy_puts_them():
    rng = np.random.default_rng(2)
    p = wide(rng, (1000, 5))
    p[17, 0], p[900, 1], p[3, 2], p[4, 2], p[999, 3] = np.nan, np.inf, np.inf, -np.inf, -np.inf
    for mode in ("numba", "numpy"):
        with _kernels.use(mode):
            same_bits(sum_partials(p, (0,), False), per_direction(p, (0,)))


def test_complex_partials_are_summed_as_numpy_sums_each_direction():
    rng = np.random.default_rng(3)
    p = wide(rng, (3000, 3)) + 1j * wide(rng, (3000, 3))
    got = sum_partials(p, (0,), False)
    for k in range(3):
        want = np.add.reduce(np.ascontiguousarray(p[:, k]))
        assert got[k].real.tobytes() == want.real.tobytes()
        assert got[k].imag.tobytes() == want.imag.tobytes()


# --- Jacobians: the same bits whatever chunk, engine and kernels --------------------

def _field(n_in, length, seed=4):
    """``u(c) = sum_k c_k B_k``: every entry of a length-``length`` field depends on
    each of the ``n_in`` inputs (the partials are dense: sums round)."""
    rng = np.random.default_rng(seed)
    B = rng.standard_normal((n_in, length))
    return B, rng.uniform(-1, 1, n_in)


def reductions(length):
    """The sums users write (their partials through ``sum_partials``).  Not here:
    ``var``, ``std``, ``linalg.norm``, ``average`` with weights, ``trapezoid``,
    ``dot`` and ``@``, whose partials are one BLAS contraction (see ``_sums``)."""
    even = length - length % 2
    return {
        "sum": lambda u: np.sum(np.sin(u)),
        "mean": lambda u: np.mean(u * u),
        "nansum": lambda u: np.nansum(np.cos(u)),
        "nanmean": lambda u: np.nanmean(np.exp(0.1 * u)),
        "method sum": lambda u: (u * np.sin(u)).sum(),
        "method mean": lambda u: np.tanh(u).mean(),
        "average": lambda u: np.average(np.sin(u)),
        "sum of squares": lambda u: np.sqrt(np.sum(u * u)),
        "centred": lambda u: np.sum((u - np.mean(u)) ** 2) / length,
        "sum axis 0": lambda u: np.sum(np.reshape(np.sin(u[:even]), (-1, 2)), axis=0),
        "sum axis 1": lambda u: np.sum(np.reshape(np.sin(u[:even]), (2, -1)), axis=1),
        "mean keepdims": lambda u: np.mean(np.reshape(u[:even], (2, -1)), axis=1,
                                           keepdims=True),
    }


def jacobians(f, c, chunks):
    return [dg.jacobian(f, c, chunk=chunk) for chunk in chunks]


@pytest.mark.parametrize("engine", ["eager", "fused"])
@pytest.mark.engine_independent
def test_jacobians_of_reductions_do_not_depend_on_chunk_or_kernels(engine):
    """chunk = 1, 2, 3, default (8 directions in one pass): the same bits, with the
    kernels (auto mode, numba loaded) and with NumPy forced (the path of a process
    that has not loaded numba yet).  On the old code, sums of 20 numbers and more
    already differed by an ulp or more."""
    lengths = list(range(1, 26)) + [64, 127, 129, 257, 1000, 5000, 10000]
    with _fused.engine(engine):
        for length in lengths:
            B, c = _field(8, length)
            for name, red in reductions(length).items():
                f = lambda c, red=red: red(c @ B)                      # noqa: E731
                runs = jacobians(f, c, (None, 1, 3))
                with _kernels.use("numpy"):
                    runs += jacobians(f, c, (2,))
                for J in runs[1:]:
                    same_bits(J, runs[0])


def test_every_length_to_ten_thousand_sums_the_same_in_one_pass_or_one_by_one():
    """np.sum of a field of every length from 1 to 10,000 in steps of 13 (hitting every
    residue of the 8-wide blocks), with 3 inputs: one pass of 3 directions and three
    passes of one are the same bits."""
    rng = np.random.default_rng(6)
    for length in range(1, 10_001, 13):
        B = rng.standard_normal((3, length))
        f = lambda c: np.sum(np.sin(c @ B))                            # noqa: E731
        c = np.array([0.3, -0.2, 0.5])
        same_bits(dg.gradient(f, c, chunk=1), dg.gradient(f, c))


@pytest.mark.engine_independent
def test_the_attacks_centred_field_with_a_long_sum_is_independent_of_chunk():
    """The outside attack's program (attack 7, 03_chunk_rounding): a centred, rolled
    and normalized field of 5,000 points, permuted; 34 ulps apart between chunk=1 and
    the default before.  The Jacobian also matches the derivative of the same
    program written out by hand, each sum exactly rounded (math.fsum)."""
    N = 5000
    G = np.linspace(-1, 1, N)
    perm = np.random.default_rng(73).permutation(N)
    basis = np.array([np.sin(3 * G), G, np.ones(N), G * G])

    def f(c):
        u = c[0] * np.sin(3 * G) + c[1] * G + c[2] + c[3] * G * G
        u = u - np.mean(u)
        u = u * np.roll(u, -3)
        u = u / (1.0 + np.sum(u * u) / N)
        return u[perm] * 7.0

    x0 = np.array([0.3, -0.8, 0.5, 0.9])
    for engine in ("eager", "fused"):
        with _fused.engine(engine):
            runs = jacobians(f, x0, (None, 1, 2, 3))
            with _kernels.use("numpy"):
                runs += jacobians(f, x0, (None, 1))
        for J in runs[1:]:
            same_bits(J, runs[0], zero_sign=False)
    # the derivative by hand: u0 = c @ basis, v = u0 - mean(u0), w = v * roll(v, -3),
    # out = 7 w / (1 + S / N) with S = sum(w^2), permuted
    u0 = x0 @ basis
    v = u0 - math.fsum(u0) / N
    dv = basis - np.array([math.fsum(b) / N for b in basis])[:, None]
    w = v * np.roll(v, -3)
    dw = dv * np.roll(v, -3) + v * np.roll(dv, -3, axis=1)
    S = math.fsum(w * w)
    dS = np.array([math.fsum(2 * w * d) for d in dw])
    scale = 1.0 + S / N
    J_hand = (7.0 * (dw / scale - w * dS[:, None] / N / scale ** 2)).T[perm]
    np.testing.assert_allclose(runs[0], J_hand, rtol=0, atol=1e-13 * np.abs(J_hand).max())


ONE_SHOT = f"""
import sys
import numpy as np
import dualgrad as dg
N = 5000
B = np.random.default_rng(7).standard_normal((4, N))
f = lambda c: np.array([np.sum(np.sin(c @ B)), np.mean(np.cos(c @ B) ** 2)])
J = dg.jacobian(f, np.array([0.1, 0.2, -0.3, 0.4]))
assert "numba" not in sys.modules
sys.stdout.write(J.tobytes().hex())
"""


def test_a_process_without_numba_gets_the_bits_of_a_process_with_it(tmp_path):
    """A fresh process differentiates once on the NumPy route (numba never loaded);
    this process, with the kernels, computes the same bits."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), PYTHONPATH=ROOT)
    run = subprocess.run([sys.executable, "-c", ONE_SHOT], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    N = 5000
    B = np.random.default_rng(7).standard_normal((4, N))

    def f(c):
        return np.array([np.sum(np.sin(c @ B)), np.mean(np.cos(c @ B) ** 2)])

    with _kernels.use("numba"):
        J = dg.jacobian(f, np.array([0.1, 0.2, -0.3, 0.4]))
    assert J.tobytes().hex() == run.stdout.strip()
