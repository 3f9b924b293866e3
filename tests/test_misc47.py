"""misc47: small exactness holes, refusals and messages (stop 47).

1. np.max / np.min and their spellings return NumPy's own bits where the element an
   argmax picks differs from them: tied 0.0 and -0.0 (NumPy keeps another of the
   equal operands than argmax's first) and the sign of a NaN (attack46b 09).  Oracle:
   NumPy's value, bit for bit; the partials at ties: the mean of the tied elements'
   (rules/_table.py, TIES), written out here from the mask of the tied elements.
"""

import numpy as np
import pytest

import dualgrad as dg

_EXTREMES = {
    "max axis -1": lambda x: np.max(x, axis=-1),
    "min axis -1": lambda x: np.min(x, axis=-1),
    "max axis 0": lambda x: np.max(x, axis=0),
    "min axis 1": lambda x: np.min(x, axis=1),
    "max axes (0, 2)": lambda x: np.max(x, axis=(0, 2)),
    "min axes (0, 1)": lambda x: np.min(x, axis=(0, 1)),
    "max": lambda x: np.max(x),
    "min": lambda x: np.min(x),
    "max keepdims": lambda x: np.max(x, keepdims=True),
    "amax axis 2 keepdims": lambda x: np.amax(x, axis=2, keepdims=True),
    "amin": lambda x: np.amin(x, axis=1),
    "nanmax axis 1": lambda x: np.nanmax(x, axis=1),
    "nanmin": lambda x: np.nanmin(x),
    "ndarray.max": lambda x: x.max(axis=1),
    "ndarray.min": lambda x: x.min(),
    "maximum.reduce": lambda x: np.maximum.reduce(x, axis=2),
    "minimum.reduce": lambda x: np.minimum.reduce(x, axis=0),
    "fmax.reduce": lambda x: np.fmax.reduce(x, axis=1),
    "maximum.accumulate": lambda x: np.maximum.accumulate(x, axis=2),
    "minimum.accumulate": lambda x: np.minimum.accumulate(x, axis=1),
    "max of a transpose": lambda x: np.max(x.transpose(2, 0, 1), axis=1),
    "max initial": lambda x: np.max(x, axis=1, initial=-5.0),
}

_POOLS = ([0.0, -0.0], [0.0, -0.0, 1.0, -1.0], [0.0, -0.0, np.nan, -np.nan],
          [0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan])


def _bits(a):
    return np.asarray(a, dtype=np.float64).view(np.int64)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(_EXTREMES))
def test_extremes_return_numpys_bits_at_signed_zeros_and_nan(name):
    f = _EXTREMES[name]
    rng = np.random.default_rng(47)
    for trial in range(12):
        x = rng.choice(_POOLS[trial % 4], size=(3, 4, 5))
        v = rng.standard_normal(x.shape)
        want = _bits(f(x))
        first = dg.jvp(f, x, v)[0]
        nested = dg.jvp(lambda y: dg.jvp(f, y, v)[0], x, v)[0]
        assert np.array_equal(_bits(first), want), (name, trial)
        assert np.array_equal(_bits(nested), want), (name, trial)


def test_the_reported_case_and_what_follows_from_it():
    a = np.array([[-0.0, 0.0], [0.0, -0.0]])
    for reduce in (np.max, np.min):
        def f(x):
            return 1.0 / reduce(x.reshape(2, 2), axis=-1)
        with np.errstate(divide="ignore"):
            want = f(a.ravel())
            got = dg.jvp(f, a.ravel(), np.ones(4))[0]
        assert np.array_equal(got, want) and np.array_equal(np.signbit(got), np.signbit(want))
    one = np.array([0.0, -0.0])
    got = dg.jvp(lambda x: np.arctan2(np.min(x), -1.0), one, np.ones(2))[0]
    assert got == np.arctan2(np.min(one), -1.0)


@pytest.mark.parametrize("axis", [0, 1, None])
def test_the_partials_at_tied_zeros_stay_the_mean_of_the_tied(axis):
    x = np.array([[0.0, -0.0, -1.0], [-0.0, -2.0, 0.0]])
    J = dg.jacobian(lambda y: np.max(y, axis=axis), x)
    tied = (x == np.max(x, axis=axis, keepdims=True)).astype(float)
    want = tied / tied.sum(axis=axis, keepdims=True)          # (2, 3): weights per element
    if axis is None:
        assert np.array_equal(J.reshape(want.shape), want)
    else:
        for k in range(J.shape[0]):           # output k: the weights of its slice
            row = np.zeros_like(x)
            index = (slice(None), k) if axis == 0 else (k, slice(None))
            row[index] = want[index]
            assert np.array_equal(J[k].reshape(x.shape), row)
