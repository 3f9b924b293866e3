"""A fused kernel's local derivatives in a clean block: computed once, in the block's
test loop, kept in the scratch ``E`` for the loop over the directions (heat51).

Oracles: the eager engine (NumPy's passes) to the bit, with inf and NaN values in
whole blocks and single rows (the tested path computes them per element as before),
and the analytic derivative where finite.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused, _fusedgen

N = 3_000
S = np.linspace(-2.0, 2.0, N)
P = np.array([0.7, -0.2, 1.3, 0.5])


@pytest.fixture
def kernels(monkeypatch):
    """Defer at every size and compile each structure at its first meeting; the
    keys of the kernels used."""
    monkeypatch.setattr(_fused, "COMPILE_AFTER", 1)
    monkeypatch.setattr(_fused, "COMPILE_TIMES", 1)
    monkeypatch.setattr(_fused, "MIN_WORK", 0)
    seen = []
    real = _fusedgen.kernel

    def kernel(key):
        seen.append(key)
        return real(key)
    monkeypatch.setattr(_fusedgen, "kernel", kernel)
    monkeypatch.setattr(_fusedgen, "compiled_kernel", lambda key: None)
    return seen


def _same_bits(got, expected):
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    nonzero = (expected != 0.0) & ~np.isnan(expected)
    np.testing.assert_array_equal(got[nonzero].view(np.int64),
                                  expected[nonzero].view(np.int64))
    np.testing.assert_array_equal(got[expected == 0.0], 0.0)


def f(p, bad=True):
    x = p[0] * S + p[1]
    if bad:
        x[200:264] = np.inf * p[1]          # a whole block
        x[1000] = np.nan * p[0]             # one row
        x[2990] = -np.inf * p[0]            # a row after the last whole block
    return p[2] * np.log1p(x ** 2) + p[3] / (1.0 + x)


def test_a_clean_block_reads_its_local_derivatives_from_the_scratch(kernels):
    """The kernel's text: each local derivative stored in ``E`` by the block's test
    loop and read back, not computed again, in the clean block's loop."""
    with dg.engine("fused"):
        dg.jacobian(f, P)
    keys = [k for k in kernels if any(coef[0] == "e" for kids in k[2] for coef, kid in kids)]
    assert keys
    text = _fusedgen.source(keys[0])
    clean = text.split("if not bad and count == 0")[1].split("        else:")[0]
    stored = [line.strip() for line in text.splitlines() if line.strip().startswith("E[")]
    assert stored and all(line.endswith(f"= e{line[2]}") for line in stored)
    for line in stored:
        j = line[2]
        assert f"e{j} = E[{j}, i - i0]" in clean
        assert f"e{j} = (" not in clean and not any(
            part.strip().startswith(f"e{j} = ") and "E[" not in part
            for part in clean.splitlines())


@pytest.mark.parametrize("bad", [True, False], ids=["inf and NaN", "finite"])
def test_the_eager_bits_and_the_derivative(kernels, bad):
    """The eager engine's bits, and the analytic Jacobian where the values are finite."""
    with dg.engine("fused"):
        got = dg.jacobian(lambda p: f(p, bad), P)
    with dg.engine("eager"):
        expected = dg.jacobian(lambda p: f(p, bad), P)
    _same_bits(got, expected)
    x = P[0] * S + P[1]
    inner = P[2] * 2.0 * x / (1.0 + x ** 2) - P[3] / (1.0 + x) ** 2
    exact = np.stack([inner * S, inner, np.log1p(x ** 2), 1.0 / (1.0 + x)], axis=1)
    rows = np.isfinite(got).all(axis=1)
    if not bad:
        assert rows.all()
    else:
        assert not rows[200:264].any() and not rows[1000] and not rows[2990]
    np.testing.assert_allclose(got[rows], exact[rows], rtol=1e-13, atol=1e-15)
