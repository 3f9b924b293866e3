"""tests/_halves.py: the first half of README's command records which tests read the
engine's flags (or started a process), the second half skips only the others.

The record is held to what it must see: a helper on an array under the variable's
engine, a module-scoped fixture or a module's import that does, a process started
(each a test that must run in both halves), against a scalar helper and a helper in
a ``dg.engine`` block (the same code in both halves); and, end to end, README's two
halves on a small suite in a fresh folder."""

import ast
import os
import re
import shutil
import subprocess
import sys
import uuid

import numpy as np
import pytest

import _halves
import dualgrad as dg
from dualgrad.backend import _fused


def _square(x):
    # (x * 2.0: an array dual times a number defers under ``fused`` at every size; x * x
    # of a few elements takes its exact kernel under every engine, reading no flag)
    return np.sum(x * 2.0 * x) / 2.0


@pytest.fixture
def recorder(tmp_path):
    r = _halves.Recorder()
    r.install()
    yield r
    r.uninstall()


@pytest.mark.parametrize("engine, dirty", [
    ("fused", {("item", "array")}),     # deferring (ACTIVE[0]: True, the eager half's False)
    ("eager", set()),                   # the eager half's own answers
])
def test_a_helper_on_an_array_is_recorded_where_it_reads_what_eager_would_not(
        recorder, default, engine, dirty):
    """A scalar helper reads no flag, a helper in a ``dg.engine`` block reads the block's
    (the same in both halves); a helper on an array under the variable's engine is
    recorded where a flag it read answered otherwise than the eager engine's would."""
    default(engine)
    recorder.push(("item", "array"))
    got = dg.gradient(_square, np.array([1.0, 2.0, 3.0]))
    recorder.pop()
    recorder.push(("item", "scalar and block"))
    assert dg.derivative(np.sin, 0.3) == np.cos(0.3)
    with dg.engine("eager" if engine == "fused" else "fused"):
        inner = dg.gradient(_square, np.array([1.0, 2.0, 3.0]))
    recorder.pop()
    np.testing.assert_array_equal(got, [2.0, 4.0, 6.0])      # the watched flags answer
    np.testing.assert_array_equal(inner, [2.0, 4.0, 6.0])    # as the plain ones do
    assert recorder.dirty == dirty and not recorder.everything
    recorder.uninstall()                # (the fused half's own recorder may have its own)
    assert not any(type(flag) is _halves.Flag and flag.note == recorder.mark
                   for flag in _fused.ACTIVE)


@pytest.mark.parametrize("engine", ["fused", "auto"])
def test_a_read_that_agrees_with_the_eager_engines_is_not_recorded_one_that_differs_is(
        recorder, default, monkeypatch, engine):
    """Each read in a helper call is judged by its answer: the eager engine's flags are
    what ``_update`` sets with the engine eager (deferral off, from ``MIN_WORK``
    elements, here 5), so under ``fused`` (deferring from 0 elements) ``10 < from``
    agrees (both False) and ``3 < from`` differs; under ``auto`` (from ``MIN_WORK``, as
    eager) every size read agrees and whether it defers does not."""
    monkeypatch.setattr(_fused, "MIN_WORK", 5)
    default(engine)
    active = _fused.ACTIVE
    reads = {
        "large size": lambda: 10 < active[1] or active[1] > 10 or not active[1] <= 10,
        "at eager's": lambda: active[1] >= 6 or active[1] == 6 or active[1] != 6,
        "small size": lambda: 3 < active[1],
        "small size (numpy)": lambda: np.int64(3) < active[1],
        "defer?": lambda: bool(active[0]),
    }
    answers = {}
    for name, read in reads.items():
        _fused.begin()
        recorder.push(("item", name))
        try:
            answers[name] = read()
        finally:
            recorder.pop()
            _fused.end()
    fused = engine == "fused"
    assert answers == {"large size": False, "at eager's": True, "small size": not fused,
                       "small size (numpy)": not fused, "defer?": True}
    assert recorder.dirty == {("item", "defer?")} | (
        {("item", "small size"), ("item", "small size (numpy)")} if fused else set())
    assert not recorder.everything


