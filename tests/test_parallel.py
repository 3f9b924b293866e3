"""Chunks on executors: identical to the serial result, failures and pickling clear."""

import concurrent.futures as cf
import os

import numpy as np
import pytest

import dualgrad as dg
from dualgrad.api._parallel import worker_count


def residual(x, scale):
    """Module level, so process pools can pickle it."""
    return scale * np.array([np.sum(np.sin(x) * x[::-1]), np.prod(x[:3]), x[0] ** 3])


def energy(x):
    return np.sum(np.exp(x) * np.roll(x, 1)) + x[0] * x[-1] ** 2


def failing(x):
    if x.partials[0, 0] == 0.0:          # the chunks that do not seed x[0]
        raise ZeroDivisionError("boom")
    return np.sum(x)


X = np.linspace(-1.0, 1.0, 10)


@pytest.fixture(scope="module")
def process_pool():
    with cf.ProcessPoolExecutor(2) as pool:
        yield pool


@pytest.mark.parametrize("chunk", [1, 3, 4])
def test_thread_pool_equals_serial(chunk):
    with cf.ThreadPoolExecutor(2) as pool:
        np.testing.assert_array_equal(
            dg.jacobian(residual, X, 2.0, chunk=chunk, executor=pool),
            dg.jacobian(residual, X, 2.0, chunk=chunk))


@pytest.mark.parametrize("chunk", [2, 5])
def test_process_pool_equals_serial(process_pool, chunk):
    np.testing.assert_array_equal(
        dg.jacobian(residual, X, 2.0, chunk=chunk, executor=process_pool),
        dg.jacobian(residual, X, 2.0, chunk=chunk))
    np.testing.assert_array_equal(dg.gradient(energy, X, chunk=chunk, executor=process_pool),
                                  dg.gradient(energy, X))
    np.testing.assert_array_equal(dg.hessian(energy, X, chunk=chunk, executor=process_pool),
                                  dg.hessian(energy, X, chunk=chunk))
    np.testing.assert_array_equal(dg.approx_fprime(X, residual, None, 2.0,
                                                   executor=process_pool),
                                  dg.approx_fprime(X, residual, None, 2.0))


def test_unpicklable_f_with_process_pool_says_what_to_do(process_pool):
    with pytest.raises(TypeError, match="module level.*ThreadPoolExecutor"):
        dg.jacobian(lambda x: x * 2, X, executor=process_pool)


@pytest.mark.parametrize("kind", ["serial", "threads", "processes"])
def test_failing_chunk_raises_the_original_error_naming_its_directions(kind, process_pool):
    executor = {"serial": None, "processes": process_pool,
                "threads": cf.ThreadPoolExecutor(2)}[kind]
    with pytest.raises(ZeroDivisionError, match="boom") as info:
        dg.gradient(failing, X, chunk=4, executor=executor)
    assert any("input directions 4 to 6" in note for note in info.value.__notes__)


