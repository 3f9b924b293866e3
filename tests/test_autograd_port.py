"""autograd's test suite as an outside oracle (the cases: tests/autograd_cases.py).

Each case's function runs on plain NumPy and dualgrad differentiates it; the
reference is autograd's derivative of the same function written against
``autograd.numpy`` (central differences where autograd has no derivative).
Complex arguments and results are split into real and imaginary parts, so both
libraries differentiate a real function of real numbers (the real-pair convention).

Each case ends as one of: ``pass``; ``refused`` (a TypeError from dualgrad naming
what it refused); ``wrong`` (a number that differs from the reference); ``error``
(any other exception); ``autograd wrong`` (dualgrad agrees with central
differences where autograd does not); ``n/a`` (NumPy itself refuses the case, or the
reference is not finite).  The test asserts no wrong numbers, no other errors, and at
least 95 % passes among the applicable cases, under each engine: the reference is
computed once and dualgrad runs in a ``dg.engine`` block per engine, so the test is
``engine_independent`` (README's two halves run it once, not the reference twice).
"""

import math
import types
import warnings

import numpy as onp
import pytest

import dualgrad as dg

autograd = pytest.importorskip("autograd")
import autograd.numpy as anp                 # noqa: E402
import autograd.scipy.special as asp         # noqa: E402
import scipy.special as ssp                  # noqa: E402

from autograd_cases import cases             # noqa: E402

NP = types.SimpleNamespace(np=onp, sp=ssp)
AG = types.SimpleNamespace(np=anp, sp=asp)


def _realized(case, ns, complex_out):
    """The case as a function of one real vector: differentiated arguments unpacked
    from it (complex ones from real and imaginary halves), the result flattened
    (complex results as real and imaginary halves)."""
    fun = case.build(ns)
    np_ = ns.np

    def g(v):
        full, offset = list(case.args), 0
        for i in case.argnums:
            a = case.args[i]
            shape, size = onp.shape(a), math.prod(onp.shape(a))
            parts = []
            for _ in range(2 if onp.iscomplexobj(a) else 1):
                parts.append(v[offset] if shape == () else
                             np_.reshape(v[offset:offset + size], shape))
                offset += size
            full[i] = parts[0] if len(parts) == 1 else parts[0] + 1j * parts[1]
        out = np_.ravel(fun(*full, **case.kwargs))
        return np_.concatenate([np_.real(out), np_.imag(out)]) if complex_out else out
    return g


def _point(case):
    pieces = []
    for i in case.argnums:
        a = onp.asarray(case.args[i])
        pieces += [a.real.ravel(), a.imag.ravel()] if onp.iscomplexobj(a) else \
            [a.astype(float).ravel()]
    return onp.concatenate(pieces)


def _central(g, v, h=1e-5):
    cols = []
    for k in range(v.size):
        e = onp.zeros(v.size)
        e[k] = h
        cols.append((-g(v + 2 * e) + 8 * g(v + e) - 8 * g(v - e) + g(v - 2 * e)) / (12 * h))
    return onp.stack(cols, axis=-1)


ENGINES = ("fused", "eager")


def run_case(case):
    """``{engine: (outcome, detail)}`` for one case, dualgrad run in a ``dg.engine``
    block per engine against one reference."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            plain = case.build(NP)(*case.args, **case.kwargs)
            complex_out = onp.iscomplexobj(plain)
        except Exception as exc:  # noqa: BLE001 - the case does not apply to NumPy
            return dict.fromkeys(ENGINES, ("n/a", f"NumPy itself raises {type(exc).__name__}"))
        v = _point(case)
        try:
            ref = onp.asarray(autograd.jacobian(_realized(case, AG, complex_out))(v))
            tol = dict(rtol=1e-7, atol=1e-9)
            source = "autograd"
        except Exception:  # noqa: BLE001 - autograd has no derivative: differences
            g = _realized(case, NP, complex_out)
            ref = _central(lambda u: onp.asarray(g(u), dtype=float), v)
            tol = dict(rtol=1e-5, atol=1e-6)
            source = "central differences"
        if not onp.all(onp.isfinite(ref)):
            return dict.fromkeys(ENGINES, ("n/a", f"the reference ({source}) is not finite"))
        fd = []                     # central differences, computed once if needed
        return {engine: _judged(case, complex_out, v, ref, tol, source, engine, fd)
                for engine in ENGINES}


def _judged(case, complex_out, v, ref, tol, source, engine, fd):
    """``(outcome, detail)`` of dualgrad's Jacobian under ``engine`` against ``ref``."""
    try:
        with dg.engine(engine):
            got = dg.jacobian(_realized(case, NP, complex_out), v)
    except TypeError as exc:
        msg = str(exc)
        if msg.startswith("dualgrad") or ": expected" in msg:
            return "refused", msg[:160]
        return "error", f"TypeError not from dualgrad: {msg[:160]}"
    except Exception as exc:  # noqa: BLE001
        return "error", f"{type(exc).__name__}: {str(exc)[:160]}"
    got = onp.asarray(got).reshape(ref.shape)
    if _close(got, ref, **tol):
        return "pass", source
    worst = float(onp.max(onp.abs(got - ref)))
    if source == "autograd":                # a second, independent opinion
        if not fd:
            g = _realized(case, NP, complex_out)
            fd.append(_central(lambda u: onp.asarray(g(u), dtype=float), v))
        if _close(got, fd[0], rtol=1e-5, atol=1e-6) and not _close(ref, fd[0], rtol=1e-5,
                                                                    atol=1e-6):
            return "autograd wrong", f"dualgrad agrees with central differences, " \
                                     f"autograd is off by {worst:.3g}"
    return "wrong", f"max |dualgrad - {source}| = {worst:.3g}"


def _close(got, ref, rtol, atol):
    scale = max(1.0, float(onp.max(onp.abs(ref), initial=0.0)))
    return onp.allclose(got, ref, rtol=rtol, atol=atol * scale)


@pytest.mark.engine_independent
def test_autograd_suite_as_an_oracle():
    by_engine = {engine: {} for engine in ENGINES}
    for case in cases():
        for engine, (outcome, detail) in run_case(case).items():
            by_engine[engine].setdefault(outcome, []).append((case.name, detail))
    for engine, results in by_engine.items():
        _assert_results(engine, results)


def _assert_results(engine, results):
    applicable = sum(len(v) for k, v in results.items() if k not in ("n/a", "autograd wrong"))
    passed = len(results.get("pass", []))
    summary = {"engine": engine, **{k: len(v) for k, v in results.items()}}
    assert results.get("wrong", []) == [], summary
    assert results.get("error", []) == [], summary
    # autograd 1.8's rfft with n different from the input length has a wrong derivative
    # (its transpose pads or crops on the wrong side); central differences side with us
    assert {name for name, _ in results.get("autograd wrong", [])} <= \
        {"fft rfft n=2", "fft rfft n=6"}, results["autograd wrong"]
    assert applicable >= 1500, summary
    assert passed >= 0.95 * applicable, (summary, results.get("refused"))
    for name, message in results.get("refused", []):     # each names what it refused
        assert "np." in message or "scipy." in message, (name, message)