def test_a_users_read_of_concrete_partials_is_followed_not_recorded(recorder, default):
    """np.quantile on an array dual reads its ``partials`` from outside dualgrad (stop
    72's record: test_quant43's 144 tied-means cases read nothing else that differed):
    under ``fused`` the property calls ``_fused.read`` where the eager half returns the
    array, and that read, nothing pending, only turns deferral off (tests/_halves.py's
    :func:`_exposure`): the test is not recorded, and the reads were met.  The gradient
    is NumPy's linear interpolation's: sorted [1, 2, 3, 5], position 0.4 * 3 = 1.2."""
    default("fused")
    recorder.push(("item", "quantile"))
    got = dg.gradient(lambda a: np.quantile(a, 0.4), np.array([3.0, 1.0, 2.0, 5.0]))
    recorder.pop()
    t = 0.4 * 3 - 1
    np.testing.assert_allclose(got, [t, 0.0, 1 - t, 0.0], rtol=1e-12, atol=0)
    assert recorder.dirty == set() and not recorder.everything
    assert recorder.exposures > 0


@pytest.mark.parametrize("pending", [False, True])
def test_a_read_of_partials_with_work_pending_is_recorded(recorder, default, pending):
    """The same read with work pending would materialize it (``flush``): the first half
    ran other statements than the eager half, so the test is recorded; with nothing
    pending it is not (and the array read is the dual's own, as in the eager half)."""
    from dualgrad.dual import make_array, new_tag
    default("fused")
    p = np.eye(3)
    x = make_array(np.arange(3.0), p, new_tag())
    _fused.begin()
    recorder.push(("item", "read"))
    try:
        if pending:
            _fused.PENDING.append(lambda: None)     # (a dead reference: flush drops it)
        got = x.partials
    finally:
        recorder.pop()
        _fused.end()
    assert got is p and not _fused.PENDING
    assert recorder.dirty == ({("item", "read")} if pending else set())
    assert recorder.exposures == (2 if pending else 3)


_D = np.array([3.0, 1.0, 2.5, 5.0, 0.0, 4.0])
_C = np.array([1.0, -2.0, 3.0])
_X = np.array([1.0, 2.0, 3.0])
_P = np.array([0.3, 0.5])
# Each a read of the deferral flag that came before the tests that decline to defer
# (stop 73's record, 955 tests of seven files), now read after them; the oracle: the
# derivative by hand.
DECLINED = {
    # dispatch's call_ufunc: two scalar duals (np.quantile's order statistic: the
    # inverted CDF at 0.4 of six values is the third smallest, 2.5 at index 2)
    "scalar duals": (lambda: dg.gradient(
        lambda a: np.quantile(a, 0.4, method="inverted_cdf"), _D), np.eye(6)[2]),
    # ArrayDual.__array_ufunc__ (c * u) and the exact operators (u * c, u * u): the
    # partials concrete, so no deferred operand
    "plain array first": (lambda: dg.gradient(lambda x: np.sum(_C * x), _X), _C),
    "plain array second": (lambda: dg.gradient(lambda x: np.sum(x * _C), _X), _C),
    "two array duals": (lambda: dg.gradient(lambda x: np.sum(x * x), _X), 2.0 * _X),
    # dispatch's _array_partials: a result that is not a float64 array (np.sum of a
    # scalar dual at the Hessian's inner level); d2/dx dy sin(x + y) = -sin(x + y)
    "scalar result": (lambda: dg.hessian(lambda x: np.sum(np.sin(x[0] + x[1])), _P),
                      np.full((2, 2), -np.sin(0.8))),
    # _fused.read: dualgrad's own reader (np.atleast_1d of a nested scalar dual)
    "dualgrad's reader": (lambda: dg.hessian(lambda x: np.atleast_1d(x[0] * x[1])[0], _P),
                          np.array([[0.0, 1.0], [1.0, 0.0]])),
}


