"""elementwise_grad's probe codes computed inside the fused kernels.

A fused kernel whose factor is one of ``transforms._probes``' arrays, or whose
columns check compares against them, computes the code from the row index
(coefficient ``("q", p)``, ``backend._fusedgen.source``) rather than reading the
array.  Oracles: the codes' definition in exact integer arithmetic (Python's
integers: ``16**d``, ``d`` the ``p``-th base-32 digit of ``i * MIX`` modulo 2**64),
``_probes``' arrays bit for bit, and a coupling (an off-diagonal Jacobian entry:
ValueError is the only right answer) that must still raise when the kernel's
codes and not the arrays did the checking.
"""

import numpy as np
import pytest

import dualgrad as dg
from dualgrad import backend
from dualgrad.api import transforms
from dualgrad.backend import _fused, _fusedgen

# the probe-count edges: 1 probe up to 32 elements, 2 to 1024, 3 to 32768, 4 to 2**20
SIZES = [31, 32, 33, 1023, 1024, 1025, 32767, 32768, 32769, 2 ** 20 - 1, 2 ** 20, 2 ** 20 + 1]


def _code(i, p):
    """Probe ``p``'s code of element ``i``, by Python's integers."""
    digit = (i * 0x89A8BD2EC35D325) % 2 ** 64 >> 5 * p & 31
    return float(16 ** digit)


@pytest.fixture
def plans(monkeypatch, kernel_counts):
    """Kernels compiled at first use, and the keys of the structures planned."""
    keys = []
    real = _fused._plan

    def spy(*args, **kwargs):
        got = real(*args, **kwargs)
        if got is not None:
            keys.append(got[0])
        return got
    monkeypatch.setattr(_fused, "_plan", spy)
    return keys


def _coefficients(key):
    return {coef for kids in key[2] for coef, kid in kids}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.engine_independent
def test_the_kernels_codes_are_the_probes_bit_for_bit(size, plans):
    probes = transforms._probes(size)
    m = len(probes)
    rng = np.random.default_rng(size)
    sample = np.unique(np.concatenate([np.arange(min(size, 64)), np.arange(size - 64, size),
                                       rng.integers(0, size, 200)]))
    sample = sample[sample >= 0]
    for p, q in enumerate(probes):               # the arrays against the definition
        assert [float(v) for v in q[sample]] == [_code(int(i), p) for i in sample]
    columns = [(0, None)] + [(1 + p, q) for p, q in enumerate(probes)]
    with dg.engine("fused"), backend.scope():
        d = backend.defer_seed((size,), 1 + m, columns)
        assert d is not None
        got = backend.concrete(d)
    assert plans and {("q", p) for p in range(m)} <= _coefficients(plans[-1])
    assert _fusedgen.compiled_kernel(plans[-1]) is not None       # a kernel, not NumPy
    np.testing.assert_array_equal(got[:, 0], 1.0)
    for p, q in enumerate(probes):
        assert np.array_equal(got[:, 1 + p].view(np.int64), q.view(np.int64))


@pytest.mark.parametrize("size", [33, 1025, 32769, 2 ** 20 + 1])
@pytest.mark.engine_independent
def test_the_columns_kernel_computes_its_probes_and_still_catches_a_coupling(size, plans,
                                                                             kernel_counts):
    x = np.linspace(0.5, 1.5, size)
    w = np.zeros(size)
    w[size // 2 + 3] = 0.5          # one row reads its neighbour: J[i, i + 1] = 0.5

    def coupled(x):
        return np.sin(x) * x + w * np.roll(x, -1)
    with dg.engine("fused"):
        with pytest.raises(ValueError, match="elementwise in argument 0 "):
            dg.elementwise_grad(coupled)(x)
        assert kernel_counts and kernel_counts[-1] is not None and kernel_counts[-1][0] > 0
        kernel_counts.clear()
        g = dg.elementwise_grad(lambda x: np.sin(x) * x)(x)
    assert kernel_counts == [[0]]
    np.testing.assert_allclose(g, np.cos(x) * x + np.sin(x), rtol=1e-14)
    picks = [k for k in _fusedgen._compiled if k[0] == "columns" and k[2] in plans]
    assert picks and all(c for k in picks for s, m, c in k[1])      # codes computed
    assert any(("q", 0) in _coefficients(k[2]) for k in picks)


@pytest.mark.engine_independent
def test_codes_are_recognised_only_as_whole_views_of_the_probes():
    probes = transforms._probes(1025)
    assert [_fused._code(q) for q in probes] == list(range(len(probes)))
    assert _fused._code(probes[1].reshape(5, 205)) == 1
    assert _fused._code(probes[0][1:]) is None                # shifted: row i is not code i
    assert _fused._code(probes[0][::-1]) is None
    assert _fused._code(probes[0].copy()) is None             # not known to be the codes
    assert not probes[0].flags.writeable
