"""Property-based: random compositions of ufuncs against the complex step."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import dualgrad as dg
from dualgrad import _kernels
from dualgrad.testing import complex_step

# analytic and bounded enough for the complex step on (-2, 2)
UNARY = [np.sin, np.cos, np.exp, np.tanh, np.arctan, np.sinh, np.cosh, np.square,
         np.expm1, np.negative]
BINARY = [np.add, np.subtract, np.multiply]

programs = st.lists(
    st.one_of(st.tuples(st.just("u"), st.sampled_from(UNARY)),
              st.tuples(st.just("b"), st.sampled_from(BINARY), st.integers(0, 2))),
    min_size=1, max_size=8)


def run(program, x):
    """Apply ``program`` to the three inputs; binary steps mix in an input."""
    v = x[0] * x[1] + x[2]
    for step in program:
        if step[0] == "u":
            v = step[1](v * 0.5)
        else:
            v = step[1](v, x[step[2]])
    return v


@settings(max_examples=60, deadline=None)
@given(programs, st.lists(st.floats(-2, 2), min_size=3, max_size=3),
       st.sampled_from(["numpy", "numba"]), st.sampled_from([(3,), (3, 6)]))
def test_random_compositions_match_complex_step(program, x, path, shape):
    """Scalar inputs take the scalar path, (3, 6) inputs the array path."""
    x = np.array(x)[:, None] * np.linspace(0.5, 1.0, shape[-1]) if len(shape) == 2 \
        else np.array(x)
    f = lambda x: np.sum(run(program, x))
    want = complex_step(f, x)
    # exp(exp(exp(.))) overflows or amplifies rounding beyond any fixed tolerance
    assume(np.all(np.isfinite(want)) and np.max(np.abs(want)) < 1e4)
    with _kernels.use(path):
        got = dg.gradient(f, x)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(programs, st.integers(1, 4))
def test_array_compositions_do_not_depend_on_chunk(program, chunk):
    x = np.linspace(-1.0, 1.0, 9).reshape(3, 3)
    f = lambda x: np.sum(run(program, x))
    np.testing.assert_array_equal(dg.gradient(f, x, chunk=chunk), dg.gradient(f, x))
