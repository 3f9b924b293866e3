"""Every scalar-dual operation of the rule table against the same operation on floats.

    python bench/bench_scalar.py [--quick] [--scipy] [--only NAME]

Scalar duals are what users' scalar code runs on (ODE right-hand sides written on
floats, ``x[0]`` of a small gradient's input).  For every rule of the table that a
scalar can take (smooth, locally constant, predicates, ``modf``/``divmod``) this
times each spelling on scalar duals with n = 2 and n = 8 partials: the ufunc with
each differentiable argument a dual alone and with all of them duals (the others
Python floats), and the operator, reflected operator and comparison spellings, each
against the same spelling on Python floats.  ``--scipy`` adds scipy.special's rows;
``--only NAME`` times the rows whose spelling contains NAME (prints only).

Reference: the operations the generated classes inlined before issue 13's scalar
work, per spelling: the operators ``+ - * /`` in every operand mix and ``a ** c``; the
ufunc calls ``np.exp``, ``np.sin``, ``np.log``, ``np.sqrt`` on a dual (a ufunc call
costs NumPy's dispatch to ``__array_ufunc__`` besides the work, about 1 us, and on
floats 5-10x an operator).  A row is marked ``CLIFF`` when its dual time is more than
3x the median dual time of the reference rows of its spelling and n.

Times: CPU time of this process (microsecond operations on a shared machine), each
repeat timing the float and the dual spelling back to back; medians over repeats.
Writes bench/RESULTS_scalar.md (not with ``--quick`` or ``--only``).
"""

import operator
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent.parent),   # this checkout's dualgrad
                str(Path(__file__).resolve().parent)]
from _common import median_time, table  # noqa: E402

import dualgrad as dg  # noqa: E402
from dualgrad.dual._base import new_tag  # noqa: E402
from dualgrad.rules import _table  # noqa: E402

_OPS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**", "mod": "%",
        "floordiv": "//", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==",
        "ne": "!="}
_UNARY_OPS = {"neg": "-", "pos": "+", "abs": "abs"}
# the operations inlined before issue 13's scalar work, per spelling: operators, ufuncs
REFERENCE = {"operator": {"a + b", "a + c", "c + a", "a - b", "a - c", "c - a", "a * b", "a * c",
                          "c * a", "a / b", "a / c", "c / a", "a ** c"},
             "ufunc": {"np.exp(a)", "np.sin(a)", "np.log(a)", "np.sqrt(a)"}}


def _spelling(text):
    """``"ufunc"`` for a ufunc call (NumPy's dispatch to ``__array_ufunc__`` is part of
    its cost, on floats too), ``"operator"`` for an operator or builtin."""
    return "ufunc" if text.startswith(("np.", "sc.")) else "operator"


def _point(rule, k):
    """A number inside argument ``k``'s test domain, off the kinks and ties."""
    dom = rule.domain[k] if k < len(rule.domain) else (-3.0, 3.0)
    if dom[2:] == ("int",):
        return 2
    lo, hi = dom[0], dom[1]
    return lo + (0.37 if k == 0 else 0.61 if k == 1 else 0.5) * (hi - lo)


def _prefix(ufunc):
    return "np." if getattr(np, ufunc.__name__, None) is ufunc else "sc."


