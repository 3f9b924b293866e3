"""A digest of one element's read and store in a complex array dual, bit for bit
(corpus65: ``D[i]`` and ``D[i] = d`` of a 1-D complex buffer, the Mie row's downward
recurrence).  Reads of complex buffers made by ``np.zeros_like(m, dtype=complex)``,
by arithmetic (complex values and complex or real partials, real values and complex
partials), 2-D ones, of 17 directions, of a Hessian's two levels, of a complex seed,
of a buffer that escaped its call; stores of complex scalar duals whose value and
partials hold -0.0, NaN, +-inf, subnormals and 1e308, of real scalar duals, numbers,
another call's duals, into real buffers, through views, at negative and
out-of-range indices; then bench/corpus64.py's Mie and magnetotelluric rows'
Jacobians and the Mie row's Hessian.  Each case's classes, every level's bytes, the
exception and the warnings go into one SHA-1 (prints only).

    python bench/complex_elements_bits.py [--compare /tmp/main_before]

Runs fresh processes for each engine (eager, fused), numba loaded and not, of this
checkout and, with ``--compare``, of ``DIR``; equal digests: the same bits.
"""
import sys
from functools import partial
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import child_dualgrad, digest_main, print_digest, record  # noqa: E402
dg = None               # (child() imports it: the checkout under test)
SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308, -2.5]
out = []
run = partial(record, out)     # run(label, f): one case
KEPT = []               # a buffer kept past its call (read after it, escaped)


def buffers(q, label):
    """The complex buffers of ``q`` (a dual of its call): name -> array dual."""
    m = q[1] + 1j * q[0]
    plain = np.linspace(-1.0, 2.0, 5)
    made = {
        "zeros_like complex": lambda: np.zeros_like(m, shape=5, dtype=complex),
        "zeros_like real m": lambda: np.zeros_like(q[0], shape=5, dtype=complex),
        "c * u": lambda: (1.5 - 2j) * (q[0] * plain),
        "u + 1j": lambda: q[0] * plain + 1j,
        "u * m": lambda: (q[0] * plain) * m,
        "exp(1j u)": lambda: np.exp(1j * (q[1] * plain)),
        "2-D": lambda: np.outer(plain[:3], plain[:2]) * m,
    }
    got = {}
    for name, make in made.items():
        try:
            got[name] = make()
        except Exception as e:      # noqa
            out.append([f"{label} make {name}", ["raised", type(e).__name__, str(e)[:200]]])
    return got


def items(q):
    """Complex scalar duals of ``q``'s tag whose value and partials hold the specials."""
    got = []
    for s in SPECIAL:
        got.append(q[0] * complex(s, 1.0) + q[1] * 1j)
        got.append(q[1] * complex(0.5, s) - 0.25j)
        got.append((q[0] + 1j) * s)
    got.append(np.exp(1j * q[0]))
    got.append((q[0] * 1j).real * (1 + 0j))
    return got


def body(q):
    for name, D in buffers(q, "body").items():
        for i in (0, 1, -1, 4, -5, 5, -6, np.int64(2), True):
            run(f"read {name} [{i!r}]", lambda: D[i])
        for k, d in enumerate(items(q)):
            for i in (2, -1, 7):
                run(f"store {name} #{k} [{i}]", lambda: (D.__setitem__(i, d), D)[1])
                run(f"read back {name} #{k} [{i}]", lambda: D[i])
        for label, d in (("real dual", q[0] * 2.0), ("number", -0.0), ("complex number", 1j),
                         ("np.complex128", np.complex128(np.nan + 1j)), ("int", 3)):
            run(f"store {name} {label}", lambda: (D.__setitem__(1, d), D)[1])
        if D.ndim == 1:
            view = D[1:]
            run(f"store through view {name}", lambda: (view.__setitem__(0, q[0] * 1j), D)[1])
            run(f"read after view {name}", lambda: D[1])
            for i in range(len(D) - 1, 0, -1):      # the Mie row's recurrence
                D[i - 1] = (i / (q[1] + 1j * q[0])) - 1 / (D[i] + i / (q[1] + 1j * q[0]))
            run(f"recurrence {name}", lambda: D)
    R = np.zeros_like(q[0], shape=4)
    run("store complex into real", lambda: (R.__setitem__(1, q[0] * 1j), R)[1])
    run("real buffer after", lambda: R)
    if OLD:
        D = np.zeros_like(q[0], shape=3, dtype=complex)
        run("store another call's dual", lambda: (D.__setitem__(0, OLD[0]), D)[1])
    D = np.zeros_like(q[0], shape=3, dtype=complex)
    D[0] = q[0] * (1 + 1j)
    KEPT.append(D)
    return q[0] * q[1]


OLD = []


def hbody(q):
    D = np.zeros_like(q[0], shape=4, dtype=complex)
    for i in range(3, 0, -1):
        D[i - 1] = (i / (q[1] + 1j * q[0])) - 1 / (D[i] + i / (q[1] + 1j * q[0]))
    run("hessian read", lambda: D[1])
    return np.abs(D[0]) ** 2


def child(numba):
    """Print this process's digest."""
    global dg
    dg = child_dualgrad(numba)

    def outer(r):
        OLD.append(r[0] * (1 + 1j))
        dg.jacobian(body, np.array([1.3, -0.7]))
        OLD.clear()
        return r
    dg.jacobian(outer, np.array([0.5]))
    dg.jacobian(body, np.array([np.nan, -0.0]))
    dg.jacobian(body, np.array([5e-324, 1e308]))
    run("escaped read", lambda: KEPT[-1][0])
    run("escaped store", lambda: (KEPT[-1].__setitem__(1, KEPT[-1][0]), KEPT[-1])[1])
    dg.hessian(hbody, np.array([0.25, 2.0]))
    run("17 directions", lambda: dg.jacobian(lambda q: np.stack(
        [body17(q)[i] for i in range(3)]), np.linspace(0.1, 1.7, 17)))
    run("complex seed", lambda: dg.jacobian(lambda z: z[0] * z[1] + z[-1],
                                            np.array([1 + 1j, 2 - 0.5j])))
    import corpus64
    for name, x in (("Mie", [3.0, 1.55, 0.01]), ("Mie", [0.7, 1.33, 0.2]),
                    ("magnetotelluric", None)):
        f, x0 = next(r for n, r in corpus64.PROBLEMS64.items() if name in n)
        x = np.array(x0 if x is None else x, float)
        run(f"{name} jac {x}", lambda: dg.jacobian(f, x))
    f = corpus64.PROBLEMS64["Mie efficiencies, jv/yv recurrence (3)"][0]
    run("Mie hessian", lambda: dg.hessian(lambda q: f(q)[0], np.array([3.0, 1.55, 0.01])))
    print_digest(out)


def body17(q):
    D = np.zeros_like(q[0], shape=4, dtype=complex)
    for i in range(3, 0, -1):
        D[i - 1] = (i / (q[1] + 1j * q[16])) - 1 / (D[i] + i / (q[1] + 1j * q[0]))
    return D


if __name__ == "__main__":
    digest_main(__file__, child)