@pytest.mark.parametrize("case", sorted(DECLINED))
def test_a_path_that_declines_to_defer_before_reading_the_flag_is_not_recorded(
        recorder, default, case):
    """Under ``fused`` these helpers take the eager half's statements (nothing is
    deferred: small concrete partials, a scalar result, a reader inside dualgrad), and
    the deferral flag is read only after the tests that send them there, which
    compute nothing: the first half reads nothing that differs, and the test is left
    to it (on stop 73's tree each read the flag first and was recorded)."""
    default("fused")
    f, want = DECLINED[case]
    recorder.push(("item", case))
    got = f()
    recorder.pop()
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-15, atol=0)
    assert recorder.dirty == set() and not recorder.everything


# The code tests/_halves.py's :func:`_exposure` follows through (its docstring): an edit
# to either function must be read against that argument, and this text updated with it.
EXPOSURE_CODE = {
    "partials": """
if ELEMENTS and not _ours(sys._getframe(1)):
    _elements_exposed()
p = self._p
if type(p) is _nd and (not _ACTIVE[0] or p.size < _ACTIVE[1]):
    return p
return backend.read_partials(self, sys._getframe(1))
""",
    "read": """
global _exposed
name = frame.f_globals.get("__name__", "")
if not (name == "dualgrad" or name.startswith("dualgrad.")) and ACTIVE[0]:
    flush()
    with _lock:
        _exposed = True
        _update()
p = dual._p
if type(p) is Deferred:
    p = dual._p = concrete(p)
return p
""",
    "flush": """
if not PENDING:
    return
with _lock:
    refs = PENDING[:]
    del PENDING[:]
    for ref in refs:
        d = ref()
        if d is not None and _pending(d.node):
            materialize(d.node)
""",
}


def _body(function):
    import inspect
    import textwrap
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    body = tree.body[0].body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return [ast.dump(node) for node in body]


def test_the_exposure_reads_are_in_the_code_the_record_follows():
    """:func:`_halves._exposure` lets a differing read pass in ``ArrayDual.partials``
    and ``_fused.read`` by what their code does next: that code is pinned here, the
    property is ``read``'s only caller (``backend.read_partials``), ``_exposed`` is read
    by ``_update`` alone, and the eager engine's flags do not depend on it."""
    from dualgrad import backend
    from dualgrad.dual import _array
    for name, function in (("partials", _array.ArrayDual.partials.fget),
                           ("read", _fused.read), ("flush", _fused.flush)):
        assert _body(function) == [ast.dump(node) for node in ast.parse(
            EXPOSURE_CODE[name]).body], f"{name}: read tests/_halves.py's _exposure again"
    assert backend.read_partials is _fused.read
    root = os.path.dirname(os.path.abspath(dg.__file__))
    readers, exposed = [], []
    for folder, dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    tree = ast.parse(f.read())
                for node in ast.walk(tree):
                    word = node.id if isinstance(node, ast.Name) else \
                        node.attr if isinstance(node, ast.Attribute) else None
                    if isinstance(node, ast.Call) and word is None:
                        func = node.func
                        if (func.id if isinstance(func, ast.Name) else getattr(
                                func, "attr", None)) == "read_partials" or \
                                isinstance(func, ast.Attribute) and func.attr == "read" and \
                                isinstance(func.value, ast.Name) and func.value.id == "_fused":
                            readers.append(name)
                    if word == "_exposed" or isinstance(node, ast.Global) and \
                            "_exposed" in node.names:
                        exposed.append(name)
    assert readers == ["_array.py"], readers
    assert set(exposed) == {"_fused.py"}
    writer = _fused._update
    writer = getattr(getattr(writer, "__self__", None), "_writer", writer)
    loads = [node for node in ast.walk(ast.parse(_body_source(writer)))
             if isinstance(node, ast.Name) and node.id == "_exposed"]
    assert len(loads) == 1
    r = _halves.Recorder()
    r._writer = writer
    with dg.engine("fused"):
        _fused.begin()
        try:
            seen = set()
            for exposed_now in (False, True):
                old, _fused._exposed = _fused._exposed, exposed_now
                try:
                    seen.add(r.eager(_fused))
                finally:
                    _fused._exposed = old
        finally:
            _fused.end()
    assert seen == {(False, _fused.MIN_WORK)}


