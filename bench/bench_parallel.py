"""Chunks of a Jacobian on executors (issue 7).

    python bench/bench_parallel.py [--quick] [--default-only]

Two expensive functions of 64 parameters, differentiated with chunk=16 (4 chunks):
a CPU-bound one (a plain-Python loop on scalar duals) and a memory-bound one (an
explicit diffusion on large arrays). Each serial, then on 1 and 2 workers of a
process pool, a thread pool and a Dask LocalCluster on loopback. Then the fixed
cost per chunk of each executor: a trivial f with 64 chunks of one direction,
time per chunk minus the serial time per chunk.  Last, the default call (no chunk=):
``dg.jacobian(f, p)`` against ``dg.jacobian(f, p, executor=pool)``, which splits the
directions into one chunk per worker (the README's snippet and
examples/parallel_jacobian.py).  Writes bench/RESULTS_parallel.md (with
--default-only, only the last table, to bench/RESULTS_parallel_default.md).
"""

import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path[:0] = [str(Path(__file__).resolve().parent.parent),   # this checkout's dualgrad
                str(Path(__file__).resolve().parent)]
from _common import table  # noqa: E402

import dualgrad as dg  # noqa: E402


def cpu_bound(params, steps=1500):
    """A scalar ODE loop driven by 64 parameters: Python arithmetic, little memory."""
    p = [params[i] for i in range(len(params))]
    x, v = 1.0, 0.0
    for _ in range(steps):
        force = 0.0
        for j in range(0, len(p), 4):
            force = force + p[j] * np.sin(x * p[j + 1]) + p[j + 2] * v * p[j + 3]
        v = v + 0.001 * (force - x)
        x = x + 0.001 * v
    return np.array([x, v])


def memory_bound(params, cells=60_000, steps=60):
    u = np.zeros_like(params, shape=(cells,))
    sources = np.linspace(0, cells - 1, len(params)).astype(int)
    for _ in range(steps):
        u[1:-1] += 0.2 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u[sources] += 0.01 * params
    return u[::3000]


def trivial(params):
    """For the fixed cost per chunk."""
    return params * 2.0


def timed(fn, repeat):
    fn()                                          # warm-up: workers, imports, compilation
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def executors(workers):
    yield "process pool", lambda: ProcessPoolExecutor(workers)
    yield "thread pool", lambda: ThreadPoolExecutor(workers)
    try:
        import distributed
    except ImportError:
        return

    class Dask:
        def __enter__(self):
            self.cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None)
            self.client = distributed.Client(self.cluster)
            # pure=False: Dask would otherwise hand back the warm-up's cached results
            return self.client.get_executor(pure=False)

        def __exit__(self, *exc):
            self.client.close()
            self.cluster.close()
    yield "Dask LocalCluster", Dask


def default_call(repeat, p):
    """The default call serially and on 2 workers: chunks picked by dualgrad."""
    rows = []
    for label, f in (("CPU-bound (plain-Python scalar loop)", cpu_bound),
                     ("memory-bound (array diffusion, examples/parallel_jacobian.py)",
                      memory_bound)):
        t_first = timed(lambda: dg.jacobian(f, p), repeat)
        pooled = []
        for name, make in executors(2):
            with make() as ex:
                pooled.append((name, timed(lambda: dg.jacobian(f, p, executor=ex), repeat)))
        t_last = timed(lambda: dg.jacobian(f, p), repeat)
        t_serial = statistics.median([t_first, t_last])
        rows.append([label, "serial (first, last)", f"{t_first:.2f}, {t_last:.2f}", "1.00x"])
        rows += [[label, f"{name}, 2 workers", f"{t:.2f}", f"{t_serial / t:.2f}x"]
                 for name, t in pooled]
    return "\n".join([
        "### The default call: `dg.jacobian(f, p)` and `dg.jacobian(f, p, executor=ex)`", "",
        "No `chunk=`: serially one pass carries all 64 directions; with an executor of 2 "
        "workers dualgrad makes 2 chunks of 32.", "",
        table(["f", "executor", "seconds", "speed-up over serial"], rows), ""])


def main():
    quick = "--quick" in sys.argv
    repeat = 1 if quick else 5
    p = np.linspace(0.5, 1.5, 64)
    if "--default-only" in sys.argv:
        text = "\n".join(["## Chunks on executors, the default call (bench/bench_parallel.py "
                          "--default-only)", "",
                          f"Medians of {repeat} after a warm-up; this machine has 2 cores.", "",
                          default_call(repeat, p)])
        print(text)
        Path(__file__).with_name("RESULTS_parallel_default.md").write_text(text + "\n")
        return
    sections = []
    for label, f in (("CPU-bound: a plain-Python loop on scalar duals", cpu_bound),
                     ("memory-bound: an explicit diffusion on 60,000 cells", memory_bound)):
        t_f = timed(lambda: f(p), repeat)
        serial = lambda: dg.jacobian(f, p, chunk=16)      # noqa: E731
        t_first = timed(serial, repeat)
        runs = []
        for workers in (1, 2):
            for name, make in executors(workers):
                with make() as ex:
                    runs.append((name, workers, timed(
                        lambda: dg.jacobian(f, p, chunk=16, executor=ex), repeat)))
        t_last = timed(serial, repeat)          # serial again: the spread of this machine
        t_serial = statistics.median([t_first, t_last])
        rows = [["serial (measured first, last)", "-", f"{t_first:.2f}, {t_last:.2f}",
                 "1.00x"]]
        rows += [[name, w, f"{t:.2f}", f"{t_serial / t:.2f}x"] for name, w, t in runs]
        sections += [f"### {label}", "",
                     f"f takes {t_f * 1e3:.0f} ms per call on floats; `dg.jacobian(f, p, "
                     "chunk=16)` makes 4 chunks.", "",
                     table(["executor", "workers", "seconds", "speed-up over serial"], rows),
                     ""]
    t_trivial = timed(lambda: dg.jacobian(trivial, p, chunk=1), repeat) / 64
    overhead = []
    for name, make in executors(2):
        with make() as ex:
            per_chunk = timed(lambda: dg.jacobian(trivial, p, chunk=1, executor=ex),
                              repeat) / 64
            overhead.append([name, f"{(per_chunk - t_trivial) * 1e3:.2f}"])
    text = "\n".join([
        "## Chunks on executors (bench/bench_parallel.py)", "",
        f"Medians of {repeat} after a warm-up; this machine has 2 cores.", ""] + sections + [
        "Fixed cost per chunk (64 one-direction chunks of a trivial f, 2 workers, minus the "
        "serial time per chunk):", "",
        table(["executor", "ms per chunk"], overhead), "", default_call(repeat, p)])
    print(text)
    Path(__file__).with_name("RESULTS_parallel.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
