"""The examples run and print exact derivatives."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(name, capsys):
    if not (EXAMPLES / name).exists():
        pytest.skip("examples/ not present")
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    return capsys.readouterr().out


def test_seed_question_prints_exact_partials_and_field(capsys):
    out = run("seed_question.py", capsys)
    assert "df/dq = 6.0, df/dchi = 3.0, df/ddelta = 2.0" in out
    assert "dualgrad.elementwise_grad: 0.0e+00, 0.0e+00, 0.0e+00" in out
    assert "dualgrad -400.0, numpy.gradient -350.0, exact -400.0" in out


def test_scipy_dropin_example_converges_with_fewer_calls(capsys):
    out = run("scipy_dropin.py", capsys)
    fd, exact = [line for line in out.splitlines() if "success=True  iterations" in line][:2]
    calls = [int(line.split("f calls=")[1].split()[0]) for line in (fd, exact)]
    assert calls[1] < calls[0]
    assert out.count("success=True") == 4