def _body_source(function):
    import inspect
    import textwrap
    return textwrap.dedent(inspect.getsource(function))


def test_a_flag_answers_only_what_it_can_judge():
    """A flag used in any other way raises (the test fails, and runs again in the
    second half); an answer that is not one truth value is taken as differing."""
    noted = []
    flag = _halves.Flag(0, lambda: noted.append(1), 16384)
    for use in (lambda: flag + 1, lambda: int(flag), lambda: [0][flag], lambda: hash(flag)):
        with pytest.raises(TypeError):
            use()
    assert not noted
    assert (flag < np.array([1, 2])).tolist() == [True, True] and noted == [1]
    every = _halves.Flag(False, lambda: noted.append(2))      # conftest's watch: each read
    assert not every and noted == [1, 2]


def _fork():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


@pytest.mark.parametrize("start", [
    lambda: subprocess.run([sys.executable, "-c", "pass"], check=True),
    lambda: os.system("true"),
    _fork,
    lambda: os.waitpid(os.posix_spawn("/bin/true", ["true"], {}), 0),
], ids=["subprocess", "system", "fork", "posix_spawn"])
def test_starting_a_process_is_recorded(recorder, start):
    recorder.push(("item", "child"))
    start()
    recorder.pop()
    assert recorder.dirty == {("item", "child")}
    recorder.push(("item", "none"))
    recorder.pop()
    assert ("item", "none") not in recorder.dirty


def test_the_system_tools_ctypes_finds_libraries_with_are_not_recorded(recorder):
    """``ctypes.util.find_library`` starts ``ldconfig -p`` (or gcc, ld, objdump): no
    Python, no variable read, so no test is dirty for it (dualgrad's
    ``_numpy_loops`` asks it for libm at import)."""
    import ctypes.util
    spawned = []
    real = subprocess._fork_exec                   # (the recorder's watch)

    def counted(*args, **kwargs):
        spawned.append(1)
        return real(*args, **kwargs)
    subprocess._fork_exec = counted
    try:
        recorder.push(("item", "libm"))
        ctypes.util.find_library("m")
        recorder.pop()
    finally:
        subprocess._fork_exec = real
    assert spawned                                 # a process was started
    assert recorder.dirty == set() and not recorder.everything
    recorder.push(("item", "python"))
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    recorder.pop()
    assert recorder.dirty == {("item", "python")}


class _Report:
    def __init__(self, nodeid, outcome, **more):
        self.nodeid, self.outcome = nodeid, outcome
        self.__dict__.update(more)


def test_the_record_keeps_clean_only_what_passed_and_read_nothing(tmp_path):
    path = str(tmp_path / "record")
    one = _halves.Recorder()
    one.ran = [("t/a.py::clean", ("x",)), ("t/a.py::read", ()), ("t/a.py::uses_f", ("f",)),
               ("t/a.py::failed", ()), ("t/a.py::xfailed", ()), ("t/b.py::imported", ()),
               ("t/b.py::C::m", ()), ("t/bb.py::other", ()), ("t/a.py::elsewhere", ())]
    one.dirty = {("item", "t/a.py::read"), ("fixture", "f"), ("collector", "t/b.py")}
    one.report(_Report("t/a.py::failed", "failed"))
    one.report(_Report("t/a.py::xfailed", "skipped", wasxfail=""))
    one.report(_Report("t/a.py::clean", "passed"))
    two = _halves.Recorder()
    two.ran = [("t/a.py::elsewhere", ())]
    two.dirty = {("item", "t/a.py::elsewhere")}      # dirty in another worker's run
    _halves.write(path, one.lines() + two.lines())
    assert _halves.clean_tests(path) == {"t/a.py::clean", "t/bb.py::other"}
    three = _halves.Recorder()
    three.ran = [("t/c.py::d", ())]
    three.everything = True                          # a read outside every phase
    _halves.write(path, three.lines())
    assert _halves.clean_tests(path) == set()
    assert _halves.clean_tests(str(tmp_path / "none")) == set()


