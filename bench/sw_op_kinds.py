"""The shallow water row's operations by kind: a dual operation's cost over its float one
(issue 13, rows67; prints only).

    python bench/sw_op_kinds.py [--compare /tmp/main_before] [--rounds 3]

Inside one ``dualgrad.jacobian`` of bench/corpus59.py's shallow water row (numba not
loaded, as bench_corpus runs it), the operands of each ArrayDual operator kind
(``a / b``, ``a ** 2``, ``k * u``, ``a - b``, ``a + b``, ``a * b``, ``u / 2``) are kept
as the row makes them (20 steps, ~170 operations each); then, still inside the call,
each kind's operator runs again on every 10th of its calls' operands from the middle of
the run (the wave spread), 200 times each, and so does NumPy's on their values: the
median process time per call, us, of the dual (``KIND``) and of the float operation
(``KIND float``), their quotient (``KIND x float``: the load cancels) and the kind's
calls a step (``KIND a step``: of the Jacobian's 20).  With
``--compare`` fresh processes alternate between the two checkouts (``_common.ab_main``).
"""
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE)]
from _common import ab_main  # noqa: E402  (one BLAS thread, before NumPy)

KINDS = {("__truediv__", "ArrayDual"): "a / b", ("__pow__", "int"): "a ** 2",
         ("__rmul__", "float"): "k * u", ("__sub__", "ArrayDual"): "a - b",
         ("__add__", "ArrayDual"): "a + b", ("__mul__", "ArrayDual"): "a * b",
         ("__truediv__", "int"): "u / 2"}


def child():
    import numpy as np
    import dualgrad as dg
    from dualgrad.dual._array import ArrayDual
    import corpus59
    f, x = corpus59.PROBLEMS59["shallow water, in-place slices (1)"]
    kept = {kind: [] for kind in KINDS}
    counts = dict.fromkeys(KINDS, 0)
    names = sorted({name for name, _ in KINDS})
    real = {name: getattr(ArrayDual, name) for name in names}

    def keeper(name):
        def op(a, b):
            key = (name, type(b).__name__)
            if key in kept:
                counts[key] += 1
                if len(kept[key]) < 400:
                    kept[key].append((a, b))
            return real[name](a, b)
        return op

    got = {}
    clock = time.process_time

    def g(p):
        r = f(p)
        for name in names:
            setattr(ArrayDual, name, real[name])
        for key, calls in kept.items():
            dual_us, float_us = [], []
            for a, b in calls[100:400:10] or calls:
                op, fop = real[key[0]], getattr(np.ndarray, key[0])
                fb = b.value if type(b) is ArrayDual else b
                for fn, args, into in ((op, (a, b), dual_us), (fop, (a.value, fb), float_us)):
                    fn(*args)
                    t = clock()
                    for _ in range(200):
                        fn(*args)
                    into.append((clock() - t) / 200 * 1e6)
            kind = KINDS[key]
            got[kind] = statistics.median(dual_us)
            got[kind + " float"] = statistics.median(float_us)
            got[kind + " x float"] = got[kind] / got[kind + " float"]
            got[kind + " a step"] = counts[key] / 20
        return r

    for name in names:
        setattr(ArrayDual, name, keeper(name))
    dg.jacobian(g, x)
    print(json.dumps(got))


if __name__ == "__main__":
    ab_main("sw_op_kinds.py", child, first="kind")
