"""The lead's mends of stop 73.

attack73's urgent finding on exact73's cd7e8f6b: ufunc.at into np.asarray's snapshot of
an array dual of no helper call was refused only where the call's source spelled
``<...>.at(...)``; an alias (``add_at = np.add.at``), ``getattr(np.add, "at")``, a
``functools.partial`` of it, ``operator.methodcaller("at", ...)`` and code without
source (``exec``, ``eval``) still wrote only the snapshot, silently.  Oracle: the float
code's own numbers (the write reaches x); reads of the snapshot stay unrefused.
"""

import functools
import itertools
import operator
import types

import numpy as np
import pytest

import dualgrad as dg

I, C = [0, 0, 2], 10.0


def _alias(y):
    add_at = np.add.at
    add_at(y, I, C)


def _partial_by_name(y):
    write = functools.partial(np.add.at, y)
    write(I, C)


class _Ops:
    add_at = np.add.at


_OPS = {"acc": np.add.at}
_FS = [np.add.at]


AT_SPELLINGS = {
    "alias": _alias,
    "map": lambda y: list(map(np.add.at, [y], [I], [C])),
    "starmap": lambda y: list(itertools.starmap(np.add.at, [(y, I, C)])),
    "class attribute": lambda y: _Ops.add_at(y, I, C),
    "dict value": lambda y: _OPS["acc"](y, I, C),
    "list element": lambda y: _FS[0](y, I, C),
    "namespace": lambda y: types.SimpleNamespace(acc=np.add.at).acc(y, I, C),
    "getattr": lambda y: getattr(np.add, "at")(y, I, C),
    "partial": lambda y: functools.partial(np.add.at, y)(I, C),
    "partial by name": _partial_by_name,
    "methodcaller": lambda y: operator.methodcaller("at", y, I, C)(np.add),
    "exec": lambda y: exec("np.add.at(y, I, C)", {"np": np, "y": y, "I": I, "C": C}),
    "eval lambda": lambda y: eval("lambda y: np.add.at(y, I, C)",
                                  {"np": np, "I": I, "C": C})(y),
}


@pytest.mark.parametrize("spelling", AT_SPELLINGS, ids=str)
def test_at_spellings_into_a_snapshot_are_refused(spelling):
    x = np.array([1.0, 2.0, 3.0])
    AT_SPELLINGS[spelling](np.asarray(x))
    np.testing.assert_array_equal(x, [21.0, 2.0, 13.0])        # float code: x written
    d = dg.Dual(np.array([1.0, 2.0, 3.0]), np.eye(3))
    with pytest.raises(TypeError, match="np.asarray returned for the dual array"):
        AT_SPELLINGS[spelling](np.asarray(d))
    np.testing.assert_array_equal(d.value, [1.0, 2.0, 3.0])


READS = {
    "np.sum": lambda y: np.sum(y),
    "sum": lambda y: sum(y),
    "getattr sum": lambda y: getattr(np, "sum")(y),
    "partial add": lambda y: functools.partial(np.add, y)(1.0),
    "methodcaller reduce": lambda y: operator.methodcaller("reduce", y)(np.add),
    "np.add.accumulate": lambda y: np.add.accumulate(y),
    "eval sum": lambda y: eval("np.sum(y)", {"np": np, "y": y}),
    "exec'd operator beside a load of at": lambda y: eval(
        "y[0] + y[1] if hasattr(np.add, 'at') else 0", {"np": np, "y": y}),
}


@pytest.mark.parametrize("read", READS, ids=str)
def test_reads_of_a_snapshot_are_not_refused(read):
    d = dg.Dual(np.array([1.0, 2.0, 3.0]), np.eye(3))
    got = READS[read](np.asarray(d))
    want = READS[read](np.array([1.0, 2.0, 3.0], dtype=object))
    values = np.vectorize(lambda v: getattr(v, "value", v), otypes=[float])
    np.testing.assert_array_equal(values(got), values(want))


