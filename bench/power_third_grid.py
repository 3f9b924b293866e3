"""Third derivatives of ``sum((s x0 C) ** (x1 + E))`` over (2, 3) arrays, far out of the
float range, against mpmath: d3/dx0^3 and d3/dx1^3 at 120 points (attack67 F3's shapes,
diff68 F1's ranges; lead68).  Prints each number off mpmath (beyond 1e-9 relative) and
how many of them; the dualgrad imported is the checkout on ``PYTHONPATH``:

    PYTHONPATH=. python bench/power_third_grid.py
    PYTHONPATH=/tmp/main_before python bench/power_third_grid.py   (another checkout)
"""
import itertools, math, warnings
import numpy as np, mpmath as mp, dualgrad as dg
mp.mp.dps = 50
warnings.simplefilter("ignore")
C = np.array([[1.0, 3.0, 0.5], [2.0, 1e3, 1e-3]])
E = np.array([[0.0, 0.25, 1.0], [-1.0, 2.0, 0.5]])
def fl(w):
    return float(w) if abs(w) < mp.mpf("1.7976931348623157e308") else math.copysign(math.inf, w)
bad = tot = err = 0
for s, u, v0 in itertools.product((1e300, 1e200, 1e-200, 1e-300, 1.0), (-2.0, -0.5, 1.5, 3.5), (1e-5, 1.0, 1e4)):
    g = lambda x: np.sum((s * x[0] * C) ** (x[1] + E))
    try:
        T = dg.jacobian(lambda y: dg.hessian(g, y), np.array([v0, u]))
        got = (float(T[0, 0, 0]), float(T[1, 1, 1]))
    except Exception as e:
        err += 1; print("raised", s, u, v0, type(e).__name__, str(e)[:100]); continue
    S, U, V = mp.mpf(s), mp.mpf(u), mp.mpf(v0)
    w0 = w1 = 0
    for c, e in zip(C.ravel(), E.ravel()):
        b, k = S * V * mp.mpf(c), U + mp.mpf(e)
        w0 += (S * mp.mpf(c)) ** 3 * k * (k - 1) * (k - 2) * b ** (k - 3)
        w1 += mp.log(b) ** 3 * b ** k
    for g_, w in zip(got, (w0, w1)):
        wf = fl(w); tot += 1
        ok = g_ == wf or (math.isfinite(wf) and abs(g_ - wf) <= 1e-9 * abs(wf) + 1e-322)
        if not ok:
            bad += 1; print(f"s={s:g} u={u} v0={v0:g}: got {g_!r} want {wf!r}")
print("bad", bad, "of", tot, "raised", err)
