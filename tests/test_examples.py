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
    fd, exact = [line for line in out.splitlines() if "rhs calls=" in line]
    rhs = [int(line.split("rhs calls=")[1].split()[0]) for line in (fd, exact)]
    assert rhs[1] < rhs[0]           # every call of the right-hand side counted


def test_spectral_example_is_exact(capsys):
    out = run("spectral.py", capsys)
    spectral = float(out.split("max |d/da du/dt - exact| = ")[1].split()[0])
    fd = float(out.split("max |jacobian - central differences| = ")[1].split()[0])
    assert spectral < 1e-12 and fd < 1e-6


def test_black_scholes_greeks_match_their_closed_forms(capsys):
    out = run("black_scholes.py", capsys)
    errors = [float(line.split("rel. error")[1]) for line in out.splitlines()
              if "rel. error" in line]
    assert len(errors) == 5 and max(errors) < 1e-12
    assert "naming scipy.stats.norm.cdf" in out and "ndtr" in out


def test_dict_parameters_example_matches_the_closed_form_and_trains(capsys):
    out = run("dict_parameters.py", capsys)
    assert "gradient keys ['b', 'w']" in out
    error = float(out.split("closed form: ")[1].split()[0])
    assert error < 1e-15
    losses = [float(line.split("loss ")[1].split(",")[0]) for line in out.splitlines()
              if line.startswith("step")]
    assert losses[0] > 0.69 and losses[-1] < 0.25 and losses == sorted(losses, reverse=True)


def test_macro_moments_example_is_exact(capsys):
    """user44: Tauchen's chain through dualgrad.scipy.stats and a VAR's covariance
    through dualgrad.scipy.linalg.solve_discrete_lyapunov (closed form)."""
    out = run("macro_moments.py", capsys)
    chain = float(out.split("dualgrad vs 8th-order differences: rel. error")[1].split()[0])
    var = float(out.split("VAR: ")[1].split("rel. error")[1].split()[0])
    assert chain < 1e-10 and var < 1e-14
    assert "TypeError naming dualgrad.scipy.linalg.solve_discrete_lyapunov" in out


def test_lqr_cartpole_example_is_exact(capsys):
    """user45: a cart-pole linearized by dg.jacfwd (the textbook's matrices) and its LQR
    gain's derivatives through dualgrad.scipy.linalg.solve_continuous_are (8th-order
    differences of SciPy's solver on the hand-derived model)."""
    out = run("lqr_cartpole.py", capsys)
    lin = out.split("linearization: ")[1].splitlines()[0]
    assert lin == "max |A - hand| = 0.0e+00, max |B - hand| = 0.0e+00"
    exact = float(out.split("dualgrad vs 8th-order differences: rel. error")[1].split(";")[0])
    fd = float(out.split("approx_fprime: rel. error")[1].split()[0])
    assert exact < 1e-10 < fd
    assert "TypeError naming dualgrad.scipy.linalg.solve_continuous_are" in out


def test_camera_pose_example_is_exact_and_converges(capsys):
    out = run("camera_pose.py", capsys)
    line = out.split("relative error against the closed form: ")[1].splitlines()[0]
    ours = float(line.split("dualgrad ")[1].split(",")[0])
    fd = float(line.split("approx_fprime ")[1])
    assert ours < 1e-14 < 1e-9 < fd
    errors = [float(x.split()[0]) for x in out.split("pose error ")[1:]]
    assert len(errors) == 2 and max(errors) < 1e-12


def test_kinetics_example_matches_hand_sensitivity_equations(capsys):
    """examples/kinetics_sensitivity.py: the rhs Jacobian, d ln y / d ln A through
    dg.solve_ivp and an ignition delay's gradient against the forward sensitivity
    equations written by hand (Radau, rtol 1e-12), the time of the largest dT/dt (an
    event through dg.jvp) against Richardson differences, and van't Hoff's d ln Kp / dT;
    the grid's argmax spelling has gradient 0, as the README says."""
    out = run("kinetics_sensitivity.py", capsys)
    jac = float(out.split("rhs Jacobian: max rel. error ")[1].split()[0])
    sens = float(out.split("d ln y / d ln A: max rel. error of any entry ")[1].split()[0])
    ign = float(out.split("ignition delay gradient: max rel. error ")[1].split()[0])
    vh = float(out.split("van't Hoff: rel. error ")[1].split()[0])
    assert jac < 1e-14 and vh < 1e-14
    peak = float(out.split("largest dT/dt gradient: max rel. error ")[1].split()[0])
    assert sens < 1e-6 and ign < 1e-8          # dg.solve_ivp runs at rtol=1e-10
    assert peak < 1e-7                         # Richardson differences' own error ~1e-9
    assert "read off the output grid instead: gradient [0. 0. 0.]" in out


