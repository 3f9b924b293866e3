"""What dg.solve_ivp's watch of fun's switches costs (ode50): the derivative of an ODE's end
state through ``dg.solve_ivp`` for right-hand sides without comparisons on duals, with a
continuous clamp (each crossing bisected to its switch, then trusted), with a kink (np.maximum:
each crossing's steep test, ode52), and with a Newton
loop inside (its stopping test compares duals at every evaluation), and with NaN sources
(``y ** 1.5``, ``np.log``, ``np.sqrt`` inside their domains: the watch's side test of
them, ode51), median CPU time of ``--repeat`` calls, and ``dg.solve_ivp`` without
derivatives against SciPy's solve_ivp; a dose at a moving time, one call (ode53) against
its split by hand; then the recorder's cost per evaluation of the
clamp's right-hand side (ode51); a kinked ramp at a moving time, one call (ode57)
against its split by hand; a periodic forcing with a moving phase written with ``%``
(each wrap's crossing located and checked: attack57 23, odeq58) against the same
forcing without it.

    PYTHONPATH=/path/to/checkout python bench/ode_switches.py [--repeat R]

Run it with PYTHONPATH alternating between two checkouts to compare them (it imports the
dualgrad that PYTHONPATH names; it does not add its own checkout to the path).
"""

import argparse
import os
import time

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
from scipy.integrate import solve_ivp  # noqa: E402

import dualgrad as dg  # noqa: E402

TOL = {"rtol": 1e-8, "atol": 1e-10}


def lotka(t, y, p):
    return np.stack([p[0] * y[0] - p[1] * y[0] * y[1], -p[2] * y[1] + p[3] * y[0] * y[1]])


def clamp(t, y, p):
    return -1.0 - np.where(y > 0, p[0] * y, 0.0) + 0.0 * p[1]


def kink(t, y, p):
    return -1.0 - p[0] * np.maximum(y, 0.0) + 0.0 * p[1]


def newton_sqrt(a):
    z = a * 0 + 1.0
    while abs(z * z - a) > 1e-14 * abs(a):
        z = 0.5 * (z + a / z)
    return z


def newton(t, y, p):
    return -newton_sqrt(y[0] + p[0]) * np.ones(1) + 0.0 * p[1]


def sources(t, y, p):
    return -p[0] * y ** 1.5 - p[1] * np.log(1.0 + y) + np.sqrt(y) * 0.0


PROBLEMS = {   # name: (rhs, y0, t_end, p)
    "Lotka-Volterra, gradient (no comparison)": (lotka, [1.0, 0.5], 10.0,
                                                 np.array([1.1, 0.4, 0.9, 0.3])),
    "clamp -1 - where(y > 0, k y, 0), gradient": (clamp, [1.0], 3.0, np.array([0.8, 0.0])),
    "clamp -1 - k max(y, 0) (a kink: its steep test, ode52), gradient": (
        kink, [1.0], 3.0, np.array([0.8, 0.0])),
    "Newton sqrt inside fun, gradient": (newton, [4.0], 1.0, np.array([0.5, 0.0])),
    "y ** 1.5, log, sqrt (NaN sources, inside), gradient": (sources, [1.0], 3.0,
                                                            np.array([0.5, 0.2])),
}


def cpu_ms(f, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        f()
        times.append(1e3 * (time.process_time() - t0))
    return float(np.median(times))


def per_evaluation(repeat):
    """Microseconds per evaluation of the clamp's augmented right-hand side (fun on the
    state's duals, the gradient's two directions) alone, and with the switch watch
    recording its branches and comparing them with the previous evaluation's (the same
    state each time: no switch, so no bisection): the recorder's cost."""
    from dualgrad import errors
    from dualgrad.api._ode import _Augmented

    found = {}

    def inside(q):
        system = _Augmented(clamp, (q,), q.tag, 1, 2)
        z = np.array([0.5, 0.1, 0.0])
        saved = errors.watch_branches(system.switches.watch)
        try:
            for name, f in (("fun alone", lambda: system.rates(0.1, z)),
                            ("watched", lambda: system(0.1, z))):
                times = []
                for _ in range(repeat):
                    t0 = time.process_time()
                    for _ in range(500):
                        f()
                    times.append(1e6 * (time.process_time() - t0) / 500)
                found[name] = float(np.median(times))
        finally:
            errors.unwatch_branches(saved)
        return q[0]

    dg.gradient(inside, np.array([0.8, 0.0]))
    print(f"clamp's augmented fun per evaluation: alone {found['fun alone']:6.1f} us, "
          f"watched {found['watched']:6.1f} us, recorder "
          f"{found['watched'] - found['fun alone']:5.1f} us")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"dualgrad from {os.path.dirname(dg.__file__)}; load {os.getloadavg()[0]:.1f}")
    for name, (rhs, y0, t_end, p) in PROBLEMS.items():
        def grad(rhs=rhs, y0=y0, t_end=t_end):
            return dg.gradient(lambda q: dg.solve_ivp(rhs, (0.0, t_end), y0, args=(q,),
                                                      **TOL).y[0, -1], p)

        def plain(rhs=rhs, y0=y0, t_end=t_end):
            return dg.solve_ivp(rhs, (0.0, t_end), y0, args=(p,), **TOL)

        def scipy(rhs=rhs, y0=y0, t_end=t_end):
            return solve_ivp(rhs, (0.0, t_end), y0, args=(p,), **TOL)

        grad()
        g, v, s = cpu_ms(grad, args.repeat), cpu_ms(plain, args.repeat), \
            cpu_ms(scipy, args.repeat)
        print(f"{name:44s} gradient {g:8.2f} ms   dg.solve_ivp plain {v:7.2f} ms   "
              f"scipy {s:7.2f} ms   plain / scipy {v / s:5.2f}")
    per_evaluation(args.repeat)
    dose_against_split(args.repeat)
    ramp_against_split(args.repeat)
    wrap_against_plain(args.repeat)


