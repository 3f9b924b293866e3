"""Issue 13, stop 73 (small73): the loops entries clear the flags as NumPy's call does.

The compiled entries that run NumPy's own loops (small71 / small72: ``np.sin``'s value
and factor, ``np.tanh``'s, ``sc.erf``'s part, the powers, ``np.arctan2`` / ``np.hypot``
beside a plain array) cleared the floating-point exception flags before the value's
loop and after the parts' with glibc's ``feclearexcept``, which rewrites the x87
environment (``fnstenv`` / ``fldenv``) and costs ~6 times ``fetestexcept``.  NumPy's
own call tests first and clears only where a flag is set
(``npy_clear_floatstatus_barrier``); the entries now do the same.  A clear where no
flag is set changes nothing, so the flags after each step, the entries' answers and
their bits are the same.

Oracles: the entries' source (every ``fe_clear`` follows a ``fe_test`` that found a
flag: fails on the tree before, 2ddb93c2, where the clears were unconditional); a flag
left set by earlier code (a Python float's overflow) is cleared before the value's loop
(the entry still answers, as before: a spy) and none is left after, read with libm's
own ``fetestexcept``; the bits against the same call with no flag set and, for
``np.sin``, against NumPy's ``np.sin`` / ``np.cos`` products."""

import ctypes
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.special as sc

import dualgrad as dg
from dualgrad import backend
from dualgrad.backend import _loader, _numpy_loops

from _probes import same_duals

BACKEND = Path(backend.__file__).parent


def _entries(text):
    """``{name: source}`` of the functions in ``text`` that run NumPy's loops and call
    ``fe_clear`` (the loops entries; not a kernel that clears the flags once around
    a long loop of its own arithmetic, as np.gradient's pass does)."""
    found = {}
    for chunk in re.split(r"\n(?=def )", text):
        head = re.match(r"def ([\w{}]+)", chunk)
        if head and "fe_clear(" in chunk and "numpy_loop" in chunk:
            found[head.group(1)] = chunk
    return found


@pytest.mark.parametrize("name", ["_numba_kernels.py", "_rule_kernels.py", "_kernelgen.py"])
def test_every_clear_follows_a_test_that_found_a_flag(name):
    """Each ``fe_clear(mask)`` in the loops entries (and in the generator's templates)
    sits under an ``if`` whose condition ends in ``fe_test(mask) != 0``: the clear
    before the value's loop and after the parts' is taken only where a flag is set, as
    NumPy's call does; the error branches' clears follow the test that found the flag."""
    entries = _entries((BACKEND / name).read_text())
    assert entries, name
    clears = 0
    for fn, text in entries.items():
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        for k, line in enumerate(lines):
            if line.startswith("fe_clear("):
                clears += 1
                head = lines[k - 1].split("#")[0].rstrip()
                assert head.endswith("fe_test(mask) != 0:"), (fn, lines[k - 1])
    assert clears >= 2 * len(entries)


_LIBM = ctypes.CDLL("libm.so.6") if _numpy_loops.MASK else None


def _flags():
    return _LIBM.fetestexcept(_numpy_loops.MASK)


def _overflowed():
    """Leave the overflow flag set, as a Python float's overflow does (CPython clears
    no flag); True where it is set now."""
    big = float("1e308")
    assert big * 10.0 == float("inf")
    return _flags() != 0


rng = np.random.default_rng(73)
X = rng.uniform(0.5, 2.0, 10)
Y = rng.uniform(0.5, 2.0, 10)
P = rng.standard_normal((10, 4))
Q = rng.standard_normal((10, 4))
T = np.linspace(0.5, 2.0, 10)
K = rng.standard_normal(4)
FORMS = {
    "sin": lambda a, b, k: np.sin(a), "cos": lambda a, b, k: np.cos(a),
    "exp": lambda a, b, k: np.exp(a), "tanh": lambda a, b, k: np.tanh(a),
    "erf": lambda a, b, k: sc.erf(a), "a ** b": lambda a, b, k: a ** b,
    "a ** 2.5": lambda a, b, k: a ** 2.5, "a ** -1": lambda a, b, k: a ** -1,
    "a ** k": lambda a, b, k: a ** k, "k ** a": lambda a, b, k: k ** a,
    "t ** k": lambda a, b, k: T ** k, "arctan2(t, k)": lambda a, b, k: np.arctan2(T, k),
    "hypot(k, t)": lambda a, b, k: np.hypot(k, T)}


@pytest.mark.skipif(_LIBM is None, reason="no known flag mask on this machine")
@pytest.mark.parametrize("form", list(FORMS))
def test_a_flag_left_by_earlier_code_changes_nothing(form):
    """numba loaded: with the overflow flag left set before the call, each entry's
    result has the bits of the same call with no flag set before it, no error is
    raised under ``errstate(all="raise")``, and the flags after it are those the call
    leaves from a clean start (what its own hushed steps set, if anything)."""
    _loader.load()
    fn = FORMS[form]
    a = dg.Dual(X, P)
    b = dg.Dual(Y, Q, tag=a.tag)
    k = dg.Dual(0.7, K, tag=a.tag)
    with np.errstate(all="raise"):
        fn(a, b, k)                               # (cells made, kernels loaded)
        _LIBM.feclearexcept(_numpy_loops.MASK)
        want = fn(a, b, k)
        left = _flags()
        if not _overflowed():
            pytest.skip("a Python float's overflow left no flag here")
        got = fn(a, b, k)
        assert _flags() == left, (form, _flags(), left)
        _LIBM.feclearexcept(_numpy_loops.MASK)
        assert (np.ones(3) * 2.0).sum() == 6.0
    same_duals(got, want)


@pytest.mark.skipif(_LIBM is None, reason="no known flag mask on this machine")
@pytest.mark.parametrize("ufunc", [np.sin, np.tanh], ids=lambda u: u.__name__)
def test_the_entry_answers_after_a_flag_left_set(ufunc):
    """A spy on the loops cell: the entry answers (True) with a flag left set before
    it, as before this change (the test finds it and clears it); ``np.sin``'s bits
    are NumPy's ``np.sin(x)`` and ``np.cos(x) * p`` (the same IEEE products)."""
    _loader.load()
    a = dg.Dual(X, P)
    ufunc(a)                                      # (the cell made)
    cell = backend.loop_cell(ufunc)
    real = cell[0]
    assert real
    answers = []

    def spy(*args):
        answers.append(real(*args))
        return answers[-1]
    cell[0] = spy
    try:
        if not _overflowed():
            pytest.skip("a Python float's overflow left no flag here")
        got = ufunc(a)
    finally:
        cell[0] = real
    assert answers == [True]
    assert _flags() == 0
    if ufunc is np.sin:
        np.testing.assert_array_equal(got.value, np.sin(X))
        np.testing.assert_array_equal(got.partials, np.cos(X)[:, None] * P)