def test_rainfall_runoff_example_matches_its_oracles(capsys):
    """examples/rainfall_runoff.py: GR4J's NSE / KGE gradients, hydrograph and signature
    Jacobians, the Hessian of the sum of squares (against Richardson differences of the
    plain model), a Nash cascade by np.convolve (complex step), Muskingum, Green-Ampt
    by scipy.optimize.newton (its implicit derivative); L-BFGS-B with exact gradients
    reaches the same optimum in fewer calls than with finite differences."""
    out = run("rainfall_runoff.py", capsys)
    errors = {line.split(":")[0].split(" rel.")[0]: float(line.rsplit(" ", 1)[1])
              for line in out.splitlines() if "rel. error" in line}
    assert len(errors) == 8
    for what, err in errors.items():
        # Richardson differences of a first derivative: ~1e-11 here; of a Hessian ~1e-9
        assert err < (1e-7 if what.startswith("Hessian") else 1e-9), (what, err)
    assert "symmetric True" in out
    fits = [line for line in out.splitlines() if line.startswith("L-BFGS-B")]
    assert len(fits) == 2 and all("success=True" in line for line in fits)
    nses = [float(line.split("NSE ")[1].split()[0]) for line in fits]
    assert nses[1] >= nses[0] - 1e-7 and nses[1] > 0.99
    calls = [int(line.split("f calls=")[1].split()[0]) for line in fits]
    assert calls[1] < calls[0]


def test_hmc_logistic_example_matches_hand_derivatives_and_samples(capsys):
    """examples/hmc_logistic.py (userbayes51): a non-centered hierarchical logistic
    regression's log posterior with dualgrad.scipy.stats; dg.value_and_grad and
    dg.hessian against the gradient and Hessian written by hand, a Laplace fit by BFGS
    with the exact gradient in fewer calls than with differences, and HMC whose draws
    of beta = sigma * z average near the Laplace mode's beta."""
    out = run("hmc_logistic.py", capsys)
    grad = float(out.split("gradient: max rel. error ")[1].split()[0])
    hess = float(out.split("Hessian: max rel. error ")[1].split()[0])
    cov = float(out.split("Laplace covariance: max rel. error ")[1].split()[0])
    assert grad < 1e-14 and hess < 1e-14 and cov < 1e-10
    assert "symmetric True" in out
    fits = [line for line in out.splitlines() if line.startswith("BFGS")]
    calls = [int(line.split("f calls=")[1].split(",")[0]) for line in fits]
    assert "success=True" in fits[0] and calls[0] < calls[1]
    norms = [float(line.rsplit(" ", 1)[1]) for line in fits]
    assert norms[0] < 1e-5
    rate = float(out.split("acceptance ")[1].split(",")[0])
    assert rate > 0.8
    shift = float(out.split("Laplace mode's beta: largest ")[1].split()[0])
    assert shift < 1.0


def test_thin_film_example_matches_airy_and_differences(capsys):
    out = run("thin_film.py", capsys)
    airy = float(out.split("one layer: ")[1].split("relative error ")[1].split()[0])
    coating = float(out.split("Richardson differences ")[1].split()[0])
    assert airy < 1e-13 and coating < 1e-9
    design = out.split("design: ")[1]
    calls = [int(design.split("(")[k].split()[0]) for k in (1, 2)]
    assert calls[0] < calls[1]                   # exact gradients: fewer calls of f
    final = float(design.split("-> ")[1].split()[0])
    assert final < 0.5 * float(design.split("mean R ")[1].split()[0])


@pytest.fixture
def figures_closed():
    """matplotlib on its Agg backend (``plt.show`` draws nothing), every figure closed after."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    yield
    plt.close("all")


def test_gallery_grid_field_example_beats_numpy_gradient(capsys, figures_closed):
    """examples/grid_field.py (a gallery page; tests/test_docs.py builds the site in one
    half of README's test command, this runs it under each engine): the exact gradient
    of the field on the grid, against the closed form, and numpy.gradient's error."""
    out = run("grid_field.py", capsys)
    ours, theirs = (float(x) for x in out.split("largest error of the gradient: dualgrad ")[1]
                    .split("\n")[0].split(", numpy.gradient "))
    assert ours < 1e-14 and theirs > 1e-3


def test_gallery_ode_sensitivity_example_matches_the_complex_step(capsys, figures_closed):
    """examples/ode_sensitivity.py (a gallery page): the sensitivities of an ODE's
    solution against the complex step, under each engine."""
    out = run("ode_sensitivity.py", capsys)
    err = float(out.split("relative to the largest sensitivity: ")[1].split()[0])
    assert "sensitivities (401, 2, 4)" in out and err < 1e-12


def test_gallery_sparse_pattern_example_equals_the_dense_jacobian(capsys, figures_closed):
    """examples/sparse_pattern.py (a gallery page): dg.sparsity's pattern and the sparse
    Jacobian equal the dense dg.jacobian, under each engine."""
    out = run("sparse_pattern.py", capsys)
    assert "Jacobian (144, 144): 672 stored entries" in out
    assert "equal to the dense dg.jacobian: True" in out
