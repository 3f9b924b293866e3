"""``x[a:b] += expression`` over ``x``'s own rows, rows ahead and rows behind: the
one-pass kernel carries those rows from element to element in a block without a
non-finite factor (``_fusedgen.source``, ``"o"``/``"f<m>"``/``"b<m>"`` leaves) and
reads them from memory in the blocks that test each element.  Oracles: the complex
step (finite weights) and the eager engine's bits (weights with inf and NaN in some
blocks, so that clean and testing blocks hand over to each other both ways)."""

import re
import warnings

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused, _fusedgen

N = 20_000
B0, B1 = np.linspace(0.1, 1.0, N), np.linspace(1.0, -1.0, N)
Q = np.array([0.7, 0.2])


def _weight(bad):
    """A plain weight of ``N`` rows: 0.3 .. 0.6, with inf and NaN in blocks 3, 7, 8
    and the last rows where ``bad``."""
    w = np.linspace(0.3, 0.6, N)
    if bad:
        block = _fusedgen.BLOCK
        w[3 * block + 5] = np.inf
        w[7 * block + 63] = np.nan
        w[8 * block] = -np.inf
        w[-3] = np.nan
    return w


def _step(x, form, w):
    """One in-place stencil of ``form`` on ``x`` (plain NumPy: the complex step runs it)."""
    if form == "laplacian, weighted":        # own, one ahead, one behind
        x[1:-1] += 0.25 * (x[2:] - 2.0 * x[1:-1] + x[:-2]) + w[1:-1] * x[1:-1]
    elif form == "two each way":             # lags 1, 2; leads 1, 2
        x[2:-2] += 0.1 * (x[4:] - x[:-4]) + w[2:-2] * x[1:-3] * np.sin(x[3:-1])
    elif form == "behind only":              # lag 3 and own
        x[3:] -= 0.5 * w[3:] * x[:-3] * x[3:]
    elif form == "ahead only":               # lead 3, no ring
        x[:-3] += np.sin(x[3:]) * w[:-3]
    elif form == "three each way":           # window of 7 rows x 2 directions
        x[3:-3] += 0.05 * (x[6:] + x[5:-1] + x[4:-2] - x[2:-4] - x[1:-5] - x[:-6]) + \
            w[3:-3] * x[3:-3]
    return x


def _same_bits(fused, eager):
    """The same numbers, bit for bit where not NaN (the sign of a NaN that a non-finite
    weight makes differs between the engines' passes, as on 3a046fe before this
    kernel change)."""
    np.testing.assert_array_equal(fused, eager)
    finite = ~np.isnan(eager)
    np.testing.assert_array_equal(fused[finite].view(np.int64), eager[finite].view(np.int64))


FORMS = ["laplacian, weighted", "two each way", "behind only", "ahead only", "three each way"]


def _run(form, bad, steps=3):
    def f(p):
        x = (p[0] * B0 + p[1] * B1).copy()
        for _ in range(steps):
            x = _step(x, form, _weight(bad))
        return x
    return f


@pytest.mark.parametrize("bad", [False, True])
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.engine_independent
def test_rows_carried_across_clean_and_testing_blocks(form, bad, monkeypatch):
    """The one pass is taken, with a kernel that carries ``x``'s rows (its key's
    kinds), passes its check (no warning, compiled), and gives the eager engine's
    bits; with finite weights, the complex step's derivative."""
    monkeypatch.setattr(_fused, "COMPILE_AFTER", 1)
    monkeypatch.setattr(_fused, "COMPILE_TIMES", 1)
    keys, taken = [], []
    real_kernel, real_add = _fused._kernel, _fused.add_into

    def kernel(key, *args, **kwargs):
        fn = real_kernel(key, *args, **kwargs)
        keys.append((key, fn is not None))
        return fn

    def add_into(*args, **kwargs):
        taken.append(real_add(*args, **kwargs))
        return taken[-1]
    monkeypatch.setattr(_fused, "_kernel", kernel)
    monkeypatch.setattr(dg.backend, "add_into", add_into)
    f = _run(form, bad)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with _fused.engine("eager"):
            eager = dg.jacobian(f, Q)
        with _fused.engine("fused"):
            fused = dg.jacobian(f, Q)
    assert not [w for w in seen if "disagreed" in str(w.message)]
    assert taken and all(taken)
    accumulating = [(key, ok) for key, ok in keys if key[5]]
    assert accumulating and all(ok for key, ok in accumulating)
    kinds = set(accumulating[-1][0][1])
    assert kinds & {"o", "b1", "b2", "b3", "f1", "f2", "f3"}
    _same_bits(fused, eager)
    if not bad:
        h = 1e-30
        step = [f(Q + 1j * h * np.eye(2)[k]).imag / h for k in range(2)]
        np.testing.assert_allclose(fused, np.stack(step, axis=1), rtol=1e-13, atol=1e-15)