# diff73 F1 (silent, old): a view of an N-D snapshot taken inline keeps only the flat
# array the snapshot views alive; the snapshot itself died, and .at into the view wrote
# past every check.  Oracle: the float code, whose write reaches x.
VIEW_WRITES = {
    "ravel": lambda x: np.add.at(np.asarray(x).ravel(), [0], 1.0),
    "2-D slice": lambda x: np.add.at(np.asarray(x)[1:], ([0], [0]), 1.0),
    "transpose": lambda x: np.add.at(np.asarray(x).T, ([0], [1]), 1.0),
}


@pytest.mark.parametrize("write", VIEW_WRITES, ids=str)
def test_at_into_an_inline_view_of_an_nd_snapshot_is_refused(write):
    x = np.arange(6.0).reshape(2, 3)
    VIEW_WRITES[write](x)
    assert not np.array_equal(x, np.arange(6.0).reshape(2, 3))     # float code: x written
    d = dg.Dual(np.arange(6.0).reshape(2, 3), np.ones((2, 3, 1)))
    with pytest.raises(TypeError, match="np.asarray returned for the dual array"):
        VIEW_WRITES[write](d)
    np.testing.assert_array_equal(d.value, np.arange(6.0).reshape(2, 3))


# diff73 F3 (false refusal, new in 5dcf7b14): code without source whose code object named
# ``at`` anywhere refused plain reads; only the current line's loads count now.
def test_reads_in_code_without_source_naming_at_elsewhere_are_not_refused():
    source = ("probe = getattr(np, 'at', None)\n"
              "total = np.add.reduce(np.asarray(d))\n"
              "twice = np.asarray(d) * 2.0\n")
    names = {"np": np, "d": dg.Dual(np.array([1.0, 2.0, 3.0]), np.eye(3))}
    exec(source, names)
    assert names["total"].value == 6.0
    np.testing.assert_array_equal(names["total"].partials, [1.0, 1.0, 1.0])
    assert [t.value for t in names["twice"]] == [2.0, 4.0, 6.0]


# diff73 F2 (false refusal, cd7e8f6b): the snapshot's elements as the values added into
# an array held in a list or dict (bufs[0]) were taken for a write into the snapshot
@pytest.mark.parametrize("holder", [list, dict], ids=lambda h: h.__name__)
def test_at_into_a_held_buffer_of_snapshot_values_is_not_refused(holder):
    d = dg.Dual(np.array([1.0, 2.0, 3.0]), np.eye(3))
    bufs = holder(enumerate([np.zeros(2, dtype=object)])) if holder is dict else \
        [np.zeros(2, dtype=object)]
    np.add.at(bufs[0], [0, 1, 0], np.asarray(d))
    assert [b.value for b in bufs[0]] == [4.0, 2.0]                 # 1 + 3, 2
    np.testing.assert_array_equal(bufs[0][0].partials, [1.0, 0.0, 1.0])
    ys = holder(enumerate([np.asarray(d)])) if holder is dict else [np.asarray(d)]
    with pytest.raises(TypeError, match="np.asarray returned for the dual array"):
        np.add.at(ys[0], [0], 1.0)                                  # the snapshot itself


def test_the_advised_write_into_x_itself_runs_and_matches_floats():
    """The .at refusal's first fix: write into x itself, reading x where f read y."""
    def advised(x):
        np.add.at(x, [0, 0, 2], 10.0)
        return x * x

    def refused(x):
        y = np.asarray(x)
        np.add.at(y, [0, 0, 2], 10.0)
        return y

    d = dg.Dual(np.array([1.0, 2.0, 3.0]), np.eye(3))
    # (outside a helper the function writing is named, not f: msg74)
    with pytest.raises(TypeError, match=r"reading x where refused read y \(y = "
                                        r"np.asarray\(x\) dropped"):
        refused(d)
    x0 = np.array([1.0, 2.0, 3.0])
    J = dg.jacobian(advised, x0)
    np.testing.assert_array_equal(J, np.diag(2 * (x0 + [20.0, 0.0, 10.0])))
