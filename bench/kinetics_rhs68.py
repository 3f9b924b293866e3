"""Where the point-kinetics row's right-hand side spends inside ``dg.solve_ivp`` (issue 13,
corpus68; prints only).

    python bench/kinetics_rhs68.py [--compare DIR] [--rounds 3]

bench/corpus63.py's ``kinetics_row`` (LSODA, 7 states, 2 directions): at its first
evaluation after t = 0.01 inside ``dg.jacobian``, with the solver's own state dual and
watch in place, process time (us, the median of 5 repeats of ``_common.median_time``)
of: the whole rhs (the source's ``__dxdt``), each of its pieces alone repeated
(``zeros_like``, ``np.fill_diagonal`` of a fresh matrix, the row ``np.append``, ``beta /
promptL``, ``np.dot``), the matrix built up to each step and then the step (``upto k``:
the steps' costs where they run after the ones before them, as in the rhs), and the
solver's wrapper around one rhs call (``_Augmented.__call__``: the watch's start and
end, the state's dual, the rates' split).  Then the whole Jacobian's CPU time, its rhs
calls, and ``f``'s.  ``--compare DIR``: fresh processes alternate this checkout
("after") and ``DIR``.
"""

import json
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main, median_time  # noqa: E402


def child():
    """Print ``{case: us}`` for this process's dualgrad."""
    import numpy as np

    import dualgrad as dg
    from dualgrad.api import _ode
    import corpus63

    clock = time.process_time
    out = {}
    real_call = _ode._Augmented.__call__
    real_rhs = corpus63.pke._pke__dxdt

    def us(fn):
        return 1e6 * median_time(fn, 5, 0.02, clock=clock)

    def spy_call(self, t, z):
        if "whole rhs" not in out and t > 0.01:
            _ode._Augmented.__call__ = real_call
            y = self.dual(z)
            seen = {}

            def grab(pk, x0, tt):
                seen["pk"] = pk
                return real_rhs(pk, x0, tt)
            corpus63.pke._pke__dxdt = grab
            self.fun(t, y, *self.args)
            corpus63.pke._pke__dxdt = real_rhs
            S = seen["pk"]
            L, lam, beta = S.promptL, S.lamda, S.beta
            d = np.append(0, -lam)
            r0 = (S.rhoext.evaluate(t) - S.betaTot) / L
            M = S._pke__constructmatrix(t)
            out["whole rhs"] = us(lambda: real_rhs(S, y, t))
            out["zeros_like alone"] = us(lambda: np.zeros_like(L, shape=(7, 7)))
            out["zeros_like + fill_diagonal alone"] = us(
                lambda: np.fill_diagonal(np.zeros_like(L, shape=(7, 7)), d))
            out["np.append(r0, lamda) alone"] = us(lambda: np.append(r0, lam))
            out["beta / promptL alone"] = us(lambda: beta / L)
            out["np.dot(M, y) alone"] = us(lambda: np.dot(M, y))

            def upto(k):
                def fn():
                    Z = np.zeros_like(L, shape=(7, 7))
                    if k >= 1:
                        np.fill_diagonal(Z, np.append(0, -lam))
                    if k >= 2:
                        Z[0, :] = np.append((S.rhoext.evaluate(t) - S.betaTot) / L, lam)
                    if k >= 3:
                        Z[1:7, 0] = beta / L
                    if k >= 4:
                        np.dot(Z, y)
                return fn
            names = ["zeros_like", "+ fill_diagonal", "+ row (append, store)",
                     "+ column (beta / promptL, store)", "+ np.dot"]
            for k, name in enumerate(names):
                out[f"upto {k}: {name}"] = us(upto(k))
            out["solver's call around one rhs"] = us(lambda: real_call(self, t, z)) - \
                out["whole rhs"]
        return real_call(self, t, z)

    x = np.array([0.001, 6e-5])
    _ode._Augmented.__call__ = spy_call
    dg.jacobian(corpus63.kinetics_row, x)
    _ode._Augmented.__call__ = real_call
    calls = [0]

    def counted(self, t, z):
        calls[0] += 1
        return real_call(self, t, z)
    _ode._Augmented.__call__ = counted
    t0 = clock()
    dg.jacobian(corpus63.kinetics_row, x)
    out["jacobian (ms)"] = 1e3 * (clock() - t0)
    _ode._Augmented.__call__ = real_call
    out["rhs calls a jacobian"] = calls[0]
    out["f (ms)"] = 1e3 * median_time(lambda: corpus63.kinetics_row(x), 3, 0.02, clock=clock)
    print(json.dumps(out))


def main():
    ab_main("kinetics_rhs68.py", child, "point-kinetics rhs inside dg.solve_ivp", 1)


if __name__ == "__main__":
    main()
