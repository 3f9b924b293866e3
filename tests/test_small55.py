"""small55: the snapshot of a helper's seed (``np.asarray(x)`` inside ``f`` of a one
pass) recorded in the pass's lighter form, settled at the pass's end.

The guard is unchanged (tests/test_snapshots.py): while ``np.asarray(x)``'s object
array lives, a write into ``x`` raises, and a write into the object array raises
while ``x``'s memory lives.  What changed is its record for the one pass's own seed
(``_snapshots.remember_seed`` / ``settle``).  Each test here plants a write the
guard must refuse (or allow) on that path, with the float code's answer by
central differences as the oracle where a number is returned; the path tests read
which record was made (they fail on the code before small55, whose record is the
callback kind for every snapshot).
"""

import gc
import weakref

import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der

import dualgrad as dg
from dualgrad.dual import _snapshots
from dualgrad.testing import numerical_jacobian

X = np.array([0.7, 1.3, 2.1, 0.4])


@pytest.fixture(autouse=True)
def _no_records_left():
    gc.collect()
    assert not _snapshots.LIVE and not _snapshots._roots
    yield
    gc.collect()
    assert not _snapshots.LIVE and not _snapshots._roots


# ---- the record on the one pass's path ---------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 4, 16])
def test_the_seed_snapshot_is_the_pass_record_and_gone_at_its_end(n):
    seen = []

    def f(x):
        v = np.asarray(x)
        root = x.value
        seen.append((type(_snapshots._roots[id(root)]),
                     [type(r) for r in _snapshots.LIVE[id(root)].values()],
                     v.flags.writeable))
        return np.sum(v * v)
    x = np.linspace(0.5, 1.5, n)
    g = dg.gradient(f, x)
    np.testing.assert_array_equal(g, 2 * x)
    assert seen == [(weakref.ref, [weakref.ref], False)]
    assert not _snapshots.LIVE and not _snapshots._roots     # settled: nothing kept


def test_rosen_leaves_no_record_and_is_exact():
    for n in (2, 3, 10):
        x = np.linspace(-1.2, 1.2, n)
        np.testing.assert_allclose(dg.gradient(rosen, x), rosen_der(x), rtol=1e-14, atol=0)
        assert not _snapshots.LIVE and not _snapshots._roots


def test_a_view_of_the_seed_keeps_the_general_record():
    seen = []

    def f(x):
        v = np.asarray(x[1:])
        seen.append([type(r) for r in _snapshots.LIVE[id(x.value)].values()])
        return np.sum(v)
    dg.gradient(f, X)
    assert seen == [[_snapshots._SnapshotRef]]


# ---- writes into the seed while its snapshot lives ---------------------------------

SEED_WRITES = {
    "imul": lambda x: x.__imul__(2.0),
    "setitem": lambda x: x.__setitem__(0, 5.0),
    "setitem_slice": lambda x: x.__setitem__(slice(1, None), 1.0),
    "copyto": lambda x: np.copyto(x, np.sin(x)),
    "ufunc_out": lambda x: np.multiply(x, x, out=x),
    "add_at": lambda x: np.add.at(x, [0, 0], 1.0),
    "view_imul": lambda x: x[::-1].__imul__(3.0),
    "fill": lambda x: x.fill(1.0),
}


@pytest.mark.parametrize("spelling", [np.asarray, np.asanyarray, np.ascontiguousarray])
@pytest.mark.parametrize("write", sorted(SEED_WRITES))
def test_a_write_into_the_seed_while_its_snapshot_lives_raises(spelling, write):
    def f(x):
        v = spelling(x)
        SEED_WRITES[write](x)
        return np.sum(v * v)
    with pytest.raises(TypeError, match=r"np\.asarray\(y\) returned still lives"):
        dg.gradient(f, X)


def test_the_refused_write_would_change_the_float_answer():
    """The refusal protects this: on floats v is x, so the write is seen (sum of
    (2 x)^2: 8 x), where the snapshot would give 2 x."""
    def f(x):
        v = np.asarray(x)
        x *= 2.0
        return np.sum(v * v)
    np.testing.assert_allclose(numerical_jacobian(f, X), 8 * X, rtol=1e-7)


