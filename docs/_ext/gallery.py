"""A small gallery for Sphinx: run each example, keep its output and its figures.

At ``builder-inited`` every example in :data:`EXAMPLES` runs in its own process
(matplotlib's Agg backend, ``plt.show`` saving every open figure instead), and
``gallery/<name>.md`` is written with the example's docstring, its printed
output, its figures and its source.  An example that fails fails the build.
The generated folder is not committed.
"""

import os
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# scipy_dropin.py and parallel_jacobian.py (timings, no figure) run in tests/test_examples.py
EXAMPLES = ["seed_question", "grid_field", "ode_sensitivity", "sparse_pattern",
            "dict_parameters"]

RUNNER = textwrap.dedent("""
    import runpy, sys
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    path, out, stem = sys.argv[1:4]
    saved = []
    def show(*args, **kwargs):
        for num in plt.get_fignums():
            name = f"{stem}_{num}.png"
            plt.figure(num).savefig(f"{out}/{name}", dpi=90)
            saved.append(name)
        plt.close("all")
    plt.show = show
    runpy.run_path(path, run_name="__main__")
    show()
    print("\\n".join(["@@figures"] + saved))
""")


def _run(example, root, out):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(root)] + [p for p in [os.environ.get("PYTHONPATH")] if p]), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(root / "examples" / f"{example}.py"),
                           str(out), example], capture_output=True, text=True, env=env,
                          cwd=root)
    if proc.returncode:
        raise RuntimeError(f"gallery: examples/{example}.py failed:\n{proc.stderr[-3000:]}")
    printed, _, figures = proc.stdout.rpartition("@@figures\n")
    return printed.rstrip(), [f for f in figures.split("\n") if f]


def _page(example, root, printed, figures):
    source = (root / "examples" / f"{example}.py").read_text()
    doc = source.split('"""')[1].strip()
    title, _, body = doc.partition("\n")
    body = "\n".join(ln for ln in body.strip().splitlines() if not ln.startswith("Run:"))
    parts = [f"# {title.rstrip('.')}", "", body.strip(), "",
             f"Run: `python examples/{example}.py`", ""]
    for fig in figures:
        parts += [f"![{title}]({fig})", ""]
    if printed:
        parts += ["Output:", "", "```text", printed, "```", ""]
    parts += ["Source:", "", f"```{{literalinclude}} ../../examples/{example}.py",
              ":language: python", "```", ""]
    return "\n".join(parts)


def build(app):
    docs = Path(app.srcdir)
    root = docs.parent
    out = docs / "gallery"
    out.mkdir(exist_ok=True)
    for stale in [*out.glob("*.md"), *out.glob("*.png")]:     # from earlier builds
        stale.unlink()
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda e: _run(e, root, out), EXAMPLES))
    index = ["# Gallery", "",
             "Each page runs an example from `examples/` when the documentation is built: "
             "what it prints and draws below is what that run gave.", "",
             "```{toctree}", ":maxdepth: 1", ""]
    for example, (printed, figures) in zip(EXAMPLES, results):
        (out / f"{example}.md").write_text(_page(example, root, printed, figures))
        index.append(example)
    index += ["```", ""]
    (out / "index.md").write_text("\n".join(index))


def write_api(app):
    """``api.md``: every public name of ``dualgrad`` (its ``__all__``), by kind."""
    import dualgrad
    names = list(dualgrad.__all__)
    classes = [n for n in names if isinstance(getattr(dualgrad, n), type)]
    functions = [n for n in names if n not in classes]
    lines = ["# API reference", "",
             "Everything here is importable from the top-level package "
             "(`import dualgrad as dg`).", "", "## Functions", ""]
    for n in functions:
        lines += ["```{eval-rst}", f".. autofunction:: dualgrad.{n}", "```", ""]
    lines += ["## Types and errors", ""]
    for n in classes:
        lines += ["```{eval-rst}", f".. autoclass:: dualgrad.{n}", "```", ""]
    lines += ["## Testing helpers", "", "```{eval-rst}", ".. automodule:: dualgrad.testing",
              "   :members:", "```", ""]
    lines += ["## SciPy functions that take dual numbers", ""]
    for module in ("dualgrad.scipy.special", "dualgrad.scipy.linalg", "dualgrad.scipy.optimize",
                   "dualgrad.scipy.spatial.transform"):
        lines += ["```{eval-rst}", f".. automodule:: {module}", "   :members:", "```", ""]
    (Path(app.srcdir) / "api.md").write_text("\n".join(lines))


def setup(app):
    app.connect("builder-inited", write_api)
    app.connect("builder-inited", build)
    return {"parallel_read_safe": True, "version": "1"}
