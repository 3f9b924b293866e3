"""The ``engine_independent`` marker of tests/conftest.py: the watch that checks it
sees a helper call under the variable's engine read the flags that engine set (and
nothing else: helpers in blocks, duals outside helpers, helpers that read no flag),
whichever engine that is, and each marked test runs in exactly one of the two
halves."""

import numpy as np
import pytest

import conftest
import dualgrad as dg
from dualgrad.backend import _fused


def _square(x):
    # (x * 2.0: an array dual times a number asks whether to defer under every engine;
    # x * x of a few elements no longer does, its exact kernel's tests first: stop 74)
    return np.sum(x * 2.0 * x) / 2.0


@pytest.mark.parametrize("engine", ["fused", "auto", "eager"])
def test_the_watch_sees_a_helper_under_the_variables_engine(default, engine):
    default(engine)
    with conftest.variable_engine_watched() as seen:
        dg.gradient(_square, np.ones(3))
    assert seen == [True]


@pytest.mark.parametrize("engine", ["fused", "auto", "eager"])
def test_the_watch_passes_engine_blocks_and_duals_outside_helpers(default, engine):
    default(engine)
    with conftest.variable_engine_watched() as seen:
        for name in ("eager", "fused", "auto"):
            with dg.engine(name):
                dg.gradient(_square, np.ones(3))
        np.sin(dg.Dual(np.ones(3), np.eye(3))) * 2.0
    assert seen == []


@pytest.mark.parametrize("engine", ["fused", "auto", "eager"])
def test_the_watch_passes_helpers_that_read_no_flag_and_sees_those_that_do(default, engine):
    """A derivative of scalar code never asks whether to defer (the variable's engine
    changes nothing there); one whose f makes an array dual does, and so does a
    helper seeding an array, in a block nested inside it too; the flags are plain
    again after each call and after the watch."""
    default(engine)
    with conftest.variable_engine_watched() as seen:
        assert dg.derivative(np.sin, 0.3) == np.cos(0.3)
        assert dg.derivative(lambda t: t * t * 3.0, 2.0) == 12.0
        assert type(_fused.ACTIVE[0]) is bool and type(_fused.ACTIVE[1]) is int
    assert seen == []
    for f in (lambda: dg.derivative(lambda t: np.sum(np.sin(t * np.ones(3)) * 2.0), 0.3),
              lambda: dg.hessian(lambda x: x[0] * x[1], np.array([1.0, 2.0])),
              lambda: dg.derivative(lambda t: dg.gradient(_square, t * np.ones(2))[0], 1.0)):
        with conftest.variable_engine_watched() as seen:
            f()
        assert seen == [True]
    with conftest.variable_engine_watched() as seen:
        def inner(t):
            with dg.engine(engine):
                g = dg.gradient(_square, np.ones(2))       # in a block: not counted
            return t * g[0]
        assert dg.derivative(inner, 1.0) == 2.0
        assert seen == []
        dg.derivative(lambda t: np.sin(inner(t) * np.ones(3)) * 2.0,
                      1.0)                                   # after the block: counted
        assert seen == [True]
    assert type(_fused.ACTIVE[0]) is bool and type(_fused.ACTIVE[1]) is int


class _Item:
    def __init__(self, nodeid, marked):
        self.nodeid, self.marked = nodeid, marked

    def get_closest_marker(self, name):
        return object() if self.marked and name == "engine_independent" else None


class _Config:
    def __init__(self):
        self.left = []
        self.hook = self

    def pytest_deselected(self, items):
        self.left.extend(items)


@pytest.mark.parametrize("engine", ["fused", "eager", "auto"])
def test_each_marked_test_runs_in_one_half(monkeypatch, engine):
    monkeypatch.setattr(conftest, "ENGINE", engine)
    monkeypatch.setattr(conftest, "CLEAN", [frozenset()])
    items = [_Item(f"tests/test_x.py::test_{k}", marked=k % 3 > 0) for k in range(40)]
    config, kept = _Config(), list(items)
    conftest.pytest_collection_modifyitems(config, kept)
    for item in items:
        left = engine != "auto" and item.marked and conftest.half(item.nodeid) != engine
        assert (item in config.left) == left and (item in kept) != left, item.nodeid
    halves = [conftest.half(i.nodeid) for i in items if i.marked]
    assert set(halves) == {"fused", "eager"}   # both halves take some


def test_the_collector_runs_at_the_suites_thresholds():
    """Each process of the suite collects cyclic garbage at conftest's thresholds, not
    CPython's (700, 10, 10): ~10 % of a cold fused half's CPU was the collector's
    (bench/gc_time.py, fastci68); and it still collects."""
    import gc
    assert gc.get_threshold() == conftest.GC_THRESHOLDS
    assert gc.isenabled() and conftest.GC_THRESHOLDS[0] > 700


class _Marked(_Item):
    def __init__(self, nodeid, marks):
        self.nodeid, self.marks = nodeid, marks

    def get_closest_marker(self, name):
        return object() if name in self.marks else None


class _Options:
    def __init__(self, full):
        self.full = full


@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("engine", ["fused", "eager", "auto"])
def test_slow_tests_run_only_with_full(monkeypatch, engine, full):
    """A test marked ``slow`` (a sweep's case whose paths the other cases reach) is
    deselected in every run, README's halves and a run without the variable, unless
    the run says ``--full``; then it runs where it would without the mark."""
    monkeypatch.setattr(conftest, "ENGINE", engine)
    monkeypatch.setattr(conftest, "CLEAN", [frozenset()])
    marks = [(), ("slow",), ("engine_independent",), ("slow", "engine_independent")]
    items = [_Marked(f"tests/test_x.py::test_{k}", marks[k % 4]) for k in range(40)]
    config, kept = _Config(), list(items)
    config.option = _Options(full)
    conftest.pytest_collection_modifyitems(config, kept)
    for item in items:
        other_half = engine != "auto" and "engine_independent" in item.marks and \
            conftest.half(item.nodeid) != engine
        left = other_half or ("slow" in item.marks and not full)
        assert (item in config.left) == left and (item in kept) != left, item.nodeid
    assert any("slow" in item.marks for item in kept) == full
