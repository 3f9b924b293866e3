"""How far the passes of one deterministic ``f`` that integrates with ``dg.quad`` /
``dg.solve_ivp`` differ, against the tolerance those integrations declare (issue 13,
rosen49: the helpers' pass check, ``api/_parallel.SLACK``).

    python bench/pass_tolerance.py [--chunk 1]

Each problem's Jacobian is taken in passes of ``--chunk`` directions (the passes run
here, through ``api._parallel.watched_tasks`` as the helpers run them); for each pass
after the first, the largest ``|value_k - value_1|`` over f's outputs divided by what
the check allows at ``SLACK = 1`` (``1e-9`` of the largest value, plus the two passes'
loosest declared ``rtol`` times the element, plus their declared absolute amounts), and
the same ratio for an unseeded random draw of about 1 % of f's value added to f (what
the check must still catch).  The ratio of a deterministic ``f`` must stay below
``SLACK``; the drawn one above it.  Nothing is written.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]
import _common  # noqa: E402,F401  (one thread per library)

import dualgrad as dg  # noqa: E402
from dualgrad.api import _parallel, _seed  # noqa: E402


def _problems():
    t = np.linspace(0.0, 10.0, 21)

    def decay(p, rtol=1e-3, atol=1e-6):
        return dg.solve_ivp(lambda t, y: -p * y, (0.0, 2.0), np.ones(p.size) + 0.0 * p,
                            rtol=rtol, atol=atol).y[:, -1]

    def vdp(p):                      # mu, y0, y0'
        sol = dg.solve_ivp(lambda t, y: np.stack([y[1], p[0] * (1 - y[0] ** 2) * y[1] - y[0]]),
                           (0.0, 20.0), p[1:], t_eval=t)
        return sol.y[0]

    def lotka(p, rtol=1e-3):
        a, b, c, d = p[:4]
        sol = dg.solve_ivp(lambda t, y: np.stack([a * y[0] - b * y[0] * y[1],
                                                  c * y[0] * y[1] - d * y[1]]),
                           (0.0, 30.0), p[4:], t_eval=t, rtol=rtol)
        return sol.y.ravel()

    def robertson(p):
        k1, k2, k3 = p

        def rhs(t, y):
            return np.stack([-k1 * y[0] + k3 * y[1] * y[2],
                             k1 * y[0] - k2 * y[1] ** 2 - k3 * y[1] * y[2],
                             k2 * y[1] ** 2])
        return dg.solve_ivp(rhs, (0.0, 100.0), np.array([1.0, 0.0, 0.0]) + 0.0 * p[0],
                            method="BDF", rtol=1e-6, atol=1e-10).y[:, -1]

    def fit(p):                     # a least-squares loss of a decay near its optimum
        data = np.exp(-np.array([0.5, 1.0, 1.5]) * 2.0) * (1 + 1e-3)
        r = decay(p, rtol=1e-6, atol=1e-9) - data
        return 0.5 * np.sum(r ** 2) * 1e4

    def singular(p, epsrel=1e-4):
        return dg.quad(lambda x: np.sqrt(x) * np.cos(3 * x) + p[0] * np.log(x) / np.sqrt(x)
                       + p[1] * x * x, 0.0, 1.0, epsrel=epsrel)[0]

    def oscillatory(p):
        return dg.quad(lambda x: np.cos(p[0] * x) * np.exp(-p[1] * x) + p[2] * np.sin(x) ** 2,
                       0.0, 30.0, limit=200)[0]

    def cancelling(p):               # a quad less its own value: f ~ 0
        return dg.quad(lambda x: np.exp(-p[0] * x) * (1 + p[1] * x), 0.0, 5.0,
                       epsrel=1e-6)[0] - 0.2855

    def many(p):                      # a sum of integrals, one per parameter
        return sum(dg.quad(lambda x, q=q: np.exp(-q * x * x), 0.0, 3.0, epsrel=1e-5)[0]
                   for q in p)

    def lotka_long(p):
        a, b, c, d = p[:4]
        sol = dg.solve_ivp(lambda t, y: np.stack([a * y[0] - b * y[0] * y[1],
                                                  c * y[0] * y[1] - d * y[1]]),
                           (0.0, 300.0), p[4:])
        return sol.y[:, -1]

    def lorenz(p, T=5.0):
        s, r, b = p

        def rhs(t, y):
            return np.stack([s * (y[1] - y[0]), y[0] * (r - y[2]) - y[1], y[0] * y[1] - b * y[2]])
        return dg.solve_ivp(rhs, (0.0, T), np.array([1.0, 1.0, 1.0]) + 0.0 * s).y[:, -1]

    def pendulum(p):
        return dg.solve_ivp(lambda t, y: np.stack([y[1], -p[0] * np.sin(y[0])]), (0.0, 100.0),
                            p[1:], method="DOP853").y[:, -1]

    return [
        ("solve_ivp Lotka-Volterra to 300", lotka_long,
         np.array([1.0, 0.1, 0.075, 1.5, 10.0, 5.0])),
        ("solve_ivp Lorenz to 5", lorenz, np.array([10.0, 28.0, 8 / 3])),
        ("solve_ivp Lorenz to 30", lambda p: lorenz(p, 30.0), np.array([10.0, 28.0, 8 / 3])),
        ("solve_ivp pendulum DOP853 to 100", pendulum, np.array([1.0, 2.5, 0.0])),
        ("solve_ivp decay, defaults", decay, np.array([0.5, 1.0, 1.5])),
        ("solve_ivp decay, rtol 1e-8", lambda p: decay(p, 1e-8, 1e-10), np.array([0.5, 1.0, 1.5])),
        ("solve_ivp van der Pol mu 5", vdp, np.array([5.0, 2.0, 0.0])),
        ("solve_ivp Lotka-Volterra", lotka, np.array([1.0, 0.1, 0.075, 1.5, 10.0, 5.0])),
        ("solve_ivp Lotka-Volterra 1e-7", lambda p: lotka(p, 1e-7),
         np.array([1.0, 0.1, 0.075, 1.5, 10.0, 5.0])),
        ("solve_ivp Robertson BDF", robertson, np.array([0.04, 3e7, 1e4])),
        ("solve_ivp fit loss x 1e4", fit, np.array([0.5, 1.0, 1.5])),
        ("quad sqrt / log, epsrel 1e-4", singular, np.array([0.0, 2.0])),
        ("quad sqrt / log, defaults", lambda p: singular(p, 1.49e-8), np.array([0.0, 2.0])),
        ("quad oscillatory", oscillatory, np.array([2.0, 0.1, 0.5])),
        ("quad minus its value", cancelling, np.array([1.0, 0.3])),
        ("sum of 4 quads", many, np.array([0.5, 1.0, 2.0, 4.0])),
    ]


def _ratios(f, x, chunk):
    tasks, labels = _seed.chunk_tasks("bench", f, (None,), (0,), [x], {}, chunk)
    results, tols = _parallel.watched_tasks("bench", _seed.evaluate_chunk, tasks, labels)
    v1 = np.asarray(results[0][0], dtype=float)
    scale = float(np.max(np.abs(v1)))
    worst = 0.0
    for (value, _), (rk, ak) in zip(results[1:], tols[1:]):
        rtol, amount = max(tols[0][0], rk), tols[0][1] + ak
        allowed = 1e-9 * scale + rtol * np.abs(np.asarray(value, dtype=float)) + amount
        worst = max(worst, float(np.max(np.abs(np.asarray(value, dtype=float) - v1) / allowed)))
    return worst, tols[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunk", type=int, default=1)
    opts = parser.parse_args()
    print(f"SLACK = {_parallel.SLACK:g}; passes of {opts.chunk} direction(s); ratio = "
          "largest difference / what SLACK = 1 allows")
    print(f"  {'problem':32s} {'deterministic':>13s} {'1 % draw':>10s}   pass 1 declared")
    for name, f, x in _problems():
        det, declared = _ratios(f, x, opts.chunk)
        rng = np.random.default_rng()

        def drawn(p, f=f):
            v = f(p)
            return v * (1 + 0.01 * rng.standard_normal())
        noisy, _ = _ratios(drawn, x, opts.chunk)
        print(f"  {name:32s} {det:13.3g} {noisy:10.3g}   rtol {declared[0]:.3g}, "
              f"absolute {declared[1]:.3g}")


if __name__ == "__main__":
    main()
