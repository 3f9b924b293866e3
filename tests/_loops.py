"""A buffer recurrence written as users write loops (an element store a step) and its
closed form: an oracle independent of dualgrad, shared by the scalar-loop tests."""

import numpy as np


def recurrence(q, zeros_like=None, n=40):
    """x_i = a x_{i-1} + b, x_0 = 1, in a buffer: x_n = a^n + b (a^n - 1) / (a - 1)."""
    zeros_like = zeros_like or (lambda m: np.zeros_like(q, shape=(m,)))
    a, b = q[0], q[1]
    x = zeros_like(n + 1)
    x[0] = 1.0
    for i in range(1, n + 1):
        x[i] = a * x[i - 1] + b
    return x[n]


def closed(a, b, n=40):
    """``recurrence``'s x_n in closed form (for mpmath's derivatives)."""
    return a ** n + b * (a ** n - 1) / (a - 1)
