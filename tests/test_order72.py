"""order72: the suite's answer does not depend on the order pytest-xdist gives its tests.

Stop 71's CI failed test_stats46's 50-digit mpmath oracles where test_small71, which set
``mpmath.mp.prec = 80`` in test bodies, ran before them on one worker.  tests/conftest.py's
``_global_state_kept`` (tests/_state.py) now runs each test at the mpmath precision of
its ``mp_dps`` marker (50 digits without one, whatever a file collected or a test run
before left) and fails a test that leaves process-wide state changed, naming
the state and the fix.  Checked here in a pytest run of its own (a subprocess with the
suite's conftest as its plugin) and on :mod:`_state` directly."""

import os
import subprocess
import sys
import textwrap

import mpmath
import numpy as np
import pytest

import _state

TESTS = os.path.dirname(os.path.abspath(__file__))


def _inner(tmp_path, files, *args):
    """Runs pytest on ``files`` ({name: source}) in ``tmp_path`` with the suite's
    conftest as a plugin, without xdist, the engine variable or a record; returns its
    output and exit status."""
    for name, source in files.items():
        (tmp_path / name).write_text(textwrap.dedent(source))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([TESTS, os.path.dirname(TESTS)]))
    env.pop("DUALGRAD_ENGINE", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:xdist",
                          "-p", "no:cacheprovider", "-q", "-rf", "--rootdir", str(tmp_path),
                          "-c", os.devnull, *args, *files],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    return run.stdout + run.stderr, run.returncode


def test_a_test_that_leaves_state_changed_fails_naming_it(tmp_path):
    out, rc = _inner(tmp_path, {"test_leaks.py": """
        import os, sys
        import mpmath
        import numpy as np

        def test_precision():
            mpmath.mp.prec = 80

        def test_errors():
            np.seterr(over="raise")

        def test_environment():
            os.environ["ORDER72_LEFT"] = "1"

        def test_path():
            sys.path.insert(0, "/nowhere/order72")

        def test_seed():
            np.random.seed(0)

        def test_clean():
            with mpmath.workdps(80), np.errstate(over="raise"):
                pass
        """})
    assert rc == 1, out
    assert "6 passed, 5 errors" in out, out       # (each leak an error at its teardown)
    for name in ("mpmath precision", "np.seterr", "os.environ", "sys.path",
                 "np.random's global state"):
        assert f"  {name}: was " in out, (name, out)
    assert "fix: set it with @pytest.mark.mp_dps(n)" in out, out


def test_each_test_runs_at_its_own_digits_whatever_was_collected(tmp_path):
    """A file that sets mpmath's precision as it is imported changes no test's (before:
    the last file collected set the whole run's); the marker's digits on a file and on a
    test, 50 without (``_state.DEFAULT_DPS``)."""
    out, rc = _inner(tmp_path, {
        "test_a.py": """
            import mpmath
            mpmath.mp.dps = 60

            def test_unmarked_a():
                assert mpmath.mp.dps == 50
            """,
        "test_b.py": """
            import mpmath
            import pytest

            pytestmark = pytest.mark.mp_dps(40)

            def test_file_marked():
                assert mpmath.mp.dps == 40

            @pytest.mark.mp_dps(300)
            def test_test_marked():
                assert mpmath.mp.dps == 300
            """,
        "test_c.py": """
            import mpmath

            def test_unmarked_c():
                assert mpmath.mp.dps == 50
            """})
    assert rc == 0, out
    assert "4 passed" in out, out


@pytest.mark.parametrize("change, name", [
    (lambda: setattr(mpmath.mp, "dps", 33), "mpmath precision"),
    (lambda: np.seterr(under="raise"), "np.seterr"),
    (lambda: np.seterrcall(print), "np.seterrcall"),
    (lambda: np.set_printoptions(precision=3), "np.set_printoptions"),
    (lambda: np.random.random(), "np.random's global state"),
    (lambda: os.environ.__setitem__("ORDER72_SET", "1"), "os.environ"),
    (lambda: os.chdir("/"), "the working directory"),
    (lambda: sys.path.append("/nowhere/order72"), "sys.path"),
    (lambda: sys.modules.__setitem__("json", type(sys)("json")), "sys.modules"),
    (lambda: __import__("gc").set_threshold(1, 2, 3), "gc"),
    (lambda: setattr(__import__("dualgrad").backend._fused, "MIN_WORK", 0), "dualgrad's settings"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_each_state_is_seen_and_named(change, name):
    """Each state of :func:`_state.snapshot` changed is named by :func:`_state.changed`
    (put back here by hand: this test leaves nothing)."""
    import gc
    import json
    from dualgrad.backend import _fused
    keep = (mpmath.mp.prec, np.geterr(), np.geterrcall(), np.get_printoptions(),
            np.random.get_state(),
            dict(os.environ), os.getcwd(), list(sys.path), gc.get_threshold(), _fused.MIN_WORK)
    before = _state.snapshot()
    try:
        change()
        diffs = _state.changed(before, _state.snapshot())
    finally:
        mpmath.mp.prec = keep[0]
        np.seterr(**keep[1])
        np.seterrcall(keep[2])
        np.set_printoptions(**keep[3])
        np.random.set_state(keep[4])
        os.environ.pop("ORDER72_SET", None)
        os.chdir(keep[6])
        sys.path[:] = keep[7]
        sys.modules["json"] = json
        gc.set_threshold(*keep[8])
        _fused.MIN_WORK = keep[9]
    assert [d[0] for d in diffs] == [name]
    assert _state.changed(before, _state.snapshot()) == []
    assert name in _state.FIXES


def test_new_imports_and_first_mpmath_use_are_allowed(monkeypatch):
    """Modules imported, and one taken out of sys.modules and put back (monkeypatch's
    undo puts it at the end), change nothing the guard reads."""
    before = _state.snapshot()
    import email.mime.text  # noqa: F401  (new entries of sys.modules)
    monkeypatch.delitem(sys.modules, "json")
    monkeypatch.undo()
    with mpmath.workdps(70):
        mpmath.pi + 1
    assert _state.changed(before, _state.snapshot()) == []


def test_what_a_first_import_of_jax_changes_is_not_the_tests():
    """Importing jax draws from np.random's global generator and sets two variables
    (measured); a test that imports it first is not failed for that, a variable of its
    own still is."""
    fake = type(sys)("jax")
    before = _state.snapshot()
    keep = np.random.get_state()
    sys.modules["order72_fake_jax"] = fake
    try:
        np.random.random()
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("TF_CPP_MIN_LOG_LEVEL", "1")
            after = _state.snapshot()
            assert _state.changed(before, after) == []
            mp.setenv("ORDER72_OWN", "1")
            assert [d[0] for d in _state.changed(before, _state.snapshot())] == ["os.environ"]
        del sys.modules["order72_fake_jax"]
        assert [d[0] for d in _state.changed(before, _state.snapshot())] == \
            ["np.random's global state"]
    finally:
        sys.modules.pop("order72_fake_jax", None)
        np.random.set_state(keep)