def test_a_second_snapshot_of_the_seed_and_a_view_write():
    def f(x):
        a = np.asarray(x)
        b = np.asarray(x)
        del a
        x[2] = 1.0                    # b lives
        return np.sum(b)
    with pytest.raises(TypeError, match=r"np\.asarray\(y\) returned still lives"):
        dg.gradient(f, X)


def test_after_the_snapshot_died_the_seed_may_be_written():
    def f(x):
        s = np.sum(np.asarray(x) ** 2)     # the snapshot dies in this line
        x *= 3.0                            # allowed: nothing can disagree now
        return s + np.sum(x)
    g = dg.gradient(f, X)
    np.testing.assert_allclose(g, numerical_jacobian(f, X), rtol=1e-7)
    np.testing.assert_allclose(g, 2 * X + 3.0, rtol=1e-14)


def test_the_seed_released_mid_pass_then_converted_again():
    """``x.partials`` read by f's code drops the seed's kept elements (the pass's
    seed then converts the general way): the earlier light record and the later
    general one are both settled; both snapshots refuse the write."""
    def f(x):
        a = np.asarray(x)
        x.partials                          # exposes the partials: elements released
        b = np.asarray(x)
        x[0] = 2.0
        return np.sum(a) + np.sum(b)
    with pytest.raises(TypeError, match=r"np\.asarray\(y\) returned still lives"):
        dg.gradient(f, X)

    def g(x):
        a = np.asarray(x)
        x.partials
        b = np.asarray(x)
        return np.sum(a * b)
    np.testing.assert_allclose(dg.gradient(g, X), 2 * X, rtol=1e-14)


# ---- writes into the snapshot --------------------------------------------------------

@pytest.mark.parametrize("write", ["item", "slice"])
def test_a_write_into_the_seed_snapshot_is_refused(write):
    def f(x):
        v = np.asarray(x)
        if write == "item":
            v[0] = 0.0
        else:
            v[1:] = 2.0
        return np.sum(v * v)
    with pytest.raises(TypeError, match=r"wrote into v .*an array that np\.asarray "
                                        r"returned.*v = x\.copy\(\)"):
        dg.gradient(f, X)


def test_a_snapshot_that_outlives_the_pass_becomes_writable_with_the_seed():
    """The snapshot escapes f (a list), the seed's memory dies at the pass's end:
    the snapshot is then the only holder, writable (remember's callback record,
    made by settle)."""
    kept = []

    def f(x):
        v = np.asarray(x)
        kept.append(v)
        return np.sum(v * v)
    np.testing.assert_allclose(dg.gradient(f, X), 2 * X, rtol=1e-14)
    gc.collect()
    v = kept.pop()
    assert v.flags.writeable
    v[0] = 1.0                                  # allowed: x's memory is gone


def test_a_snapshot_and_the_seed_that_both_outlive_the_pass():
    """Both escape: the snapshot stays read-only while the seed's memory lives (the
    general record), a write into the seed still raises, and once the seed goes the
    snapshot is writable."""
    kept = []

    def f(x):
        v = np.asarray(x)
        kept.extend([x, v])
        return np.sum(v * v)
    dg.gradient(f, X)
    x, v = kept
    kept.clear()
    assert not v.flags.writeable
    with pytest.raises(TypeError, match=r"np\.asarray\(y\) returned still lives"):
        x *= 2.0
    root = x.value
    key = id(root)
    assert type(_snapshots._roots[key]) is _snapshots._RootRef
    del x, root
    gc.collect()
    assert v.flags.writeable
    assert key not in _snapshots.LIVE
    del v


def test_a_returned_snapshot_sum_in_a_thread():
    """Passes in threads keep their own records (keyed by each seed's memory)."""
    from concurrent.futures import ThreadPoolExecutor

    def f(x):
        v = np.asarray(x)
        return np.sum(v * v * v)
    with ThreadPoolExecutor(2) as ex:
        results = list(ex.map(lambda k: dg.gradient(f, X * (1 + k)), range(40)))
    for k, g in enumerate(results):
        np.testing.assert_allclose(g, 3 * (X * (1 + k)) ** 2, rtol=1e-14)
