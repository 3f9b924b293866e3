"""The scalar dual classes' generated source kept on disk (dual._scalar._kept_source):
read by later processes, generated again when the rule table or its files change.

Oracles: analytic derivatives; a copy of the package whose table says something else
(the copy's own derivative proves its source was generated, not read).
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

import dualgrad as dg

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(dg.__file__)))

GRAD = """
import json, math
from dualgrad.dual import _scalar
made = []
source = _scalar._source
_scalar._source = lambda n: (made.append(n), source(n))[1]
import numpy as np
import dualgrad as dg

def f(p):
    return np.sin(p[0]) * p[1] + np.exp(p[2]) / p[3]

p = [0.7, -1.3, 0.4, 2.5]
g = [float(v) for v in dg.gradient(f, np.array(p))]
want = [math.cos(p[0]) * p[1], math.sin(p[0]), math.exp(p[2]) / p[3],
        -math.exp(p[2]) / p[3] ** 2]
print(json.dumps([made, max(abs(a - b) for a, b in zip(g, want)), g]))
"""


def _fresh(root, cache):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(root))
    run = subprocess.run([sys.executable, "-c", GRAD], capture_output=True, text=True,
                         env=env, cwd=cache, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


SIN_ROW = '_smooth(np.sin, "np.cos(x)")'


def _copy_with_doubled_sin(tmp_path):
    """A copy of the package whose table differentiates np.sin as 2 cos(x), and the
    path and real text of its table."""
    copy = tmp_path / "copy"
    shutil.copytree(os.path.join(ROOT, "dualgrad"), copy / "dualgrad",
                    ignore=shutil.ignore_patterns("__pycache__"))
    table = copy / "dualgrad" / "rules" / "_table.py"
    text = table.read_text()
    assert text.count(SIN_ROW) == 1
    table.write_text(text.replace(SIN_ROW, '_smooth(np.sin, "2.0 * np.cos(x)")'))
    return copy, table, text


@pytest.mark.engine_independent
# its subprocesses run the scalar classes, which no engine touches
def test_a_second_process_reads_the_source_and_a_changed_table_makes_another(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    made, err, _ = _fresh(ROOT, cache)
    assert made == [4] and err < 1e-15                 # generated (n = 4) and kept
    made, err, _ = _fresh(ROOT, cache)
    assert made == [] and err < 1e-15                  # read, not generated
    copy, _, _ = _copy_with_doubled_sin(tmp_path)
    made, _, g = _fresh(copy, cache)                   # the same cache, another table
    assert made == [4]
    assert g[0] == pytest.approx(2.0 * 0.7648421872844885 * -1.3, rel=1e-14)   # 2 cos(0.7) p1
    made, err, _ = _fresh(ROOT, cache)                 # the real table's source still read
    assert made == [] and err < 1e-15


@pytest.mark.engine_independent
def test_a_damaged_or_foreign_kept_source_is_generated_again(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    _fresh(ROOT, cache)
    from dualgrad.backend import _disk
    blobs = sorted((cache / "dualgrad-code").glob("*.blob"))
    assert len(blobs) == 1
    good = blobs[0].read_bytes()
    payload = b"\xe9not the marshal of a source" * 5      # a verified file, not ours
    for bad in (good[:len(good) // 2], good[:-1] + bytes([good[-1] ^ 1]),
                _disk._MAGIC + _disk._digest(payload) + payload):
        blobs[0].write_bytes(bad)
        made, err, _ = _fresh(ROOT, cache)
        assert made == [4] and err < 1e-15
        assert blobs[0].read_bytes() == good           # rewritten whole


@pytest.mark.engine_independent
def test_a_blob_of_another_key_at_this_keys_name_is_not_read(tmp_path):
    """attack24: a blob's file name was its key's hash and nothing inside named the
    key, so two valid blobs swapped (a copied or synced cache) were read as each
    other's source: another table's derivative, or a raw error in every later
    process.  The payload opens with the key's digest; a mismatch generates again."""
    cache = tmp_path / "cache"
    cache.mkdir()
    copy, _, _ = _copy_with_doubled_sin(tmp_path)
    _fresh(ROOT, cache)
    _fresh(copy, cache)
    a, b = sorted((cache / "dualgrad-code").glob("*.blob"))
    first, second = a.read_bytes(), b.read_bytes()
    a.write_bytes(second)
    b.write_bytes(first)
    made, err, _ = _fresh(ROOT, cache)                  # not the doubled table's source
    assert made == [4] and err < 1e-15
    made, err, _ = _fresh(ROOT, cache)                  # and the right one kept again
    assert made == [] and err < 1e-15


OLD_PROCESS = """
import sys
import dualgrad                                   # the old release, imported
sys.stdout.write("imported\\n"); sys.stdout.flush()
sys.stdin.readline()                              # the new release is installed now
""" + GRAD


@pytest.mark.engine_independent
@pytest.mark.parametrize("old_mtime", [False, True])
def test_a_process_of_the_old_code_keeps_nothing_under_the_new_files_key(tmp_path, old_mtime):
    """attack60 06: the key hashed the files as they were on disk when the class was
    first made, not as the process imported them, so a process of the old code that
    made a class after an upgrade (a pip install or git pull under a running kernel)
    filed the old source under the new text's key, and every later process of the new
    code ran the old rule; also an upgrade that keeps its package's modification times
    (06c: ``tar x``, ``cp -p``).  Oracle: cos(0.7) p1 analytically; the old table's 2 cos."""
    cache = tmp_path / "cache"
    cache.mkdir()
    copy, table, fixed = _copy_with_doubled_sin(tmp_path)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=str(copy))
    old = subprocess.Popen([sys.executable, "-c", OLD_PROCESS], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True, env=env, cwd=cache)
    try:
        assert old.stdout.readline() == "imported\n"
        table.write_text(fixed)                        # the upgrade lands
        if old_mtime:
            os.utime(table, ns=(10**18, 10**18))       # a time before this test ran
        out, _ = old.communicate("\n", timeout=600)
    finally:
        old.kill()
    made, _, g = json.loads(out.strip().splitlines()[-1])
    assert made == [4]                                 # the old process ran its old row
    assert g[0] == pytest.approx(2.0 * 0.7648421872844885 * -1.3, rel=1e-14)
    made, err, _ = _fresh(copy, cache)                 # the new code: its own row
    assert made == [4] and err < 1e-15
