"""The in-place pass's unread-dual test in linear time (heat55).

``_fused._private_readers`` (whether every reader of a dual's pending node, up to the
root of ``a += d``'s graph, is an intermediate the pass consumes) scanned every node
of the graph for each node it reached, and ``_held_by`` counted a node's readers by
another scan of every kid: quadratic in the graph's nodes, ~8 us of the slicing heat
step's ~20 us of ``_unread`` (bench/heat_record.py).  Both now read one map from each
node to the positions of the nodes that read it (``_kid_readers``: positions and ids,
no reference to a node, whose reference counts the test reads).

Oracles: the previous quadratic walk (a copy below) on random graphs, node for node,
with reference counts and live handles varied; the slicing heat step against its
forward tangent written by hand, with ``lap`` still left unstored; and the number of
reads of the nodes' kids, linear (fails before: quadratic).
"""

import gc
import random
import sys
import weakref

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.backend import _fused
from dualgrad.backend._fused import Deferred, _Node
from _heat import heat, heat_tangent


def _old_private_readers(t, nodes):
    """The walk as it was before heat55 (the oracle: same decision, quadratic)."""
    root = nodes[-1]
    stack, seen = [t], set()
    while stack:
        x = stack.pop()
        for w in nodes:
            if w is root or id(w) in seen or not any(kid[2] is x for kid in w.kids):
                continue
            seen.add(id(w))
            readers = sum(1 for u in nodes if u.kids for kid in u.kids if kid[2] is w)
            if w.handle is not None and w.handle() is not None or \
                    sys.getrefcount(w) != 3 + readers:
                return False
            stack.append(w)
    return True


def _random_graph(rng, size, leaves):
    """A DAG of ``size`` nodes in evaluation order (kids before parents), each reading
    1-3 earlier nodes or leaves (sometimes the same one twice)."""
    nodes = []
    for j in range(size):
        kids = []
        for _ in range(rng.randint(1, 3)):
            if nodes and rng.random() < 0.7:
                t = nodes[rng.randrange(len(nodes))]
            else:
                t = leaves[rng.randrange(len(leaves))]
            kids.append((1.0, None, t, 0))
        if rng.random() < 0.15 and kids:
            kids.append(kids[0])
        nodes.append(_Node(kids, (3,), 2, 1))
        del kids, t
    return nodes


@pytest.mark.parametrize("seed", range(40))
def test_the_walk_decides_as_the_quadratic_one(seed):
    rng = random.Random(seed)
    leaves = [np.zeros((3, 2)) for _ in range(3)]
    nodes = _random_graph(rng, rng.randint(2, 20), leaves)
    held, extra = [], []
    for node in nodes[:-1]:
        r = rng.random()
        if r < 0.15:                        # a dual holds it: a live handle
            d = Deferred(node)
            held.append(d)
        elif r < 0.3:                       # something outside the graph reads it
            extra.append(node)
    node = d = None
    decisions = []
    for k in range(len(nodes) - 1):
        t = nodes[k]
        want = _old_private_readers(t, nodes)
        got = _fused._private_readers(t, nodes)
        assert got == want, (seed, k)
        if hasattr(_fused, "_kid_readers"):         # the map _held_by passes
            assert _fused._private_readers(t, nodes, _fused._kid_readers(nodes)) == want
        decisions.append(want)
    del t


def test_both_answers_occur():
    seen = set()
    for seed in range(40):
        rng = random.Random(seed)
        leaves = [np.zeros((3, 2)) for _ in range(3)]
        nodes = _random_graph(rng, rng.randint(2, 20), leaves)
        extra = [nodes[j] for j in range(len(nodes) - 1) if rng.random() < 0.2]
        for k in range(len(nodes) - 1):
            seen.add(_fused._private_readers(nodes[k], nodes))
        del extra
    assert seen == {True, False}


def test_an_outside_reference_or_a_held_reader_says_no():
    leaf = np.zeros((3, 2))
    a = _Node([(1.0, None, leaf, 0)], (3,), 2, 1)
    b = _Node([(2.0, None, a, 0)], (3,), 2, 2)
    c = _Node([(1.0, None, b, 0), (1.0, None, leaf, 0)], (3,), 2, 3)
    root = _Node([(1.0, None, c, 0), (-1.0, None, c, 0)], (3,), 2, 4)
    nodes = [a, b, c, root]
    del b, c, root                          # (a: the node asked about; the others only
    assert _fused._private_readers(a, nodes) is True    # in the graph)
    kept = [nodes[2]]                       # c read from outside the graph
    assert _fused._private_readers(a, nodes) is False
    assert _old_private_readers(a, nodes) is False
    del kept
    assert _fused._private_readers(a, nodes) is True
    d = Deferred(nodes[1])                  # b held by a dual
    assert _fused._private_readers(a, nodes) is False
    del d
    gc.collect()
    assert _fused._private_readers(a, nodes) is True


_READS = [0]


class _Counting(_Node):
    """A node counting the reads of its kids."""

    __slots__ = ()

    @property
    def kids(self):
        _READS[0] += 1
        return _Node.kids.__get__(self)

    @kids.setter
    def kids(self, value):
        _Node.kids.__set__(self, value)


def test_the_walk_reads_each_node_a_bounded_number_of_times():
    leaf = np.zeros((3, 2))
    nodes, last = [], leaf
    for j in range(20):                     # a chain: each node reads the one before
        last = _Counting([(1.0, None, last, 0)], (3,), 2, j + 1)
        nodes.append(last)
    del last
    _READS[0] = 0
    assert _fused._private_readers(nodes[0], nodes) is True
    assert _READS[0] <= 3 * len(nodes), _READS[0]      # was ~2 * 20 ** 2


@pytest.mark.parametrize("engine", ["fused", "auto"])
def test_the_slicing_heat_step_still_leaves_lap_unstored(engine, monkeypatch):
    if not _fused._SNAPSHOT_LOCALS:
        pytest.skip("the unread test runs on CPython 3.11 only")
    p = np.array([0.4, 0.8, 0.1, 1.5])
    n, steps = 6000, 30
    dropped, held_by = [], _fused._held_by

    def recording(*args):
        got = held_by(*args)
        dropped.append(sorted(got.values()))
        return got
    monkeypatch.setattr(_fused, "_held_by", recording)
    with dg.engine(engine):
        J = dg.jacobian(lambda q: heat(q, n, steps), p)
    S = heat_tangent(p, n, steps)
    scale = np.abs(S).max(axis=0)
    assert np.all(np.abs(J - S) <= 1e-11 * scale)
    assert len(dropped) == steps and all(names == ["lap"] for names in dropped), dropped