def test_a_file_goes_uncollected_only_where_its_every_test_ran_clean(tmp_path):
    """A file is whole where every record that counted its tests counted as many and
    that many are clean: a test collected but not run there (a marked one of the
    second half), a dirty, failed or skipped one, or counts that differ, keep it."""
    path = str(tmp_path / "record")
    tests = {"t/a.py": ["x", "y"], "t/b.py": ["x", "y", "marked"], "t/c.py": ["x", "y"],
             "t/d.py": ["x"], "t/e.py": ["x"], "t/f.py": ["x"]}
    workers = [_halves.Recorder(), _halves.Recorder()]
    for r in workers:                   # -n 2: each worker collects every test
        for file, names in tests.items():
            for name in names:
                r.collect(f"{file}::{name}")
    runs = [(f"{file}::{name}", ()) for file, names in tests.items() for name in names
            if name != "marked"]
    workers[0].ran, workers[1].ran = runs[::2], runs[1::2]
    for r in workers:
        r.dirty = {("item", "t/c.py::y")}
        r.report(_Report("t/d.py::x", "skipped"))
    _halves.write(path, workers[0].lines() + workers[1].lines())
    assert "file 3 t/b.py\n" in workers[0].lines()
    clean, whole = _halves.read(path)
    assert clean == {"t/a.py::x", "t/a.py::y", "t/b.py::x", "t/b.py::y", "t/c.py::x",
                     "t/e.py::x", "t/f.py::x"} == _halves.clean_tests(path)
    assert whole == {"t/a.py", "t/e.py", "t/f.py"}
    other = _halves.Recorder()          # another first half: e.py collected two tests
    other.collect("t/e.py::x")
    other.collect("t/e.py::z")
    other.ran = [("t/e.py::x", ())]
    _halves.write(path, other.lines())
    assert _halves.read(path)[1] == {"t/a.py", "t/f.py"}
    everything = _halves.Recorder()
    everything.ran, everything.everything = [("t/g.py::x", ())], True
    _halves.write(path, everything.lines())
    assert _halves.read(path) == (set(), set())


def test_the_eager_flags_are_computed_by_updates_own_code():
    """:meth:`_halves.Recorder.eager` runs ``_update``'s code on a copy of the globals
    it names: that is ``_update`` itself only while it reads values, not functions
    (which would read the module's own ``_engine``), and has no closure."""
    writer = _fused._update             # (in the first half, its recorder's writer)
    writer = getattr(getattr(writer, "__self__", None), "_writer", writer)
    assert writer.__module__ == _fused.__name__ and writer.__name__ == "_update"
    code = writer.__code__
    assert not code.co_freevars and writer.__closure__ is None
    called = [name for name in code.co_names if callable(vars(_fused).get(name))]
    assert called == []
    r = _halves.Recorder()
    r._writer = writer
    with dg.engine("fused"):
        assert r.eager(_fused) == (False, _fused.MIN_WORK)
        assert _fused.current() == "fused"


FLAGS = {"ACTIVE", "FUSING", "DEFERRING", "_ACTIVE", "_FUSING"}
JUDGED = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)     # (not ``is``, ``in``)


def _parents(tree):
    up = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            up[child] = node
    return up