HEAT = (((("c", 0), ("l", 0)),), (("1", ("l", 1)), ("-", ("t", 0))),
        (("1", ("t", 1)), ("1", ("l", 2))), ((("a", 0), ("l", 3)), (("c", 1), ("t", 2))),
        ((("a", 1), ("l", 4)), (("c", 2), ("l", 0))), (("-", ("l", 0)),),
        ((("a", 2), ("t", 4)), (("a", 3), ("t", 5))), (("1", ("t", 3)), ("1", ("t", 6))))


@pytest.mark.parametrize("n, kinds", [
    (4, ("o", "f1", "b1", "r", "r")), (4, ("o", "f2", "b2", "r", "r")),
    (2, ("f3", "o", "b3", "r", "r")), (3, ("f1", "f2", "b1", "r", "r")),
    (1, ("b1", "f1", "b2", "r", "r")), (8, ("o", "f1", "m", "r", "r")),
    (16, ("o", "f1", "b1", "r", "r")), (20, ("o", "f1", "b1", "r", "r"))])
@pytest.mark.engine_independent
def test_carrying_kernels_pass_their_check(n, kinds):
    """The slicing heat step's structure with its leaves as ``acc``'s own rows, rows
    ahead and behind in several arrangements and numbers of directions (a window
    within ``CARRY`` and beyond it, ``n`` beyond ``UNROLL``): each kernel gives the
    eager engine's bits on the check's data (blocks 0 and 4 with inf and NaN factors,
    1-3 finite: the carried loop and its hand-overs)."""
    pytest.importorskip("numba")
    key = _fusedgen.structure(n, kinds, HEAT, 3, 4, 1, (2,), False)
    namespace = {"__name__": "carry_test"}
    exec(compile(_fusedgen.source(key).replace("cache=True", "cache=False"), "<kernel>",
                 "exec"), namespace)
    assert _fused._check_rows(kinds) == 5 * _fusedgen.BLOCK + 9
    with _fusedgen.vectorizing():
        assert _fused._check(key, namespace["fused"])


def test_the_heat_steps_kernel_loads_one_row_of_acc_a_clean_element():
    """The slicing heat step (``u[1:-1] += kappa * lap + ...``, ``lap`` over ``u[2:]``,
    ``u[1:-1]``, ``u[:-2]``): in a block without a non-finite factor, each element
    loads only ``u[2:]``'s row; its own row and the row behind come from the elements
    before (LLVM loaded acc's row twice and went through the ring ``H`` in memory,
    which it could not prove apart from the stores: 0.74x the kernel's time in a
    scratch A/B, bench/MISSES.md stop 46).  The leaves' kinds come from
    ``_fused._kinds`` for the heat step's layout."""
    u = np.zeros((1000, 4))
    target = u[1:-1]
    leaves = [(u[1:-1], 0), (u[2:], 0), (u[:-2], 0), (np.zeros(4), 0), (np.zeros(4), 0)]
    starts = [_fused._address(q) for q, o in leaves]
    kinds = _fused._kinds(leaves, starts, target, 998)
    assert kinds == ["o", "f1", "b1", "r", "r"]
    key = _fusedgen.structure(4, kinds, HEAT, 3, 4, 1, (2,), False)
    text = _fusedgen.source(key)
    body = text[text.index("def fused("):]
    clean = body[body.index("if not bad and count == 0:"):body.index("        else:")]
    loop = clean[clean.index("for i in range(i0, i0 + BLOCK):"):]
    loads = re.findall(r"= (acc|L\d|H)\[", loop)
    assert loads == ["L1"] * 4, loads
    assert len(re.findall(r"acc\[i, \d\] = y_\d \+ t7_\d", loop)) == 4
    assert len(re.findall(r"\bH\[0, \d\] = wb1_\d", clean)) == 4      # the ring, at the end


def _differences(x, form, w):
    """A new array from rows of ``x`` around each element (plain NumPy)."""
    if form == "np.diff":                    # p[2:], p[1:-1], p[:-2]: one anchor
        mid = x[1:-1]
        return mid + 0.3 * np.diff(x, 2) + w[1:-1] * mid * (1.0 - mid)
    if form == "np.diff order 3":            # rows 0..3 ahead of one anchor
        return w[:-3] * np.diff(x, 3) + x[3:]
    if form == "two arrays":                 # two anchors, one row ahead each
        y = np.sin(x)
        return (x[1:] - x[:-1]) * w[1:] + (y[1:] + y[:-1]) * 0.5
    raise ValueError(form)