def dose(t, y, p):
    return -p[1] * y + np.where(t >= p[0], 2.0, 0.0)


def dose_against_split(repeat):
    """A dose at a moving time, y' = -k y + 2 [t >= tlag] (ode53: one call, the crossing
    located and the solve restarted; refused before, "refused" then), against the split
    the refusal named (two calls, each fun without the comparison): gradient of y(5)
    in (tlag, k), median CPU ms."""
    p = np.array([1.7, 0.3])

    def one(q):
        return dg.solve_ivp(dose, (0.0, 5.0), [1.0], args=(q,), **TOL).y[0, -1]

    def split(q):
        s1 = dg.solve_ivp(lambda t, y: -q[1] * y, (0.0, q[0]), [1.0], **TOL)
        return dg.solve_ivp(lambda t, y: -q[1] * y + 2.0, (q[0], 5.0), s1.y[:, -1],
                            **TOL).y[0, -1]

    try:
        dg.gradient(one, p)
        g = f"{cpu_ms(lambda: dg.gradient(one, p), repeat):8.2f} ms"
    except TypeError:
        g = " refused"
    s = cpu_ms(lambda: dg.gradient(split, p), repeat)
    print(f"dose at a moving time, gradient: one call {g}   split by hand {s:8.2f} ms")


def ramp(t, y, p):
    return -p[1] * y + 2.0 * np.clip(t - p[0], 0.0, 1.0)


def ramp_against_split(repeat):
    """A wide kinked ramp at a moving time, y' = -k y + 2 clip(t - p, 0, 1) (ode57: the
    solve restarted at both kinks, where the tangents' forcing jumps; attack56 12), one
    call against the split by hand at p and p + 1 (three calls, each fun smooth):
    gradient of y(10) in (p, k), median CPU ms."""
    p = np.array([3.0, 0.5])

    def one(q):
        return dg.solve_ivp(ramp, (0.0, 10.0), [0.0], args=(q,), **TOL).y[0, -1]

    def split(q):
        s1 = dg.solve_ivp(lambda t, y: -q[1] * y, (0.0, q[0]), [0.0], **TOL)
        s2 = dg.solve_ivp(lambda t, y: -q[1] * y + 2.0 * (t - q[0]), (q[0], q[0] + 1.0),
                          s1.y[:, -1], **TOL)
        return dg.solve_ivp(lambda t, y: -q[1] * y + 2.0, (q[0] + 1.0, 10.0), s2.y[:, -1],
                            **TOL).y[0, -1]

    dg.gradient(one, p)
    g = cpu_ms(lambda: dg.gradient(one, p), repeat)
    s = cpu_ms(lambda: dg.gradient(split, p), repeat)
    print(f"kinked ramp at a moving time, gradient: one call {g:8.2f} ms   split by hand "
          f"{s:8.2f} ms")


def wrap_against_plain(repeat):
    """y' = -0.3 y + sin(2 pi ((t - p) % 24) / 24) over (0, 30) (two wraps of a moving
    phase, continuous: each crossing located at its integer and checked) against the
    same forcing without ``%``: dy(30)/dp by dg.derivative, median CPU ms."""
    w = 2 * np.pi / 24.0

    def wrapped(q):
        return dg.solve_ivp(lambda t, y: -0.3 * y + np.sin(w * ((t - q) % 24.0)), (0.0, 30.0),
                            [1.0], **TOL).y[0, -1]

    def plain(q):
        return dg.solve_ivp(lambda t, y: -0.3 * y + np.sin(w * (t - q)), (0.0, 30.0), [1.0],
                            **TOL).y[0, -1]

    dg.derivative(wrapped, 3.3)
    g = cpu_ms(lambda: dg.derivative(wrapped, 3.3), repeat)
    s = cpu_ms(lambda: dg.derivative(plain, 3.3), repeat)
    print(f"periodic forcing, moving phase: with % {g:8.2f} ms   without {s:8.2f} ms   "
          f"ratio {g / s:5.2f}")


if __name__ == "__main__":
    main()
