"""dualgrad installed where nothing can be written (a container image run as another
user): no writable package directory, no writable home, NUMBA_CACHE_DIR unset.
numba then has no cache locator; the kernels must still compile (without the disk
cache) and dualgrad says so once."""

import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import dualgrad

SCRIPT = textwrap.dedent("""
    import os, sys, warnings
    import numpy as np
    package = os.path.dirname(os.path.dirname(os.path.abspath(sys.argv[1])))
    for where in (package, os.environ["HOME"]):
        try:
            open(os.path.join(where, "probe"), "w").close()
        except OSError:
            continue
        print("WRITABLE", where)
        sys.exit(3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        import dualgrad as dg
        from dualgrad.backend import _kernels
        assert dg.__file__.startswith(package), dg.__file__
        x = np.linspace(0.5, 2.0, 3000)
        # a generated kernel (log1p), the propagation kernels (n = 4) and a reduction
        d = dg.elementwise_grad(lambda x: np.log1p(x) * x)(x)
        assert np.allclose(d, np.log1p(x) + x / (1.0 + x), rtol=1e-14, atol=0)
        for mode in ("auto", "numba"):
            with _kernels.use(mode):
                J = dg.jacobian(lambda v: np.sum(np.tanh(np.outer(x, v)) * x[:, None], axis=0),
                                np.array([0.3, -0.2, 0.5, 0.1]))
        want = np.diag(np.sum(x[:, None] ** 2 / np.cosh(np.outer(x, [0.3, -0.2, 0.5, 0.1])) ** 2,
                              axis=0))
        assert np.allclose(J, want, rtol=1e-13, atol=0), J
        import dualgrad.backend._numba_kernels, dualgrad.backend._rule_kernels  # noqa: F401
        for name in ("dualgrad.api._coloring_kernels",):
            try:
                __import__(name)
            except ModuleNotFoundError:
                pass
    ours = [w for w in caught if "cache" in str(w.message) and
            issubclass(w.category, UserWarning)]
    print(len(ours), ours[0].message if ours else "")
""")


def _read_only(path):
    for root, dirs, files in os.walk(path):
        for name in files:
            os.chmod(os.path.join(root, name), stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.chmod(root, stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP |
                 stat.S_IROTH | stat.S_IXOTH)


def _unprivileged():
    """A command prefix under which file permissions bind (root ignores them): root
    without the capabilities that override them, through util-linux's setpriv."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot bind")
    caps = "-dac_override,-dac_read_search,-fowner"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


def test_read_only_install_compiles_kernels_without_the_disk_cache(tmp_path):
    site, home = tmp_path / "site", tmp_path / "home"
    shutil.copytree(Path(dualgrad.__file__).parent, site / "dualgrad",
                    ignore=shutil.ignore_patterns("__pycache__"))
    script = site / "dualgrad" / "check_install.py"
    script.write_text(SCRIPT)
    home.mkdir()
    _read_only(site)
    _read_only(home)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NUMBA_", "XDG_", "PYTHON"))}
    env.update(HOME=str(home), PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1")
    try:
        run = subprocess.run(_unprivileged() + [sys.executable, str(script), str(script)],
                             capture_output=True, text=True, env=env, cwd=tmp_path,
                             timeout=300)
    finally:
        for root, dirs, files in os.walk(tmp_path):       # let pytest clean up
            os.chmod(root, stat.S_IRWXU)
    if run.returncode == 3:
        pytest.skip(f"could not make the install read-only here: {run.stdout}")
    assert run.returncode == 0, run.stderr[-3000:]
    count, message = run.stdout.strip().split(" ", 1)
    assert count == "1", run.stdout                       # said once, however many kernels
    assert "NUMBA_CACHE_DIR" in message
