"""Hessian-vector products ``dg.jvp(dg.grad(f), x, v)`` away from and at a tie that the
second order decides, against ``jax.jvp(jax.grad(f))`` and another checkout, in one
process.

    python bench/hvp_ties.py [--n 20 100] [--rounds 5] [--seconds 0.3] [--compare DIR]
                             [--elementwise]

The function: the ridge logistic regression of bench/hessian_large.py (200 x n
Gaussian data) plus a guard ``np.maximum(var, 0)``, ``var = sum((w - mean(w))**2)``.
``notie``: at a random w (var > 0: no tie; the linked pass alone); ``tie``: at w = 0
(var touches 0 with zero gradient: the pass meets the tie and the product comes from
``dg.jacfwd(dg.grad(f))(w) @ v``, n outer directions).  Before timing, the product is
checked against the closed form ``A' diag(s (1 - s)) A v + v + 2 (v - mean(v))``
(var's Hessian is ``2 (I - 11'/n)``: the guard is var itself near both points) and
jax's against it (jax's maximum splits the tie: half var's part at w = 0).  Subjects
run in interleaved rounds of about ``--seconds`` of process CPU time; medians over
``--rounds``, ms per call, and ratios to jax (no jit) of the same run.  With ``--elementwise``:
``dg.jvp(dg.elementwise_grad(f), x, v)`` of ``f = sin(x) x`` (no tie) against the other
checkout.  Nothing is written.
"""

import argparse
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
from _common import ms_per_call  # noqa: E402  (and one thread per library)
from hessian_small import _load_other  # noqa: E402


def _f(xp, A, y):
    def f(w):
        z = A @ w
        var = xp.sum((w - xp.mean(w)) ** 2)
        return xp.sum(xp.logaddexp(0.0, z)) - y @ z + w @ w / 2 + xp.maximum(var, 0.0)
    return f


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--compare", help="another checkout, timed alternately")
    parser.add_argument("--elementwise", action="store_true",
                        help="time dg.jvp(dg.elementwise_grad(f), x, v) instead")
    opts = parser.parse_args()
    import numpy as np
    import dualgrad as dg
    if opts.elementwise:
        return _elementwise(opts, np, dg)
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    other = _load_other(opts.compare) if opts.compare else None
    for n in opts.n:
        rng = np.random.default_rng(44)
        A = rng.standard_normal((200, n)) / np.sqrt(n)
        y = (rng.random(200) < 0.5).astype(float)
        v = rng.standard_normal(n)
        f, fj = _f(np, A, y), _f(jnp, jnp.asarray(A), jnp.asarray(y))
        for case, w in (("notie", 0.3 * rng.standard_normal(n)), ("tie", np.zeros(n))):
            s = 1 / (1 + np.exp(-A @ w))
            truth = A.T @ (s * (1 - s) * (A @ v)) + v + 2 * (v - v.mean())
            got = dg.jvp(dg.grad(f), w, v)[1]
            assert np.allclose(got, truth, rtol=1e-12, atol=1e-12), (case, n)
            subjects = {"dg.jvp(dg.grad(f))": lambda: dg.jvp(dg.grad(f), w, v),
                        "jax.jvp(jax.grad(f))":
                            lambda: jax.jvp(jax.grad(fj), (jnp.asarray(w),),
                                            (jnp.asarray(v),))[1].block_until_ready()}
            if other is not None:
                subjects["other checkout"] = lambda: other.jvp(other.grad(f), w, v)
                ok = np.allclose(other.jvp(other.grad(f), w, v)[1], truth, rtol=1e-12)
            jok = np.allclose(np.asarray(subjects["jax.jvp(jax.grad(f))"]()), truth,
                              rtol=1e-12)
            times = {k: [] for k in subjects}
            for _ in range(opts.rounds):
                for k, call in subjects.items():
                    times[k].append(ms_per_call(call, opts.seconds))
            ref = statistics.median(times["jax.jvp(jax.grad(f))"])
            for k, ts in times.items():
                med = statistics.median(ts)
                note = ""
                if k == "jax.jvp(jax.grad(f))":
                    note = "  (exact)" if jok else "  (not the truth: the midpoint)"
                if k == "other checkout":
                    note = "  (exact)" if ok else "  (not the truth: the midpoint)"
                print(f"n={n:4d} {case:6s} {k:22s} {med:9.3f} ms  /jax {med / ref:6.2f}{note}")


def _elementwise(opts, np, dg):
    """``dg.jvp(dg.elementwise_grad(f), x, v)``, ``f = sin(x) x`` (no tie), against
    another checkout; checked against the closed form ``(2 cos x - x sin x) v``."""
    other = _load_other(opts.compare) if opts.compare else None
    f = lambda x: np.sin(x) * x                                   # noqa: E731
    for n in opts.n:
        x, v = np.linspace(0.1, 1.0, n), np.linspace(1.0, 2.0, n)
        truth = (2 * np.cos(x) - x * np.sin(x)) * v
        mods = {"this": dg} | ({"other checkout": other} if other is not None else {})
        times = {k: [] for k in mods}
        for k, m in mods.items():
            assert np.allclose(m.jvp(m.elementwise_grad(f), x, v)[1], truth, rtol=1e-13)
        for _ in range(opts.rounds):
            for k, m in mods.items():
                times[k].append(ms_per_call(lambda: m.jvp(m.elementwise_grad(f), x, v),
                                      opts.seconds))
        meds = {k: statistics.median(t) for k, t in times.items()}
        for k, med in meds.items():
            print(f"n={n:5d} jvp(elementwise_grad) {k:15s} {med:9.3f} ms  "
                  f"/this {med / meds['this']:6.2f}")


if __name__ == "__main__":
    main()
