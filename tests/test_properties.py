"""Property-based: random compositions of ufuncs against the complex step.

Seeded: hypothesis runs derandomized (the same examples every run, so a failure is
reproducible and a pass is not luck), and the generated programs below draw from
``np.random.default_rng(seed)`` with fixed seeds."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import dualgrad as dg
from dualgrad.backend import _kernels
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


@settings(max_examples=60, deadline=None, derandomize=True)
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


@settings(max_examples=30, deadline=None, derandomize=True)
@given(programs, st.integers(1, 4))
def test_array_compositions_do_not_depend_on_chunk(program, chunk):
    x = np.linspace(-1.0, 1.0, 9).reshape(3, 3)
    f = lambda x: np.sum(run(program, x))
    np.testing.assert_array_equal(dg.gradient(f, x, chunk=chunk), dg.gradient(f, x))


# ---- random programs from fixed seeds, on arrays large enough for the kernels -------
SEEDED_UNARY = [np.sin, np.cos, np.exp, np.expm1, np.sinh, np.cosh, np.tanh, np.arctan,
                np.arcsinh, np.square, np.negative,
                lambda v: np.tan(0.5 * np.tanh(v)), lambda v: np.reciprocal(1.0 + v * v),
                lambda v: np.sqrt(1.0 + v * v), lambda v: np.log(1.0 + v * v),
                lambda v: np.log1p(v * v), lambda v: np.arcsin(0.9 * np.tanh(v))]
SEEDED_BINARY = [np.add, np.subtract, np.multiply, lambda a, b: np.divide(a, 2.0 + b * b),
                 lambda a, b: a * 3.0 - b / 2.0]


def seeded_program(seed, length=6):
    rng = np.random.default_rng(seed)
    steps = []
    for _ in range(length):
        if rng.random() < 0.6:
            steps.append(("u", SEEDED_UNARY[rng.integers(len(SEEDED_UNARY))]))
        else:
            steps.append(("b", SEEDED_BINARY[rng.integers(len(SEEDED_BINARY))],
                          int(rng.integers(3))))
    return steps


@pytest.mark.parametrize("path", ["auto", "numpy", "numba"])
def test_seeded_programs_on_large_arrays_match_the_complex_step(path):
    """jvp of random elementwise programs on (3, 500) arrays (past the kernels'
    thresholds) against one complex-step evaluation along the same direction."""
    rng = np.random.default_rng(12345)
    x = rng.uniform(-1.5, 1.5, (3, 500))
    v = rng.standard_normal((3, 500))
    checked = 0
    for seed in range(20):
        program = seeded_program(seed)
        f = lambda x: run(program, x)
        with np.errstate(all="ignore"):
            want = np.imag(f(x + 1e-30j * v)) / 1e-30
        if not (np.all(np.isfinite(want)) and np.max(np.abs(want)) < 1e6):
            continue
        with _kernels.use(path):
            value, got = dg.jvp(f, x, v)
        np.testing.assert_array_equal(value, f(x))
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-12 * np.max(np.abs(want)),
                                   err_msg=f"seed {seed}")
        checked += 1
    assert checked >= 15