def test_dualgrad_reads_what_the_variable_chose_only_where_the_record_sees_it():
    """The premise of tests/_halves.py's argument, in dualgrad's code: the flags
    (``_fused.ACTIVE`` and its other names) are read only by a subscript in a truth
    test or a comparison (what a :class:`_halves.Flag` judges), or named whole only to
    alias them; ``_fused._engine`` / ``_DEFAULT`` are read outside ``_update``,
    ``engine``, ``current`` and the import's check of the name only in ``== "auto"``
    (False in both halves), and nothing in dualgrad calls ``current()``."""
    root = os.path.dirname(os.path.abspath(dg.__file__))
    wrong = []
    for folder, dirs, files in os.walk(root):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
            up = _parents(tree)
            where = os.path.relpath(path, root)
            for node in ast.walk(tree):
                word = node.id if isinstance(node, ast.Name) else \
                    node.attr if isinstance(node, ast.Attribute) else None
                if word is None or not isinstance(node.ctx, ast.Load):
                    continue
                parent = up[node]
                if word in FLAGS:
                    if isinstance(parent, ast.Subscript) and parent.value is node:
                        if isinstance(up[parent], ast.Assign) and parent in up[parent].targets:
                            continue
                        judged = up[parent]
                        if isinstance(judged, ast.BoolOp) or isinstance(judged, ast.Compare) \
                                and all(isinstance(op, JUDGED) for op in judged.ops) or \
                                isinstance(judged, ast.UnaryOp) and isinstance(judged.op, ast.Not) \
                                or isinstance(judged, (ast.If, ast.IfExp, ast.While, ast.Assert)) \
                                and judged.test is parent:
                            continue
                    elif isinstance(parent, ast.Assign) and parent.value is node and all(
                            isinstance(t, ast.Name) and t.id in FLAGS for t in parent.targets):
                        continue
                    wrong.append(f"{where}:{node.lineno}: {word}")
                elif word in ("_engine", "_DEFAULT") or word == "current" and \
                        isinstance(parent, ast.Call) and parent.func is node:
                    function = parent
                    while function is not None and not isinstance(function, ast.FunctionDef):
                        function = up.get(function)
                    if where == os.path.join("backend", "_fused.py") and (
                            function is None or function.name in ("_update", "engine", "current")):
                        continue                # (None: the import's check of the name)
                    if word != "current" and isinstance(parent, ast.Compare) and \
                            len(parent.ops) == 1 and isinstance(parent.ops[0], (ast.Eq, ast.NotEq)) \
                            and {type(c) for c in (parent.left, *parent.comparators)} == \
                            {type(node), ast.Constant} and "auto" in \
                            [c.value for c in (parent.left, *parent.comparators)
                             if isinstance(c, ast.Constant)]:
                        continue
                    wrong.append(f"{where}:{node.lineno}: {word}")
    assert wrong == [], "\n".join(wrong)


def test_first_halves_keep_each_others_records(tmp_path, monkeypatch):
    """Each run writes a file of its own; a test dirty in any record runs; the newest
    KEEP records stay; a record removed while the second half reads: nothing skipped."""
    path = str(tmp_path / "record")
    monkeypatch.setattr(_halves, "KEEP", 3)
    for k in range(5):
        run = _halves.Recorder()
        run.ran = [(f"t/a.py::run{k}", ()), ("t/a.py::shared", ())]
        if k == 4:
            run.dirty = {("item", "t/a.py::shared")}
        _halves.write(path, run.lines())
    assert len(os.listdir(path)) == 3
    assert _halves.clean_tests(path) == {"t/a.py::run2", "t/a.py::run3", "t/a.py::run4"}
    listed = os.listdir(path) + ["00000000000000000000-1.txt"]     # gone once listed
    monkeypatch.setattr(os, "listdir", lambda p: listed)
    assert _halves.clean_tests(path) == set()


@pytest.mark.parametrize("code, named", [
    ('"""Runs under DUALGRAD_ENGINE=eager too."""\n# tests/conftest.py splits it\n'
     'def small_engine(by_engine=None):\n    """Not _fused.current()."""\n', False),
    ("import os\nWHICH = os.environ['DUALGRAD_ENGINE']\n", True),
    ("from dualgrad.backend._fused import current as now\n", True),
    ("from dualgrad.backend import _fused\nWAS = _fused._DEFAULT\n", True),
    ("import conftest\n", True),
    ("CODE = 'import dualgrad.backend._fused as f; print(f.current())'\n", True),
    ('"""\n>>> import os; os.environ["DUALGRAD_ENGINE"]\n"""\n', True),
    ("def f(:\n", True),
], ids=["comments-docstrings-names", "environ", "current", "_DEFAULT", "conftest", "child",
        "doctest", "unparsed"])
