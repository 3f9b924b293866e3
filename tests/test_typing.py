"""Type hints: mypy accepts the package and typed user code, and catches misuse."""

import gc
import os
import tempfile
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

GOOD = """
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import dualgrad as dg


    def loss(p: dict[str, np.ndarray], x: np.ndarray, scale: float = 1.0) -> np.ndarray:
        return scale * np.sum((x @ p["w"]) ** 2)


    p = {"w": np.ones(2)}
    x = np.eye(2)
    g = dg.gradient(loss, p, x, scale=2.0, chunk=4)
    J = dg.jacobian(np.sin, np.ones(3), argnums=0, has_aux=False)
    with ThreadPoolExecutor(2) as pool:
        H = dg.hessian(loss, p, x, executor=pool, progress=False, argnums=(0, 1))
    value, grads = dg.value_and_grad(loss, argnums=(0,), has_aux=False)(p, x)
    out, tangent = dg.jvp(np.sin, np.ones(2), np.ones(2))
    e = dg.elementwise_grad(np.sin)(np.ones(3))
    d: float = dg.derivative(np.exp, 0.0)
    fp: np.ndarray = dg.approx_fprime([1.0, 2.0], np.sum)
    dual = dg.Dual(1.0, [1.0])
    print(isinstance(dual, dg.Dual), dg.__version__)
"""

BAD = """
    import numpy as np
    import dualgrad as dg

    dg.gradient(np.sum, np.ones(2), chunk="4")
    dg.jacobian(np.sin, np.ones(2), progress="yes")
    dg.grad(np.sum, argnums=[0, 1])
    dg.value_and_grad(np.sum, has_aux=None)
    out: int = dg.jvp(np.sin, np.ones(2), np.ones(2))
"""


@pytest.mark.engine_independent
def test_mypy_accepts_the_package_and_typed_user_code_and_flags_misuse(tmp_path):
    api = pytest.importorskip("mypy.api")
    (tmp_path / "good.py").write_text(textwrap.dedent(GOOD))
    (tmp_path / "bad.py").write_text(textwrap.dedent(BAD))
    assert (ROOT / "dualgrad" / "py.typed").exists()
    cache = Path(tempfile.gettempdir()) / "dualgrad-mypy-cache"
    threshold = gc.get_threshold()      # (mypy's run raises gc's thresholds for itself
    environ = dict(os.environ)          # and sets MYPY_CONFIG_FILE_DIR: tests/_state.py's
    try:                                # guard failed the test for both)
        out, err, _ = api.run(["--config-file", str(ROOT / "mypy.ini"), "--cache-dir",
                               str(cache), "--no-error-summary", "--show-error-codes",
                               str(ROOT / "dualgrad"), str(tmp_path / "good.py"),
                               str(tmp_path / "bad.py")])
    finally:
        gc.set_threshold(*threshold)
        for key in set(os.environ) - set(environ):
            del os.environ[key]
        os.environ.update(environ)
    lines = [ln for ln in out.splitlines() if ": error:" in ln]
    assert not [ln for ln in lines if "bad.py" not in ln], out + err
    flagged = sorted({int(ln.split(":")[1]) for ln in lines})
    assert flagged == [5, 6, 7, 8, 9], out          # every misuse in BAD, by line
