"""What the far-range power terms cost against another checkout, and whether ordinary
powers reach them (farpower71: ``dispatch._farpower`` evaluating the row's spread ``c *
h**4`` on pairs, ``h**4`` by two nested products, where it built ``y x**(y - 1)`` by one
power node; prints only).

    python bench/farpower71_ab.py [--compare /tmp/main_before] [--rounds 3]

Far cases (each runs ``_farpower.power_terms``): the Hessian of ``(1e-300 w0) ** w1`` at
(1e140, -2.5) (attackb65 F1c) and of ``w0 ** w1`` at (-1e-160, -3) (a negative base), the
jvp of a jvp of ``u ** k`` at u = k = 1e-310 (diff65 F4), a scalar and a 1-element array
spelling, and the Jacobian of the Hessian of ``sum((1e-300 x0 C) ** (x1 + E))`` (power_third_grid's
form).  Ordinary cases: the same calls at (1.3, 2.5) / u = 0.7, k = 2.5 and an array ``a ** b``
gradient (N = 10); beside each ordinary figure ``calls=N`` is how many times
``power_terms`` ran in it (0: the ordinary path does not reach it).  Each figure the
median us of CPU time a call over ``REPEAT`` calls (``time.process_time``: the machine is
shared), fresh processes
alternating this checkout ("after") and ``--compare DIR``.
"""

import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main  # noqa: E402  (the A/B loop)

REPEAT = 60


def child():
    """Print ``{"case": us}`` for this process's dualgrad."""
    import warnings

    import numpy as np

    import dualgrad as dg
    from dualgrad.backend import _loader
    from dualgrad.dispatch import _farpower

    _loader.load()
    warnings.simplefilter("ignore")
    np.seterr(all="ignore")
    C = np.array([[1.0, 3.0, 0.5], [2.0, 1e3, 1e-3]])
    E = np.array([[0.0, 0.25, 1.0], [-1.0, 2.0, 0.5]])

    def nested(spelling, k, u):
        f = (lambda z: z[1] ** z[0]) if spelling == "scalar" else (lambda z: z[1:] ** z[0])
        return lambda: dg.jvp(lambda x: dg.jvp(f, x, np.array([0.0, 1e-200]))[1],
                              np.array([k, u]), np.array([0.0, 1e200]))

    cases = {
        "hessian (c w0) ** w1, far": lambda: dg.hessian(
            lambda w: (w[0] * 1e-300) ** w[1], np.array([1e140, -2.5])),
        "hessian w0 ** w1 negative base, far": lambda: dg.hessian(
            lambda w: w[0] ** w[1], np.array([-1e-160, -3.0])),
        "jvp of jvp scalar, far": nested("scalar", 1e-310, 1e-310),
        "jvp of jvp array, far": nested("array", 1e-310, 1e-310),
        "third sum((s x0 C) ** (x1 + E)), far": lambda: dg.jacobian(
            lambda y: dg.hessian(lambda x: np.sum((1e-300 * x[0] * C) ** (x[1] + E)), y),
            np.array([1e-5, 1.5])),
        "hessian (c w0) ** w1, ordinary": lambda: dg.hessian(
            lambda w: (w[0] * 1.0) ** w[1], np.array([1.3, 2.5])),
        "jvp of jvp scalar, ordinary": nested("scalar", 2.5, 0.7),
        "jvp of jvp array, ordinary": nested("array", 2.5, 0.7),
        "third sum((s x0 C) ** (x1 + E)), ordinary": lambda: dg.jacobian(
            lambda y: dg.hessian(lambda x: np.sum((x[0] * C) ** (x[1] + E)), y),
            np.array([1.1, 1.5])),
        "gradient a ** b, N = 10, ordinary": lambda: dg.gradient(
            lambda z: np.sum(z[:10] ** z[10:]), np.linspace(0.5, 2.0, 20)),
    }
    out = {}
    real = _farpower.power_terms
    for name, call in cases.items():
        count = [0]

        def spy(*args, **kwargs):
            count[0] += 1
            return real(*args, **kwargs)
        _farpower.power_terms = spy
        call()
        _farpower.power_terms = real
        call()
        times = []
        for _ in range(REPEAT):
            t = time.process_time()
            call()
            times.append(time.process_time() - t)
        label = f"{name} calls={count[0]}"
        out[label] = statistics.median(times) * 1e6
    print(json.dumps(out))


def main():
    ab_main("farpower71_ab.py", child, first="case", digits=1)


if __name__ == "__main__":
    main()
