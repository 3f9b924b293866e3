"""The suite runs with numba loaded from its start, and once per engine.

dualgrad loads numba only once its kernels have had work enough to pay for the
load (dualgrad/backend/_loader.py); before that, large operations take the NumPy
path.  Loaded here, a test's path does not depend on which tests ran before it
(the kernel tests in tests/test_kernels.py and tests/test_fused.py expect the
kernels in ``auto`` mode).  tests/test_loader.py tests the unloaded process: in a
fresh one, and here with ``_loader.READY`` patched off.

README's test command runs the whole suite twice, ``DUALGRAD_ENGINE=fused`` then
``DUALGRAD_ENGINE=eager``.  The variable chooses only the engine in force outside
``dg.engine(...)`` blocks (dualgrad/backend/_fused.py: ``_DEFAULT``), and that
choice reaches the code through one place, ``_fused._update``: it turns deferral
(``ACTIVE[0]``, read as ``backend.FUSING``) on inside a helper call (``gradient``,
``jacobian``, ...) unless the engine is eager.  A test marked
``engine_independent`` never lets the variable decide: where it calls a helper
outside ``dg.engine(...)`` blocks of its own, nothing in that call reads the two
flags ``_update`` derived from the variable's engine (``ACTIVE``: defer now?, from
how many partials elements) -- a helper on scalar duals only, on users' jitted
code, or no helper at all (tests of duals outside helpers, tests that compare the
engines in blocks) -- or it runs helpers only in subprocesses that set or drop the
variable (those tests say so).  Such a test runs the same code in both halves
(until the first read of a flag the two halves' code is the same), so it runs in
one of them only, chosen by a hash of its id (about half of them in each).  Without
the variable, or with ``auto``, every test runs.  The marker is checked, not
trusted: while a helper call runs outside every block, the flags are wrapped in
objects that record each truth test or comparison (``_update`` is the one writer;
``_fused._engine`` is read elsewhere only on the deferring path, which a read of
``ACTIVE[0]`` opens), and a marked test fails if one was read (in this process; a
subprocess's code must be read).

The same criterion, sharpened, decides the rest by observation: the fused half
records, for every test, whether a read of the flags while it ran answered
otherwise than the eager engine's flags would have (or a process started), and the
eager half deselects the tests of the same tree that passed there with every read
agreeing, and does not collect a file whose every test did (tests/_halves.py, which
proves it sound).
"""

import contextlib
import gc
import os
import zlib

import pytest

import _halves
import _state

ENGINE = os.environ.get("DUALGRAD_ENGINE", "auto")
HALVES = ("fused", "eager")
TESTS = os.path.dirname(os.path.abspath(__file__))
RECORDER = []       # the first half's recorder (tests/_halves.py), where this process runs tests
WORKERS = []        # the lines the controller of -n gathered from its workers' records
FOLDER = []         # where the controller (or the one process) writes the run's record
CLEAN = []          # the second half's clean node ids, read once (:func:`_clean`)
WHOLE = []          # and the test files it does not collect


def half(nodeid):
    """The half (a ``DUALGRAD_ENGINE`` value) that runs the marked test ``nodeid``."""
    return HALVES[zlib.crc32(nodeid.encode()) % 2]


# The collector's thresholds in the suite's processes (gen 0, 1, 2; CPython's default is
# (700, 10, 10)): numba's compiles and pytest's collection allocate millions of objects
# that live, and a young collection every 700 of them, a full one every 70,000 (past
# the long-lived share), cost ~10 % of a cold fused half's CPU (bench/gc_time.py,
# fastci68).  Less often, not never: cycles are still broken, later.
GC_THRESHOLDS = (20_000, 20, 20)


def pytest_addoption(parser):
    parser.addoption(
        "--full", action="store_true", default=False,
        help="also run the tests marked slow (sweeps whose every code path the default run "
             "reaches with fewer cases; tests/conftest.py)")


