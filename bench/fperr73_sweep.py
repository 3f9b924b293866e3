"""Floating-point reports a derivative makes where f's float code makes none (and those
it drops): every smooth row of the rule table (NumPy's and scipy.special's) and the
functions attack72 named, under ``np.errstate(all="raise")`` and ``all="warn"``, with
tangents that underflow in any product (1e-310), huge ones (1e300) and subnormal values
(fperr73).  Prints only.

    python bench/fperr73_sweep.py [--numba] [--sizes 1,3,40,100000] [--only NAME]

Run once per engine (``DUALGRAD_ENGINE=fused`` / ``eager``) and numba state.  Each case
is ``dg.jacobian`` of ``z -> np.sum(fn(...))`` at ``z = [1.0, 2.0]``, where the seeded
argument is ``a + s * ((z[0] + z[1]) - 3.0)`` (the value ``a`` and the partials exactly
``s``), a scalar dual (size 0) or an array one of the size given, against the same
function of the float array ``z``.  Errors other than FloatingPointError (a refusal) are
not counted.  A line per case where the two differ: SPURIOUS
(the derivative raised or warned where float code did not), LOST (float code raised or
warned, the derivative did not).  The last line counts them.
"""
import argparse
import sys
import warnings

import numpy as np


def _cases(sizes, only):
    import scipy.special as sc                     # (the scipy rows are loaded on first use)
    from dualgrad.rules import _table
    sc.erf(0.5)
    _table._load_scipy()
    rules = [r for r in _table.RULES.values() if r.kind == "smooth"]
    for rule in rules:
        fn = rule.ufunc
        name = rule.name
        if only and name not in only:
            continue
        if getattr(fn, "nout", 1) != 1:
            continue
        nin = len(rule.derivs)
        for k in range(nin):
            if rule.derivs[k] in (None, "0") or len(rule.domain[k]) == 3:
                continue
            for kind, s, value in _points(rule, k):
                for n in sizes:
                    yield name, fn, nin, k, kind, s, value, n, rule.domain, False
        if nin == 2 and all(len(d) == 2 for d in rule.domain) and \
                all(e not in (None, "0") for e in rule.derivs):
            for n in sizes:                        # a tie: both arguments one dual
                yield name, fn, nin, -1, "tie", 1e-310, None, n, rule.domain, False


def _points(rule, k):
    lo, hi = rule.domain[k]
    yield "tiny tangent", 1e-310, None
    yield "huge tangent", 1e300, None
    if lo < 0.0 < hi:
        yield "subnormal value", 1.0, 1e-310
    if lo <= 0.0 <= hi:
        yield "zero value, tiny tangent", 1e-310, 0.0


