"""How far the passes of one deterministic ``f`` that integrates with ``dg.quad`` /
``dg.solve_ivp`` differ, and whether the helpers' pass check still catches a draw
(issue 13; rosen49 made the integrations declare a tolerance, pass50 makes every later
pass continue with the first pass's integrals: ``api/_parallel``).

    python bench/pass_tolerance.py [--chunk 1]

Each problem's Jacobian is taken in passes of ``--chunk`` directions (the passes run
here, through ``api._parallel.watched_tasks`` as the helpers run them).  Columns:
``integrals``: the largest move of a later pass's integration from the first pass's, in
the integration's own units, over what ``SLACK = 1`` allows (its rtol times its size
plus the two passes' declared absolute amounts); a deterministic f must stay below
``SLACK``.  ``replayed``: whether every later pass continued with the first pass's
integrals (no allowance left on f's value).  ``f moved``: the largest ``|value_k -
value_1|`` of f over ``1e-9`` of its largest value plus what is left of the allowance
(at most 1: the check passes).  ``1 % draw``: the same for an unseeded draw of about 1
% of f's value added to f, and whether the check (``_seed.same_values``) refuses it.
Nothing is written.
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

    def scaled_down(p):              # attack49 03: an integral in other units
        return np.sum(p ** 2) + dg.quad(lambda t: 1e9 * np.exp(-p[0] * t), 0.0, 1.0)[0] / 1e9

    def penalty(p):                   # attack49 03c: a weight on an integral's residual
        return 1e6 * (cancelling(p) + 0.0)

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
        ("quad scaled down 1e9 (a03)", scaled_down, np.array([1.0, 2.0, 3.0, 4.0])),
        ("1e6 x quad minus its value (a03c)", penalty, np.array([1.0, 0.3])),
    ]


def _ratios(f, x, chunk):
    tasks, labels = _seed.chunk_tasks("bench", f, (None,), (0,), [x], {}, chunk)
    results, tols = _parallel.watched_tasks("bench", _seed.evaluate_chunk, tasks, labels)
    v1 = np.asarray(results[0][0], dtype=float)
    scale = float(np.max(np.abs(v1)))
    moved = integrals = 0.0
    for (value, _), tk in zip(results[1:], tols[1:]):
        rtol, amount = max(tols[0][0], tk[0]), tols[0][1] + tk[1]
        allowed = 1e-9 * scale + rtol * np.abs(np.asarray(value, dtype=float)) + amount
        moved = max(moved, float(np.max(np.abs(np.asarray(value, dtype=float) - v1) / allowed)))
        for mine, first in zip(tk.record, tols[0].record):
            for u, v, mode in zip(mine[2], first[2], mine[1]):
                if mode == "match" and u.shape == v.shape:
                    size = float(np.max(np.abs(v), initial=0.0))
                    room = max(mine[3], first[3]) * np.abs(v) + 1e-9 * size + mine[4] + first[4]
                    integrals = max(integrals, float(np.max(np.abs(u - v) / room, initial=0.0)))
    replayed = all(t[0] == 0.0 and t[1] == 0.0 for t in tols)
    try:
        _seed.same_values("bench", [r[0] for r in results], tols)
        refused = False
    except ValueError:
        refused = True
    return integrals, replayed, moved, refused


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunk", type=int, default=1)
    opts = parser.parse_args()
    print(f"SLACK = {_parallel.SLACK:g}; passes of {opts.chunk} direction(s)")
    print(f"  {'problem':32s} {'integrals':>9s} {'replayed':>8s} {'f moved':>8s} "
          f"{'refused':>7s} | {'1 % draw':>9s} {'refused':>7s}")
    for name, f, x in _problems():
        integrals, replayed, moved, refused = _ratios(f, x, opts.chunk)
        rng = np.random.default_rng()

        def drawn(p, f=f):
            v = f(p)
            return v * (1 + 0.01 * rng.standard_normal())
        _, _, noisy, caught = _ratios(drawn, x, opts.chunk)
        print(f"  {name:32s} {integrals:9.3g} {str(replayed):>8s} {moved:8.3g} "
              f"{str(refused):>7s} | {noisy:9.3g} {str(caught):>7s}")


if __name__ == "__main__":
    main()