def pytest_configure(config):
    gc.set_threshold(*GC_THRESHOLDS)
    config.addinivalue_line(
        "markers", "engine_independent: the test never lets DUALGRAD_ENGINE choose a path; "
        "it runs in one of README's two halves (tests/conftest.py)")
    config.addinivalue_line(
        "markers", "slow: a case of a sweep whose code paths the default run reaches with "
        "its other cases; run only with --full (tests/conftest.py)")
    config.addinivalue_line(
        "markers", "mp_dps(n): the test runs with mpmath at n significant digits "
        "(tests/conftest.py: _global_state_kept)")


def _full(config):
    """Whether the run takes the tests marked ``slow`` (``--full``)."""
    return bool(getattr(getattr(config, "option", None), "full", False))


def pytest_collection_modifyitems(config, items):
    """Deselects the tests marked ``slow`` unless the run says ``--full`` (in every
    run: README's halves, a file run alone), and, in README's halves, the marked tests
    of the other half and (in the second) the tests the first half saw clean: a
    deselected test costs nothing in a run, a skipped one ~1 ms of CPU (18,000 of them
    in README's two halves).  A slow test the first half left out is collected there,
    so its file is never whole (:func:`_halves.read`) and the second half deselects it
    here too."""
    if not _full(config):
        kept, slow = [], []
        for item in items:
            (kept if item.get_closest_marker("slow") is None else slow).append(item)
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = kept
    if ENGINE not in HALVES:
        return
    clean = _clean(config) if ENGINE == _halves.SECOND else ()
    kept, left = [], []
    for item in items:
        if item.get_closest_marker("engine_independent") is not None:
            runs = half(item.nodeid) == ENGINE
        else:
            runs = item.nodeid not in clean or _names_the_engine(item)
        (kept if runs else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def _names_the_engine(item):
    """Whether the test's own code, or code of its module it may run, names the engine
    (:func:`_halves.named_tests`): a module-level test function that does, or any test
    of a module that names it elsewhere."""
    named = _halves.named_tests(str(item.path))
    return named is None or getattr(item, "cls", True) is None and \
        getattr(item, "originalname", None) in named


def _clean(config):
    """The node ids the second half leaves out (:func:`_halves.read`), read once by
    the process that starts the run: every worker of ``-n`` gets the same set from
    the controller (:func:`pytest_configure_node`), since xdist fails a run whose
    workers collected different tests, and a first half may write its record while
    they collect.  The test files it does not collect, read with them, are
    :func:`_whole`'s."""
    if not CLEAN:
        given = getattr(config, "workerinput", {})
        if _halves.CLEAN_KEY in given:
            clean, whole = given[_halves.CLEAN_KEY], given.get(_halves.WHOLE_KEY, ())
        else:
            clean, whole = _halves.read(_halves.folder(TESTS))
        CLEAN.append(frozenset(clean))
        WHOLE.append(frozenset(whole))
    return CLEAN[0]


def _whole(config):
    """The test files that the second half does not collect (:func:`_clean`)."""
    if not WHOLE:
        if CLEAN:               # (a set given without its files: none)
            return frozenset()
        _clean(config)
    return WHOLE[0]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """The controller of ``-n`` hands each worker the second half's sets (xdist's hook)."""
    if ENGINE == _halves.SECOND:
        node.workerinput[_halves.CLEAN_KEY] = sorted(_clean(node.config))
        node.workerinput[_halves.WHOLE_KEY] = sorted(_whole(node.config))


def pytest_ignore_collect(collection_path, config):
    """The second half does not collect (import, parametrize) a test file whose every
    test the first half ran clean (:func:`_halves.read`), unless its code names the
    engine: each of its tests would be deselected."""
    if ENGINE != _halves.SECOND or collection_path.suffix != ".py":
        return None
    whole = _whole(config)
    if not whole:
        return None
    nodeid = collection_path.relative_to(config.rootpath).as_posix() \
        if collection_path.is_relative_to(config.rootpath) else None
    if nodeid in whole and not _halves.names_the_engine(str(collection_path)):
        return True
    return None


def pytest_itemcollected(item):
    """The first half counts each test file's tests as they are collected."""
    if RECORDER:
        RECORDER[0].collect(item.nodeid)


def pytest_sessionstart(session):
    """The first half records where tests run (in each worker of ``-n``, or in the one
    process without it); the record's folder is named by the tree as it starts."""
    if ENGINE != _halves.FIRST:
        return
    config = session.config
    worker = hasattr(config, "workerinput")
    if not worker:             # named by the tree as the run starts
        FOLDER.append(_halves.folder(TESTS))
    if worker or not config.pluginmanager.has_plugin("dsession"):
        RECORDER.append(_halves.Recorder())
        RECORDER[0].install()


@contextlib.contextmanager
def _phase(entry):
    if not RECORDER or entry is None:
        yield
        return
    RECORDER[0].push(entry)
    try:
        yield
    finally:
        RECORDER[0].pop()


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    with _phase(("collector", collector.nodeid)):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    with _phase(("fixture", fixturedef.argname) if fixturedef.scope != "function" else None):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    with _phase(("item", item.nodeid)):
        yield
    if RECORDER:
        RECORDER[0].ran.append((item.nodeid, tuple(item.fixturenames)))


def pytest_runtest_logreport(report):
    if RECORDER:
        RECORDER[0].report(report)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The controller of ``-n`` gathers each worker's record (xdist's hook)."""
    if ENGINE == _halves.FIRST:
        WORKERS.extend(getattr(node, "workeroutput", {}).get(_halves.WORKER_KEY, ()))


def pytest_sessionfinish(session):
    """The first half's record: a worker hands its lines to the controller, which
    (or the one process without ``-n``) writes this run's file (tests/_halves.py)."""
    if ENGINE != _halves.FIRST:
        return
    config = session.config
    lines = RECORDER[0].lines() if RECORDER and RECORDER[0].ran else []
    if hasattr(config, "workerinput"):
        config.workeroutput[_halves.WORKER_KEY] = lines
    elif FOLDER and (lines or WORKERS):
        _halves.write(FOLDER[0], lines + WORKERS)