def spellings(rule):
    """``(name, fn, dual_args)``: each spelling of ``rule`` on scalars; ``dual_args``
    the argument positions that hold duals (the names: ``a``, ``b`` duals, ``c``, ``d``
    numbers)."""
    u, nin = rule.ufunc, rule.ufunc.nin
    name = f"{_prefix(u)}{rule.name}"
    if rule.kind in ("smooth", "zero"):
        ok = [k for k, d in enumerate(rule.derivs) if d is not None]
    elif rule.kind in ("predicate", "custom"):
        ok = list(range(nin))
    else:
        return []
    mixes = [(k,) for k in ok] + ([tuple(ok)] if len(ok) > 1 else [])
    out = []
    for mix in mixes:
        names = [("a" if k == 0 else "b") if k in mix else "c"
                 for k in range(nin)]
        out.append((f"{name}({', '.join(names)})", lambda *x, u=u: u(*x), mix))
    stem = rule.operator
    if stem in _UNARY_OPS and 0 in ok:
        sym = _UNARY_OPS[stem]
        fn = abs if stem == "abs" else getattr(operator, stem)
        out.append((f"abs(a)" if stem == "abs" else f"{sym}a", fn, (0,)))
    elif stem in _OPS or stem == "divmod":
        fn = divmod if stem == "divmod" else getattr(operator, stem)
        for mix in mixes:
            left = "a" if 0 in mix else "c"
            right = ("b" if 0 in mix else "a") if 1 in mix else "c"
            text = f"divmod({left}, {right})" if stem == "divmod" else \
                f"{left} {_OPS[stem]} {right}"
            out.append((text, fn, mix))
    return out


def rows_for(rule, n, repeat, min_time, only):
    rows = []
    for text, fn, mix in spellings(rule):
        if only and only not in text:
            continue
        tag = new_tag()
        floats = [_point(rule, k) for k in range(rule.ufunc.nin)]
        args = []
        for k, x in enumerate(floats):
            if k in mix:
                seed = [0.0] * n
                seed[mix.index(k) % n] = 1.0
                args.append(dg.Dual(float(x), seed, tag=tag))
            else:
                args.append(float(x) if type(x) is float else x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                fn(*args)
            except (TypeError, ValueError) as exc:          # not differentiable there
                rows.append([text, n, "", "", "", f"raises {type(exc).__name__}"])
                continue
            samples = [(median_time(lambda: fn(*floats), 1, min_time, time.process_time),
                        median_time(lambda: fn(*args), 1, min_time, time.process_time))
                       for _ in range(repeat)]
        tf = statistics.median(s[0] for s in samples)
        td = statistics.median(s[1] for s in samples)
        rows.append([text, n, f"{tf * 1e6:.2f}", f"{td * 1e6:.2f}",
                     f"{statistics.median(s[1] / s[0] for s in samples):.1f}", ""])
    return rows


def main():
    quick = "--quick" in sys.argv
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    if "--scipy" in sys.argv:
        import scipy.special  # noqa: F401
        _table._load_scipy()
    repeat, min_time = (3, 0.005) if quick else (5, 0.01)
    rules = [r for r in _table.RULES.values()
             if r.kind in ("smooth", "zero", "predicate") or
             r.ufunc in (np.modf, np.divmod)]
    text = ["## Scalar duals, every operation of the rule table (bench/bench_scalar.py)", "",
            "Dual and float times are medians of CPU time per call; `ratio` is the median "
            "of the per-repeat dual / float ratios. `CLIFF`: the dual time is above 3x the "
            "median dual time of the reference rows of its spelling and n (operators: "
            "`+ - * /` in every operand mix and `a ** c`; ufunc calls: "
            "`np.exp/sin/log/sqrt(a)`).", ""]
    for n in (2, 8):
        rows = [row for rule in rules for row in rows_for(rule, n, repeat, min_time, only)]
        limits, heads = {}, []
        for kind, names in REFERENCE.items():
            ref = [float(r[3]) for r in rows if r[0] in names and r[3]]
            limits[kind] = 3 * statistics.median(ref) if ref else float("inf")
            heads.append(f"{kind}s: reference median {limits[kind] / 3:.2f} us, "
                         f"limit {limits[kind]:.2f} us")
        cliffs = 0
        for r in rows:
            if r[3] and float(r[3]) > limits[_spelling(r[0])]:
                r[5] = "CLIFF"
                cliffs += 1
        text += [f"### n = {n}: {'; '.join(heads)}; {cliffs} of {len(rows)} rows above",
                 "", table(["spelling", "n", "float us", "dual us", "ratio", "mark"], rows),
                 ""]
    out = "\n".join(text)
    print(out)
    if not quick and not only:
        Path(__file__).with_name("RESULTS_scalar.md").write_text(out + "\n")


if __name__ == "__main__":
    main()
