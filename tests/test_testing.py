"""The oracles in dualgrad.testing against closed forms, and the corpus against them."""

import numpy as np

import dualgrad as dg
from dualgrad.testing import (central_difference, complex_step, lotka_volterra,
                              numerical_jacobian, pendulum, second_difference)


def test_oracles_against_closed_forms():
    assert abs(central_difference(np.exp, 0.3) - np.exp(0.3)) < 1e-10
    assert abs(second_difference(np.sin, 0.7) + np.sin(0.7)) < 1e-8
    x = np.array([0.2, -1.0, 2.5])
    np.testing.assert_allclose(complex_step(np.sin, x), np.diag(np.cos(x)), rtol=1e-15)
    np.testing.assert_allclose(numerical_jacobian(lambda v: v ** 3, x), np.diag(3 * x ** 2),
                               rtol=1e-9)


def test_corpus_functions_against_the_complex_step():
    for f, p in ((lotka_volterra, np.array([1.1, 0.4, 0.1, 0.4])),
                 (pendulum, np.array([9.81, 0.3, 1.0, 0.0]))):
        np.testing.assert_allclose(dg.jacobian(f, p), complex_step(f, p), rtol=1e-12,
                                   atol=1e-14)