def test_a_module_names_the_engine_in_its_code_not_its_comments(tmp_path, code, named):
    path = tmp_path / "test_m.py"
    path.write_text(code)
    assert _halves.names_the_engine(str(path), {}) is named


_HELPER = "def _engine_now():\n    return _fused.current()\n\n\n"
_TESTS = "def test_a():\n    assert _fused.current()\n\n\ndef test_b():\n    pass\n"


@pytest.mark.parametrize("code, named", [
    (_TESTS, {"test_a"}),
    ("import os\n\n\ndef test_c():\n    os.environ['DUALGRAD_ENGINE']\n\n\n"
     "class TestD:\n    def test_c(self):\n        pass\n", {"test_c"}),
    ("def test_b():\n    pass\n", set()),
    ("from dualgrad.backend._fused import current\n" + _TESTS, None),
    (_HELPER + _TESTS, None),
    ("import pytest\n\n\n@pytest.fixture\ndef f():\n    return _fused.ACTIVE\n\n\n"
     + _TESTS, None),
    ("class TestE:\n    def test_e(self):\n        assert _fused.current()\n", None),
    (_TESTS + "\n\ndef test_f():\n    test_a()\n", None),
    ("def test_g():\n    global X\n    X = _fused.current()\n", None),
    ("WHICH = 'DUALGRAD_ENGINE'\n\n\ndef test_h():\n    pass\n", None),
    ("def test_i(:\n", None),
], ids=["own", "own-class-apart", "none", "import", "helper", "fixture", "class", "called",
        "global", "constant", "unparsed"])
def test_a_test_function_names_the_engine_alone_only_where_nothing_else_can_run_it(
        tmp_path, code, named):
    """The second half keeps a module's every test where the module names the engine
    outside its test functions; where only test functions do, it keeps those."""
    path = tmp_path / "test_m.py"
    path.write_text(code)
    got = _halves.named_tests(str(path), {})
    assert got == (None if named is None else frozenset(named))
    assert _halves.names_the_engine(str(path), {}) is (named != set())


def test_the_record_is_named_by_the_tree(tmp_path, monkeypatch):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text("def test_a():\n    pass\n")
    first = _halves.key(tests)
    assert _halves.key(tests) == first
    monkeypatch.setenv("DUALGRAD_ENGINE", "eager")
    assert _halves.key(tests) == first               # the two halves share it
    (tests / "__pycache__").mkdir()
    (tests / "__pycache__" / "x.nbi").write_text("compiled")
    assert _halves.key(tests) == first
    monkeypatch.setenv("NUMBA_OPT", "0")
    assert _halves.key(tests) != first
    monkeypatch.delenv("NUMBA_OPT")
    (tests / "test_a.py").write_text("def test_a():\n    assert 1\n")
    assert _halves.key(tests) != first


_SUITE = '''
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import dualgrad as dg


def square(x):
    return np.sum(x * 2.0 * x) / 2.0


@pytest.fixture(scope="module")
def wide():
    return dg.gradient(square, np.ones(3))


def test_array():
    assert (dg.gradient(square, np.ones(3)) == 2.0).all()


def test_scalar():
    assert dg.derivative(np.sin, 0.0) == 1.0


def test_block():
    with dg.engine("eager"):
        assert (dg.gradient(square, np.ones(3)) == 2.0).all()


def test_fixture(wide):
    assert (wide == 2.0).all()


def test_process():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def test_failed_first():
    seen = pathlib.Path.cwd() / "seen"          # (outside tests/, whose files name the record)
    first = not seen.exists()
    seen.touch()
    assert not first

'''

_IMPORTED = '''
import numpy as np

import dualgrad as dg

AT_IMPORT = dg.gradient(lambda x: np.sum(x * 2.0 * x) / 2.0, np.ones(3))


def test_reads_nothing_itself():
    assert (AT_IMPORT == 2.0).all()
'''

