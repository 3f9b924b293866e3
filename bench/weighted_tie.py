"""np.quantile(weights=, method="inverted_cdf") at ties of unequal weights (wq46).

    PYTHONPATH=. python bench/weighted_tie.py [--draws 600] [--rounds 7]

(PYTHONPATH=. : this checkout's dualgrad, not the installed one.)

1. Sweep (attack46 p17's oracle): random integer points with ties, integer weights
   with zeros, q in {0, .1, .25, .5, .7, 1, random}; one-sided differences of NumPy's
   quantile along every axis and 20 random directions.  Counts: smooth draws (all
   agree) answered with their common slope, smooth draws refused, wrong answers, and
   refusals where the differences disagree (the message true).
2. Cost: dg.jacobian of the quantile along axis 1 of an (m, 50) array of small
   integers (every slice tied at the result, one element picked in every order: weights
   1 and a 60 among them) against the same shape without ties and against NumPy's float
   quantile; medians of process CPU time per call, ms.
"""
import argparse
import time
import warnings

import numpy as np

import dualgrad as dg
from _common import median_time


def sweep(draws, seed=7):
    rng = np.random.default_rng(seed)
    right = refused_smooth = wrong = refused_kink = 0
    for _ in range(draws):
        n = rng.integers(2, 7)
        x = rng.integers(-3, 4, n).astype(float)
        w = rng.integers(0, 3, n).astype(float)
        if w.sum() == 0:
            w[0] = 1
        q = rng.choice([0.0, 0.1, 0.25, 0.5, 0.7, 1.0, rng.random()])
        f = lambda z: np.quantile(z, q, weights=w, method="inverted_cdf")
        h, g_fd, smooth = 1e-7, [], True
        for j in range(n):
            e = np.zeros(n)
            e[j] = h
            gp, gm = (f(x + e) - f(x)) / h, (f(x) - f(x - e)) / h
            smooth &= abs(gp - gm) <= 1e-6
            g_fd.append(0.5 * (gp + gm))
        for _ in range(20):
            d = rng.normal(size=n)
            gp, gm = (f(x + h * d) - f(x)) / h, (f(x) - f(x - h * d)) / h
            smooth &= abs(gp - gm) <= 1e-6 and abs(gp - np.dot(g_fd, d)) <= 1e-6
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                g = dg.gradient(f, x)
        except TypeError:
            refused_smooth += smooth
            refused_kink += not smooth
            continue
        if smooth:
            right += np.allclose(g, g_fd, atol=1e-6)
            wrong += not np.allclose(g, g_fd, atol=1e-6)
    return right, refused_smooth, wrong, refused_kink


def cost(m, rounds):
    rng = np.random.default_rng(m)
    w = np.ones(50)
    w[7] = 60.0                    # total 109: at 0.5 the 60 holds 54.5 in every order
    tied = np.zeros((m, 50))       # every slice one value: the tie path in each
    plain = rng.standard_normal((m, 50))
    f = lambda a: np.quantile(a, 0.5, axis=1, weights=w, method="inverted_cdf")
    ms = lambda fn: 1e3 * median_time(fn, repeat=rounds, clock=time.process_time)
    try:
        with_tie = ms(lambda: dg.jacobian(f, tied))
    except TypeError:               # before wq46: errors.weighted_tie
        with_tie = float("nan")
    return ms(lambda: f(plain)), ms(lambda: dg.jacobian(f, plain)), with_tie


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--draws", type=int, default=600)
    p.add_argument("--rounds", type=int, default=7)
    args = p.parse_args()
    r, rs, wr, rk = sweep(args.draws)
    print(f"sweep of {args.draws}: smooth right {r}, smooth refused {rs}, wrong {wr}, "
          f"refused at a kink {rk}")
    print(f"dualgrad from {dg.__file__}")
    print("m x 50 | NumPy f ms | jacobian, no tie ms | jacobian, every slice tied ms")
    for m in (4, 40):
        f0, j0, j1 = cost(m, args.rounds)
        print(f"{m} x 50 | {f0:.3f} | {j0:.2f} ({j0 / f0:.0f}x) | {j1:.2f} ({j1 / f0:.0f}x)")


if __name__ == "__main__":
    main()