def _values(domain, n, value):
    lo, hi = domain[:2]
    if len(domain) == 3:                           # an int argument
        return np.full(max(n, 1), (lo + hi) // 2, dtype=np.int64) if n else (lo + hi) // 2
    if value is not None:
        return np.full(n, value) if n else value
    if not n:
        return 0.5 * (lo + hi)
    return np.linspace(lo + 0.1 * (hi - lo), hi - 0.1 * (hi - lo), n) if n > 1 else \
        np.array([0.5 * (lo + hi)])


def _function(fn, nin, k, s, value, n, domain):
    args = [_values(domain[j], n, value if j == k or k == -1 else None) for j in range(nin)]

    def f(z):
        t = s * ((z[0] + z[1]) - 3.0)              # value 0 exactly, partials s
        seeded = [a + t if (j == k or k == -1) else a for j, a in enumerate(args)]
        if k == -1:
            seeded[1] = seeded[0]
        return np.sum(fn(*seeded))
    return f


EXTRA = {   # attack72's functions and the linear maps whose partials are NumPy's calls
    "u ** 2.0": lambda u: u ** 2.0, "u ** 2": lambda u: u ** 2, "u ** 2.5": lambda u: u ** 2.5,
    "u ** 3": lambda u: u ** 3, "u ** -1": lambda u: u ** -1, "u ** 0.5": lambda u: u ** 0.5,
    "u ** -2.5": lambda u: u ** -2.5, "2.0 ** u": lambda u: 2.0 ** u, "u ** u": lambda u: u ** u,
    "u * u": lambda u: u * u, "u / (u + 1)": lambda u: u / (u + 1.0), "u * 0.3": lambda u: u * 0.3,
    "u / 3.0": lambda u: u / 3.0, "np.prod": np.prod, "np.linalg.norm": np.linalg.norm,
    "np.sinc": np.sinc, "np.clip tie": lambda u: np.clip(u, u.min() if np.ndim(u) else u, 1e9),
    "np.maximum(u, u)": lambda u: np.maximum(u, u), "np.max": np.max, "np.mean": np.mean,
    "np.cumprod": np.cumprod, "u @ u": lambda u: u @ u if np.ndim(u) else u * u,
    "np.var": np.var, "np.std": np.std, "np.cumsum": np.cumsum,
    "np.diff": lambda u: np.diff(u) if np.size(u) > 1 else u,
    "np.gradient": lambda u: np.gradient(u, 0.3) if np.size(u) > 2 else u,
    "np.convolve": lambda u: np.convolve(u, [0.25, 0.5, 0.25], "valid") if np.size(u) > 2 else u,
    "np.dot(u, w)": lambda u: np.dot(u, np.linspace(0.3, 0.7, np.size(u))) if np.ndim(u) else u,
    "np.exp(-u*u)": lambda u: np.exp(-u * u), "np.hypot(u, u)": lambda u: np.hypot(u, u),
    "np.tanh(u)": np.tanh, "np.sqrt(u*u + 1)": lambda u: np.sqrt(u * u + 1.0),
}


def _extra_cases(sizes, only):
    for name, fn in EXTRA.items():
        if only and name not in only:
            continue
        for kind, s, value in (("tiny tangent", 1e-310, None), ("huge tangent", 1e300, None),
                               ("subnormal value", 1.0, 1e-310)):
            for n in sizes:
                yield name, fn, 1, 0, kind, s, value, n, ((0.3, 0.9),), True


def _run(f, z, state, jac):
    """Under ``np.errstate(all=state)``: (raised text or None, warnings' texts)."""
    with warnings.catch_warnings(record=True) as w, np.errstate(all=state):
        warnings.simplefilter("always")
        try:
            out = jac(f, z)
            if hasattr(out, "partials"):
                np.asarray(out.partials)
            raised = None
        except FloatingPointError as e:
            raised = str(e)
        except Exception:                         # noqa: BLE001 (a refusal: not counted)
            raised = "refused"
    return raised, sorted({str(m.message)[:80] for m in w
                           if issubclass(m.category, RuntimeWarning)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n")[0])
    parser.add_argument("--numba", action="store_true")
    parser.add_argument("--sizes", default="0,1,3,40,100000")
    parser.add_argument("--only", default="")
    parser.add_argument("--states", default="raise,warn")
    args = parser.parse_args()
    import dualgrad as dg
    from dualgrad.backend import _loader
    if args.numba:
        _loader.load()
    else:                           # (numba stays unloaded: no work counts towards its load)
        _loader.LOAD_AFTER = float("inf")
    sizes = [int(s) for s in args.sizes.split(",")]
    only = set(filter(None, args.only.split(",")))
    z = np.array([1.0, 2.0])
    found = {"SPURIOUS": 0, "LOST": 0}
    total = 0
    seen = set()
    for case in [*_cases(sizes, only), *_extra_cases(sizes, only)]:
        name, fn, nin, k, kind, s, value, n, domain, extra = case
        if n >= 100000 and kind not in ("tiny tangent", "tie"):
            continue
        f = _function(fn, nin, k, s, value, n, domain)
        for state in args.states.split(","):
            total += 1
            fr, fw = _run(f, z, state, lambda g, x: g(x))
            if fr is not None and not fr.startswith(("overflow", "underflow", "invalid",
                                                     "divide")):
                continue                           # f's own error (a domain it refuses)
            dr, dw = _run(f, z, state, dg.jacobian)
            if dr == "refused" or fr == "refused":
                continue
            label = f"{name} d/d{'xyzw'[k] if k >= 0 else 'both'} {kind} size {n} {state}"
            if state == "raise":
                if dr is not None and fr is None:
                    what = ("SPURIOUS", f"raised {dr!r}")
                elif fr is not None and dr is None:
                    what = ("LOST", f"float code raised {fr!r}")
                elif fr is not None and dr != fr:
                    what = ("SPURIOUS", f"raised {dr!r} where float code raised {fr!r}")
                else:
                    continue
            else:
                more = sorted(set(dw) - set(fw))
                less = sorted(set(fw) - set(dw))
                if dr is not None:
                    what = ("SPURIOUS", f"raised {dr!r}")
                elif more:
                    what = ("SPURIOUS", f"warned {more}")
                elif less:
                    what = ("LOST", f"float code warned {less}")
                else:
                    continue
            found[what[0]] += 1
            key = (name, kind, state, what)
            print(f"{what[0]:8s} {label}: {what[1]}", flush=True)
            seen.add(key)
    print(f"{total} cases: {found['SPURIOUS']} spurious, {found['LOST']} lost "
          f"(numba {'loaded' if args.numba else 'not loaded'})")


if __name__ == "__main__":
    sys.exit(main())