def test_progress_reports_every_chunk(capsys, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    dg.jacobian(residual, X, 1.0, chunk=2, progress=True)
    assert "5/5 chunks" in capsys.readouterr().err
    dg.jacobian(residual, X, 1.0, chunk=2)
    assert capsys.readouterr().err == ""


def test_batch_axis_stacks_the_jacobians_of_many_points():
    points = np.stack([X, X ** 2, -X])
    with cf.ThreadPoolExecutor(2) as pool:
        J = dg.jacobian(residual, points, 1.5, batch_axis=0, executor=pool, chunk=3)
    assert J.shape == (3, 3, 10)
    for b in range(3):
        np.testing.assert_array_equal(J[b], dg.jacobian(residual, points[b], 1.5))
    G = dg.gradient(energy, points.T, batch_axis=1)
    np.testing.assert_array_equal(G[2], dg.gradient(energy, -X))


def test_dask_distributed_equals_serial():
    distributed = pytest.importorskip("distributed")
    environ = dict(os.environ)  # (a LocalCluster sets OMP / MKL / OPENBLAS_NUM_THREADS and
    try:                        # MALLOC_TRIM_THRESHOLD_ in this process: tests/_state.py)
        _dask_distributed_equals_serial(distributed)
    finally:
        os.environ.clear()
        os.environ.update(environ)


def _dask_distributed_equals_serial(distributed):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        executor = client.get_executor()
        np.testing.assert_array_equal(
            dg.jacobian(residual, X, 2.0, chunk=3, executor=executor),
            dg.jacobian(residual, X, 2.0, chunk=3))
        np.testing.assert_array_equal(                  # cloudpickle takes lambdas too
            dg.jacobian(lambda x: x ** 2, X, chunk=4, executor=executor),
            np.diag(2 * X))
        with pytest.raises(ZeroDivisionError, match="boom"):
            dg.gradient(failing, X, chunk=4, executor=executor)
        assert worker_count(executor) == 2            # the workers' threads, from the client
        np.testing.assert_array_equal(dg.jacobian(residual, X, 2.0, executor=executor,
                                                  progress=True),
                                      dg.jacobian(residual, X, 2.0))


class Counting:
    """f that records the width of every pass (thread-safe enough: list.append)."""

    def __init__(self):
        self.widths = []

    def __call__(self, x):
        self.widths.append(x.partials.shape[-1])
        return np.sum(np.sin(x) * x[::-1])


@pytest.mark.parametrize("workers, size, want", [(2, 10, [5, 5]), (3, 10, [4, 3, 3]),
                                                 (4, 2, [1, 1]), (2, 600, [150] * 4)])
def test_default_chunks_give_every_worker_work(workers, size, want):
    x = np.linspace(-1.0, 1.0, size)
    f = Counting()
    with cf.ThreadPoolExecutor(workers) as pool:
        g = dg.gradient(f, x, executor=pool)
    assert sorted(f.widths, reverse=True) == want
    np.testing.assert_allclose(g, dg.gradient(energy_like, x), rtol=1e-15)
    f = Counting()
    dg.gradient(f, x)                                # serially: as few passes as fit
    assert len(f.widths) == (1 if size <= 256 else 3)


def energy_like(x):
    return np.sum(np.sin(x) * x[::-1])


def test_an_explicit_chunk_is_kept_with_an_executor():
    f = Counting()
    with cf.ThreadPoolExecutor(2) as pool:
        dg.gradient(f, X, chunk=10, executor=pool)
    assert f.widths == [10]


def test_worker_count_of_pools_and_unknown_executors():
    with cf.ThreadPoolExecutor(3) as pool:
        assert worker_count(pool) == 3

    class Client:
        def nthreads(self):
            return {"tcp://a": 2, "tcp://b": 4}

    class DaskLike(cf.Executor):
        _client = Client()
    assert worker_count(DaskLike()) == 6
    assert worker_count(cf.Executor()) >= 1          # unknown: the machine's CPU count


def test_progress_moves_as_chunks_finish_not_in_order(capsys, monkeypatch):
    """The last chunk finishes first; the text bar counts it at once."""
    import builtins
    import threading
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    release = threading.Event()
    seen = []

    def f(x):
        if x.partials[0, 0] == 1.0:                 # the first chunk waits for the bar
            assert release.wait(10)
        return np.sum(x ** 2)

    import dualgrad.api._parallel as par
    real_progress = par._Progress

    class Watching(real_progress):
        def update(self):
            super().update()
            seen.append(self.done)
            release.set()
    monkeypatch.setattr(par, "_Progress", Watching)
    with cf.ThreadPoolExecutor(2) as pool:
        g = dg.gradient(f, X, chunk=5, executor=pool, progress=True)
    np.testing.assert_array_equal(g, 2 * X)
    assert seen == [1, 2]
    assert "2/2 chunks" in capsys.readouterr().err


def test_progress_with_tqdm_counts_every_chunk():
    tqdm = pytest.importorskip("tqdm")
    import io
    import tqdm.auto                 # (not imported by tqdm itself: alone, this test failed)
    stream = io.StringIO()
    real = tqdm.auto.tqdm
    bars = []

    def make(*args, **kwargs):
        bars.append(real(*args, file=stream, **kwargs))
        return bars[-1]
    old = tqdm.auto.tqdm
    tqdm.auto.tqdm = make
    try:
        with cf.ThreadPoolExecutor(2) as pool:
            dg.jacobian(residual, X, 1.0, executor=pool, progress=True)
    finally:
        tqdm.auto.tqdm = old
    assert len(bars) == 1 and bars[0].n == bars[0].total == 2
    assert "2/2" in stream.getvalue()