@pytest.fixture(autouse=True, scope="session")
def _numba_loaded():
    """numba loaded before the first test; then what the session built so far, which
    lives for the whole run (the test modules, the libraries they import: numba, SciPy,
    JAX, ...; the collected items: 660,000 objects in a worker of README's command), is
    garbage collected and frozen out of the collector's reach (``gc.freeze``): each full
    collection while the tests run (the collector's own, and the tests'
    ``gc.collect()``) walks only the objects made since.  Nothing is kept alive that
    would have been freed: a frozen object is still freed when its last reference goes;
    only a reference cycle among frozen objects is never broken."""
    from dualgrad.backend import _loader
    _loader.load()
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _global_state_kept(request):
    """Each test runs at its own mpmath precision and leaves the process-wide state as
    it found it (tests/_state.py), or fails naming the state and the fix: a test that
    set ``mpmath.mp.prec = 80`` in its body (test_small71) left the next tests of its
    worker at 24 digits, and test_stats46's 50-digit oracles for ``log x - psi(a)`` at
    a = 1e10 read 1e-10 relative off: CI failed by the order xdist happened to give.
    The precision is the ``mp_dps`` marker's digits nearest the test (a file's
    ``pytestmark``), 50 without one (``_state.DEFAULT_DPS``): never what a file
    collected or a test run before left."""
    with _state.kept(request.node):
        yield


@pytest.fixture
def np_random_kept():
    """The legacy global generator's state put back after the test: for tests whose code
    draws from ``np.random.random`` / seeds ``np.random.seed`` as users' code does (the
    guard, ``_global_state_kept``, fails a test that leaves it moved)."""
    import numpy as np
    state = np.random.get_state()
    yield
    np.random.set_state(state)


