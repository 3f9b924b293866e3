"""dg.quad's watch: the selections ufunc methods make (attack51 03), a jump in a complex
func's imaginary part alone (attack51 17).

``np.maximum.reduce`` / ``accumulate`` (and minimum, fmax, fmin) of a stack holding a
moving kink lost its delta term at second order, silently, where ``np.max`` of the same
stack is refused.  Oracles: closed forms of int_0^3 x max(0, x - p) dx (first derivative
-(9 - p^2) / 2 + ... integrated by hand) and the refusal np.max gives.
"""
import numpy as np
import pytest

import dualgrad as dg

P = 0.7

SPELLINGS = {
    "maximum.reduce": lambda x, p: x * np.maximum.reduce(np.stack([0 * x, x - p])),
    "maximum.reduce axis=0": lambda x, p: x * np.maximum.reduce(np.stack([0 * x, x - p]),
                                                                axis=0),
    "maximum.accumulate": lambda x, p: x * np.maximum.accumulate(np.stack([0 * x, x - p]))[1],
    "minimum.reduce": lambda x, p: -x * np.minimum.reduce(np.stack([0 * x, p - x])),
    "fmax.accumulate": lambda x, p: x * np.fmax.accumulate(np.stack([0 * x, x - p]))[1],
    "fmin.reduce": lambda x, p: -x * np.fmin.reduce(np.stack([0 * x, p - x])),
}


def _integral(g):
    return lambda p: dg.quad(lambda x: g(x, p), 0.0, 3.0)[0]


@pytest.mark.parametrize("name", SPELLINGS)
def test_a_moving_kink_in_a_ufunc_method_is_exact_at_first_order(name):
    # d/dp int_p^3 x (x - p) dx = -int_p^3 x dx = -(9 - p^2) / 2 (the kink: no term)
    got = dg.derivative(_integral(SPELLINGS[name]), P)
    assert got == pytest.approx(-(9.0 - P ** 2) / 2, rel=1e-8)   # (quad over the kink)


@pytest.mark.parametrize("name", SPELLINGS)
def test_a_moving_kink_in_a_ufunc_method_is_refused_at_second_order(name):
    # exact p (the kink's delta term, p * 1); the watch refuses as it does np.max's
    with pytest.raises(TypeError, match=name.split()[0].replace(".", r"\.")):
        dg.hessian(_integral(SPELLINGS[name]), P)
    with pytest.raises(TypeError, match="np.max"):
        dg.hessian(_integral(lambda x, p: x * np.max(np.stack([0 * x, x - p]), axis=0)), P)


def test_a_running_maximum_of_fixed_data_is_not_refused():
    # the running maximum of a stack whose order does not change with p (a smooth
    # integrand, (p x)^2 above -1 everywhere): d^2/dp^2 int_0^3 (p x)^2 dx = 18
    g = lambda x, p: np.maximum.accumulate(np.stack([0 * x - 1.0, (p * x) ** 2]))[1]
    assert dg.hessian(_integral(g), P) == pytest.approx(18.0, rel=1e-10)


@pytest.mark.parametrize("vectorized", [False, True])
def test_a_moving_jump_in_the_imaginary_part_alone_is_refused(vectorized):
    # attack51 17: complex_func=True, x + 1j [x < p]: the jump is in the imaginary part
    # only (d/dp int_0^2 = 1j, the jump's term alone); the watch's probe read the real
    # part and judged it continuous (0j, silently); a smooth complex integrand stays
    # exact: d/dp int_0^2 exp(i p x) dx by its closed form
    with pytest.raises(TypeError, match="branches to stay put"):
        dg.derivative(lambda p: dg.quad(lambda x: x + 1j * np.where(x < p, 1.0, 0.0), 0.0,
                                        2.0, complex_func=True, vectorized=vectorized)[0], P)
    want = (2j * np.exp(2j * P) * P - (np.exp(2j * P) - 1)) / (1j * P * P)
    got = dg.derivative(lambda p: dg.quad(lambda x: np.exp(1j * p * x), 0.0, 2.0,
                                          complex_func=True, vectorized=vectorized)[0], P)
    assert got == pytest.approx(want, rel=1e-12)
