"""The lattice Boltzmann and Newmark rows' operation kinds rows68 worked: a dual operation's
cost beside its float one (issue 13; prints only).

    python bench/rows68_ops.py [--compare /tmp/main_before] [--rounds 3]

Inside one ``dualgrad.jacobian`` (numba not loaded, as bench_corpus runs these rows),
operands shaped as the rows make them: the lattice Boltzmann row's (bench/corpus64.py)
``F`` of (12, 40, 9) with two directions and its (12, 40) slices, ``np.roll(F[:, :, i],
cx, axis=1)`` with NumPy int ``i`` and ``cx``, the read ``F[:, :, i]`` and the store
``F[:, :, i] = R``, ``cx * ux`` of a NumPy int, ``3 * ux``, ``ux / 2``, ``F * cxs`` of
an int array, ``ux ** 2``; the Newmark row's ``np.linalg.solve(M, b)`` of ``M =
np.diag([m, m, m])`` (an object array of scalar duals) and a 3-vector of three
directions, ``h * u`` of a NumPy float64 ``h`` and ``f - u`` of a column of a float
array.  Each kind's median process time per call, us (``KIND``), NumPy's on the values
(``KIND float``) and their quotient (``KIND x float``: the load cancels); with
``--compare`` fresh processes alternate between the two checkouts
(``_common.ab_main``).
"""
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]
from _common import ab_main  # noqa: E402  (one BLAS thread, before NumPy)


def _us(fn, calls=400, repeat=5):
    fn()
    times = []
    for _ in range(repeat):
        t = time.process_time()
        for _ in range(calls):
            fn()
        times.append((time.process_time() - t) / calls * 1e6)
    return statistics.median(times)


def child():
    import numpy as np
    import dualgrad as dg
    got = {}

    def kind(name, dual, plain):
        got[name] = _us(dual)
        got[name + " float"] = _us(plain)
        got[name + " x float"] = got[name] / got[name + " float"]

    def lbm(q):
        F = np.ones_like(q[0], shape=(12, 40, 9)) * q[1]
        F += 0.01 * np.random.default_rng(42).standard_normal((12, 40, 9))
        Fv = F.value
        i, cx = np.int64(3), np.int64(1)
        R = np.roll(F[:, :, 2], cx, axis=1)
        Rv = R.value
        ux, uy = F[:, :, 2] * 0.3, F[:, :, 5] * 0.2
        cxs = np.array([0, 0, 1, 1, 1, 0, -1, -1, -1])
        kind("roll F[:, :, i]", lambda: np.roll(F[:, :, i], cx, axis=1),
             lambda: np.roll(Fv[:, :, i], cx, axis=1))
        kind("F[:, :, i]", lambda: F[:, :, i], lambda: Fv[:, :, i])

        def store():
            F[:, :, i] = R

        def store_plain():
            Fv[:, :, i] = Rv
        kind("F[:, :, i] = R", store, store_plain)
        kind("cx * ux", lambda: cx * ux, lambda: cx * ux.value)
        kind("3 * ux", lambda: 3 * ux, lambda: 3 * ux.value)
        kind("ux / 2", lambda: ux / 2, lambda: ux.value / 2)
        kind("F * cxs", lambda: F * cxs, lambda: Fv * cxs)
        kind("ux ** 2", lambda: ux ** 2, lambda: ux.value ** 2)
        kind("ux * uy", lambda: ux * uy, lambda: ux.value * uy.value)
        return q

    def newmark(q):
        m = q[0]
        M = np.diag([m, m, m])
        Mv = np.diag([m.value] * 3)
        b = q * np.array([1.0, 2.0, 3.0]) - np.array([0.5, 0.1, 0.2])
        bv = b.value
        h = np.float64(0.05)
        column = np.zeros((3, 20))[:, 3]
        kind("solve(M, b)", lambda: np.linalg.solve(M, b), lambda: np.linalg.solve(Mv, bv))
        kind("h * u", lambda: h * b, lambda: h * bv)
        kind("f - u", lambda: column - b, lambda: column - bv)
        return q

    dg.jacobian(lbm, np.array([100.0, 0.6]))
    dg.jacobian(newmark, np.array([1.0, 50.0, 0.02]))
    print(json.dumps(got))


if __name__ == "__main__":
    ab_main("rows68_ops.py", child, first="kind")