_NAMED = '''
import os

import dualgrad as dg


def test_names_the_variable():
    assert os.environ["DUALGRAD_ENGINE"] in ("fused", "eager")
    assert dg.derivative(lambda t: t * t, 3.0) == 6.0


def test_beside_it():
    assert dg.derivative(lambda t: t * t, 2.0) == 4.0
'''

_WHOLE = '''
import os
import pathlib

import dualgrad as dg

(pathlib.Path.cwd() / f"collected-{os.getpid()}").touch()


def test_whole():
    assert dg.derivative(lambda t: t * t, 3.0) == 6.0
'''

_MEANWHILE = '''
import os
import pathlib
import subprocess
import sys

import pytest


def test_second_half_meanwhile():
    if "MEANWHILE" not in os.environ:
        pytest.skip("run alone by test_halves' end-to-end test")
    env = dict(os.environ, DUALGRAD_ENGINE="eager")
    del env["MEANWHILE"]
    run = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider",
                          "-n", "2", "tests", "-k", "not meanwhile"],
                         env=env, capture_output=True, text=True, timeout=300)
    (pathlib.Path.cwd() / "meanwhile").write_text(run.stdout)
'''


def _outcomes(stdout):
    """Test name -> outcome in ``pytest -v``'s lines, with ``-n`` or without."""
    return dict(re.findall(r"^tests/\S+::(\w+) (PASSED|FAILED|SKIPPED)", stdout, re.M)) | \
        {name: got for got, name in re.findall(r"(PASSED|FAILED|SKIPPED) tests/\S+::(\w+)", stdout)}


@pytest.mark.engine_independent
def test_readmes_two_halves_leave_out_only_what_read_nothing(tmp_path):
    """Runs helpers only in child processes that set the variable themselves: README's
    first half with ``-n 2``, then another first half of the same tree, which runs the
    second half (``-n 2``: the controller hands its workers one set, and the files it
    does not collect) while it runs (the first's record is still there, not cleared)."""
    here = os.path.dirname(os.path.abspath(__file__))
    tests = tmp_path / "tests"
    tests.mkdir()
    for name in ("conftest.py", "_halves.py", "_state.py"):
        shutil.copy(os.path.join(here, name), tests / name)
    (tests / "test_m.py").write_text(f"# {uuid.uuid4().hex}\n" + _SUITE)
    (tests / "test_imported.py").write_text(_IMPORTED)
    (tests / "test_named.py").write_text(_NAMED)
    (tests / "test_meanwhile.py").write_text(_MEANWHILE)
    (tests / "test_whole.py").write_text(_WHOLE)
    root = os.path.dirname(os.path.dirname(os.path.abspath(dg.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    env.pop("MEANWHILE", None)
    pytest_v = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider"]
    env["DUALGRAD_ENGINE"] = "fused"
    run = subprocess.run(pytest_v + ["-n", "2", "tests"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    everything = {"test_array", "test_scalar", "test_block", "test_fixture", "test_process",
                  "test_failed_first", "test_reads_nothing_itself", "test_names_the_variable",
                  "test_whole", "test_beside_it"}
    assert _outcomes(run.stdout) == dict.fromkeys(everything, "PASSED") | \
        {"test_failed_first": "FAILED", "test_second_half_meanwhile": "SKIPPED"}, run.stdout
    env["MEANWHILE"] = "1"          # another first half, which runs the second meanwhile
    run = subprocess.run(pytest_v + ["-p", "no:xdist", "tests"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert _outcomes(run.stdout) == dict.fromkeys(everything | {"test_second_half_meanwhile"},
                                                  "PASSED"), run.stdout
    meanwhile = (tmp_path / "meanwhile").read_text()
    assert _outcomes(meanwhile) == dict.fromkeys(
        everything - {"test_scalar", "test_block", "test_whole", "test_beside_it"},
        "PASSED"), meanwhile
    # test_whole.py's module ran in the first half's two workers and the second first
    # half's one process; the second half did not collect it: its one test ran clean
    assert len(list(tmp_path.glob("collected-*"))) == 3, meanwhile
    shutil.rmtree(_halves.folder(tests), ignore_errors=True)