@contextlib.contextmanager
def variable_engine_watched():
    """Yields a list that holds ``True`` once code read ``_fused.ACTIVE``'s flags while
    a helper call ran outside every ``dg.engine`` block (where the engine of
    ``DUALGRAD_ENGINE`` set them), whichever engine that is: the flags are
    :class:`_halves.Flag` objects there."""
    from dualgrad.backend import _fused
    seen = []
    real, active = _fused._update, _fused.ACTIVE

    def note():
        if not seen:
            seen.append(True)

    def watched():
        real()
        if _fused._depth > 0 and not _fused._BLOCKS:
            active[0], active[1] = _halves.Flag(active[0], note), _halves.Flag(active[1], note)
    _fused._update = watched
    try:
        yield seen
    finally:
        _fused._update = real
        for k in (0, 1):
            if type(active[k]) is _halves.Flag:
                active[k] = active[k].value


@pytest.fixture(autouse=True)
def _engine_independence_checked(request):
    """Fails a test marked ``engine_independent`` that let the variable decide."""
    if request.node.get_closest_marker("engine_independent") is None:
        yield
        return
    with variable_engine_watched() as seen:
        yield
    if seen:
        pytest.fail(f"{request.node.nodeid} is marked engine_independent, but a helper it "
                    "called outside a dg.engine block read whether to defer, which "
                    "DUALGRAD_ENGINE chooses there: remove the marker, or call the helper "
                    "in a dg.engine block (tests/conftest.py)", pytrace=False)


@pytest.fixture
def kernel_counts(monkeypatch):
    """Fused kernels compile at their first use, and the elementwise check's columns
    kernel's probe counts of each call are recorded (``None``: it did not run)."""
    import dualgrad as dg
    from dualgrad.backend import _fused, _loader
    _loader.load()
    monkeypatch.setattr(_fused, "COMPILE_AFTER", 1)
    monkeypatch.setattr(_fused, "COMPILE_TIMES", 1)
    monkeypatch.setattr(_fused, "MIN_WORK", 0)
    seen = []
    real = dg.backend.fused_columns

    def spy(*args):
        got = real(*args)
        seen.append(None if got is None else [int(c) for c in got[1]])
        return got
    monkeypatch.setattr(dg.backend, "fused_columns", spy)
    return seen


@pytest.fixture
def exact_cells_emptied():
    """The operators' cells of ``backend.exact2`` / ``exact1`` / ``exact_number`` /
    ``exact_row``'s kernels
    (``backend.exact_cell``, lean45: the operators call them without a Python call
    between) emptied, so that the next operation asks those functions again (a test that
    replaces their kernels by spies sees them run); afterwards each holds the kernel that
    those functions had made before, or nothing (made again on next use)."""
    from dualgrad.backend import _propagate
    made = _propagate._EXACT, _propagate._EXACT_NUMBER, _propagate._EXACT_ROW
    for cell in _propagate._EXACT_CELLS.values():
        cell[0] = None
    yield
    for key, cell in _propagate._EXACT_CELLS.items():
        cell[0] = _propagate.made_exact(key, made)


@pytest.fixture
def row_spy(monkeypatch, exact_cells_emptied):
    """The calls of the row kernels of a scalar dual with an array dual
    (``(ufunc, position of the scalar dual)``; ``backend.exact_row``, lean45: ``+ - * /``),
    their kernels remade through a spy into the emptied cells (test_small42, test_lean45,
    test_small46)."""
    from dualgrad.backend import _kernels, _propagate
    calls = []
    real = _kernels.small_row

    def small_row(ufunc, k):
        kernel = real(ufunc, k)

        def spy(*args):
            calls.append((ufunc, k))
            return kernel(*args)
        return spy
    monkeypatch.setattr(_kernels, "small_row", small_row)
    monkeypatch.setattr(_propagate, "_EXACT_ROW", {})
    return calls


@pytest.fixture
def default(monkeypatch):
    """Sets this process's default engine as ``DUALGRAD_ENGINE`` would, and back
    (test_conftest's and test_halves' watches)."""
    from dualgrad.backend import _fused

    def use(engine):
        monkeypatch.setattr(_fused, "_DEFAULT", engine)
        monkeypatch.setattr(_fused, "_engine", engine)
        _fused._update()
    yield use
    monkeypatch.undo()
    _fused._update()
