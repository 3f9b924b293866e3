"""backend._disk: generated code kept on disk by the hash of its source."""

import builtins
import os

import pytest

from dualgrad.backend import _disk


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_disk, "_directories", {})
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[1])
        return builtins.compile(*args, **kwargs)

    monkeypatch.setattr(_disk, "compile", counting, raising=False)
    return tmp_path / "dualgrad-code", calls


def _run(code):
    namespace = {}
    exec(code, namespace)  # noqa: S102
    return namespace["f"](3.0)


def test_a_second_process_loads_what_the_first_compiled(cache, monkeypatch):
    folder, calls = cache
    source = "def f(x):\n    return x * x + 1.0\n"
    assert _run(_disk.compiled(source, "<t>")) == 10.0
    assert calls == ["<t>"] and len(list(folder.glob("*.marshal"))) == 1
    monkeypatch.setattr(_disk, "_directories", {})           # as a fresh process
    assert _run(_disk.compiled(source, "<t>")) == 10.0
    assert calls == ["<t>"]                                  # read, not compiled


def test_another_source_or_name_is_never_served_the_old_code(cache):
    folder, calls = cache
    assert _run(_disk.compiled("def f(x):\n    return x + 1.0\n", "<a>")) == 4.0
    assert _run(_disk.compiled("def f(x):\n    return x + 2.0\n", "<a>")) == 5.0
    code = _disk.compiled("def f(x):\n    return x + 1.0\n", "<b>")
    assert code.co_filename == "<b>" and _run(code) == 4.0
    assert len(calls) == 3 and len(list(folder.glob("*.marshal"))) == 3


def test_a_damaged_file_is_compiled_again(cache):
    folder, calls = cache
    source = "def f(x):\n    return 2.0 * x\n"
    _disk.compiled(source, "<t>")
    (path,) = folder.glob("*.marshal")
    path.write_bytes(path.read_bytes()[:7])
    assert _run(_disk.compiled(source, "<t>")) == 6.0
    assert len(calls) == 2
    path.write_bytes(b"\xff" * 40)
    assert _run(_disk.compiled(source, "<t>")) == 6.0


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes into read-only directories")
def test_no_writable_directory_compiles_as_before(tmp_path, monkeypatch):
    tmp_path.chmod(0o500)
    try:
        monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
        monkeypatch.setattr(_disk, "_directories", {})
        assert _disk.cache_directory("dualgrad-code") is None
        assert _run(_disk.compiled("def f(x):\n    return x - 1.0\n", "<t>")) == 2.0
    finally:
        tmp_path.chmod(0o700)


def test_a_file_in_the_way_leaves_no_directory(tmp_path, monkeypatch):
    (tmp_path / "dualgrad-code").write_text("not a directory")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_disk, "_directories", {})
    assert _disk.cache_directory("dualgrad-code") is None
    assert _run(_disk.compiled("def f(x):\n    return x / 3.0\n", "<t>")) == 1.0


def test_a_flipped_bit_anywhere_is_never_run(cache):
    folder, calls = cache
    source = "def f(x):\n    return x * 1.25 + 0.5\n"
    _disk.compiled(source, "<t>")
    (path,) = folder.glob("*.marshal")
    good = path.read_bytes()
    for at in range(0, len(good), max(1, len(good) // 40)):   # header, digest, payload
        damaged = bytearray(good)
        damaged[at] ^= 0x10
        path.write_bytes(bytes(damaged))
        before = len(calls)
        assert _run(_disk.compiled(source, "<t>")) == 4.25
        assert len(calls) == before + 1                # compiled again, not loaded
        assert path.read_bytes() == good               # and the file rewritten whole


def test_a_read_only_cache_is_read(cache, monkeypatch):
    folder, calls = cache
    source = "def f(x):\n    return x - 0.5\n"
    _disk.compiled(source, "<t>")
    monkeypatch.setattr(_disk, "_directories", {"dualgrad-code": (folder, False)})
    assert _run(_disk.compiled(source, "<t>")) == 2.5
    assert calls == ["<t>"]                            # loaded from the read-only folder
    assert _run(_disk.compiled("def f(x):\n    return x\n", "<u>")) == 3.0
    assert len(list(folder.glob("*.marshal"))) == 1    # and nothing written there


def test_a_failed_write_leaves_no_temporary(cache):
    folder, calls = cache
    source = "def f(x):\n    return x + 0.25\n"
    _disk.compiled(source, "<t>")
    (path,) = folder.glob("*.marshal")
    path.unlink()
    path.mkdir()                                       # the file's name taken by a folder
    for _ in range(3):
        assert _run(_disk.compiled(source, "<t>")) == 3.25
    assert not list(folder.glob("*.tmp"))


_WARM = """
import numpy as np, dualgrad as dg
from dualgrad.backend import _loader
_loader.load()
x = np.linspace(0.5, 1.5, 20000).astype({dtype})
print(dg.gradient(lambda v: np.sum(np.sin(v) * v), x)[:2])
"""


@pytest.mark.engine_independent
def test_a_damaged_numba_index_is_named_not_blamed_on_f(tmp_path):
    """numba's own cache index (``*.nbi``) zeroed (a full disk, a killed process): the
    next compile that saves beside it raised numba's raw EOFError under a note blaming
    f (attack23); the helper names the file and the fix.  Two fresh processes on one
    ``NUMBA_CACHE_DIR``: the first fills it, then every index is zeroed, and the
    second, whose float32 input makes a structure of its own, compiles and saves."""
    pytest.importorskip("numba")
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k != "DUALGRAD_ENGINE"}
    env["NUMBA_CACHE_DIR"] = str(tmp_path)
    first = subprocess.run([sys.executable, "-c", _WARM.format(dtype="np.float64")], env=env,
                           capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    indexes = list(tmp_path.rglob("*.nbi"))
    assert indexes
    for index in indexes:
        index.write_bytes(b"\0" * index.stat().st_size)
    second = subprocess.run([sys.executable, "-c", _WARM.format(dtype="np.float32")],
                            env=env, capture_output=True, text=True)
    assert second.returncode != 0
    assert "numba's on-disk cache of compiled kernels is damaged: reading " in second.stderr
    assert ".nbi raised" in second.stderr and "Fix: delete that file" in second.stderr


def test_loaded_bytes_refuses_a_file_changed_after_the_import(tmp_path, monkeypatch):
    """attack60 06: a file changed after the process began importing dualgrad is not
    the text it runs, so no key is made of it (the scalar classes' source, the fused
    generator's name, the kernels' called-source digest, the numba types' digest),
    also where the change kept an old modification time (06c: ``tar x``, ``cp -p``)."""
    import time

    from dualgrad import _import_time
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_bytes(b"x = 1\n")
    b.write_bytes(b"y = 2\n")
    started = max(os.stat(a).st_ctime_ns, os.stat(b).st_ctime_ns)
    monkeypatch.setattr(_import_time, "STARTED_NS", started)       # imported after both
    assert _disk.loaded_bytes([a, b]) == [b"x = 1\n", b"y = 2\n"]
    time.sleep(0.05)                    # past the file system clock's tick
    b.write_bytes(b"y = 3\n")
    os.utime(b, ns=(10**9, 10**9))      # the package's old modification time kept
    assert _disk.loaded_bytes([a, b]) is None
    assert _disk.loaded_bytes([a, tmp_path / "gone.py"]) is None    # unreadable