@pytest.mark.parametrize("bad", [False, True])
@pytest.mark.parametrize("form", ["np.diff", "np.diff order 3", "two arrays"])
@pytest.mark.engine_independent
def test_rows_of_one_array_read_at_offsets_carried(form, bad, monkeypatch):
    """A pass that writes a new array from rows ``i .. i + m`` of another (``np.diff``'s
    views of one partials array) carries those rows: a kernel with ``"v"`` leaves,
    compiled, no warning, the eager engine's bits; with finite weights, the complex
    step."""
    monkeypatch.setattr(_fused, "COMPILE_AFTER", 1)
    monkeypatch.setattr(_fused, "COMPILE_TIMES", 1)
    keys = []
    real_kernel = _fused._kernel

    def kernel(key, *args, **kwargs):
        fn = real_kernel(key, *args, **kwargs)
        keys.append((key, fn is not None))
        return fn
    monkeypatch.setattr(_fused, "_kernel", kernel)

    def f(p):
        x = (p[0] * B0 + p[1] * B1).copy()
        for _ in range(3):
            x = np.concatenate([x[:2], _differences(x, form, _weight(bad))])[:N]
            x = np.concatenate([x, np.zeros(N - len(x)) + x[-1]]) if len(x) < N else x
        return x
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with _fused.engine("eager"):
            eager = dg.jacobian(f, Q)
        with _fused.engine("fused"):
            fused = dg.jacobian(f, Q)
    assert not [w for w in seen if "disagreed" in str(w.message)]
    viewing = [(key, ok) for key, ok in keys if key[0] != "columns" and
               any(kind[0] == "v" for kind in key[1])]
    assert viewing and all(ok for key, ok in viewing)
    _same_bits(fused, eager)
    if not bad:
        h = 1e-30
        step = [f(Q + 1j * h * np.eye(2)[k]).imag / h for k in range(2)]
        np.testing.assert_allclose(fused, np.stack(step, axis=1), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("n, kinds", [
    (4, ("v2.2", "v2.1", "m", "r", "r")), (2, ("v2.2", "v2.1", "m", "r", "r")),
    (3, ("m", "v0.3", "v0.1", "r", "r")), (4, ("m", "v0.1", "m", "r", "r")),
    (16, ("v2.2", "v2.1", "m", "r", "r")), (20, ("v2.2", "v2.1", "m", "r", "r"))])
@pytest.mark.engine_independent
def test_kernels_with_viewed_rows_pass_their_check(n, kinds):
    """The ``np.diff`` heat step's structure with its leaves as rows of one array at
    offsets (and two anchors, a window over ``CARRY``, ``n`` beyond ``UNROLL``): each
    kernel gives the eager engine's bits on the check's data, which builds a ``"v"``
    leaf as its anchor's memory rows ahead."""
    pytest.importorskip("numba")
    nodes = ((("1", ("l", 0)), ("-", ("l", 1))), (("1", ("l", 1)), ("-", ("l", 2))),
             (("1", ("t", 0)), ("-", ("t", 1))), ((("a", 0), ("l", 3)), (("c", 0), ("t", 2))),
             (("1", ("l", 1)), ("1", ("t", 3))), ((("a", 1), ("l", 4)), (("c", 1), ("l", 1))),
             (("-", ("l", 1)),), ((("a", 2), ("t", 5)), (("a", 3), ("t", 6))),
             (("1", ("t", 4)), ("1", ("t", 7))))
    key = _fusedgen.structure(n, kinds, nodes, 2, 4)
    namespace = {"__name__": "view_test"}
    exec(compile(_fusedgen.source(key).replace("cache=True", "cache=False"), "<kernel>",
                 "exec"), namespace)
    with _fusedgen.vectorizing():
        assert _fused._check(key, namespace["fused"])


def test_which_rows_are_one_arrays_rows_ahead():
    """``_views``: ``np.diff``'s three views of one partials array are an anchor and
    two ``"v"`` leaves; rows too far ahead, another layout, another array far away, a
    shifted or row leaf stay as they were."""
    p = np.zeros((1000, 4))
    far = np.zeros((1000, 4))
    wide = np.zeros((1000, 8))[:, :4]
    leaves = [(p[2:], 0), (p[1:-1], 0), (p[:-2], 0), (np.zeros(4), 0)]
    starts = [_fused._address(q) for q, o in leaves]
    assert _fused._views(["m", "m", "m", "r"], leaves, starts, 4) == ["v2.2", "v2.1", "m", "r"]
    leaves = [(p[9:], 0), (p[:-9], 0), (far[:-9], 0), (wide[:-9], 0), (p[1:-8], 5)]
    starts = [_fused._address(q) for q, o in leaves]
    kinds = _fused._views(["m", "m", "m", "m", "s"], leaves, starts, 4)
    assert kinds == ["m", "m", "m", "m", "s"]
    assert _fused._views(["m", "m"], [(p[1:], 0), (p[:-1], 0)],
                         [_fused._address(p[1:]), _fused._address(p)], 17) == ["m", "m"]
