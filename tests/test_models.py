import torch

from binclf_core.models import build_model, count_parameters


def test_logistic_is_one_linear_layer_returning_n_scores():
    model = build_model("logistic", (8,), "relu", seed=0)
    assert count_parameters(model) == 3
    assert model(torch.zeros(5, 2)).shape == (5,)


def test_mlp_has_the_requested_layers_and_activation():
    model = build_model("mlp", (8, 4), "tanh", seed=0)
    assert count_parameters(model) == (2 * 8 + 8) + (8 * 4 + 4) + (4 + 1)
    assert sum(isinstance(m, torch.nn.Tanh) for m in model.modules()) == 2
    assert model(torch.randn(7, 2)).shape == (7,)


def test_the_seed_alone_decides_the_initial_weights_and_global_rng_is_untouched():
    before = torch.random.get_rng_state()
    a = build_model("mlp", (8, 8), "relu", seed=3)
    torch.manual_seed(123)
    b = build_model("mlp", (8, 8), "relu", seed=3)
    c = build_model("mlp", (8, 8), "relu", seed=4)
    torch.manual_seed(0)
    assert torch.equal(torch.random.get_rng_state(), before)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not torch.equal(next(a.parameters()), next(c.parameters()))


def test_every_activation_builds_and_runs_on_any_number_of_features():
    from binclf_core.config import ACTIVATIONS
    from binclf_core.features import FeatureMap
    from binclf_core.models import ACTIVATION_LAYERS

    assert set(ACTIVATIONS) == set(ACTIVATION_LAYERS) >= {"relu", "tanh", "sigmoid", "linear", "leaky_relu", "gelu"}
    for activation in ACTIVATIONS:
        model = build_model("mlp", (4,), activation, seed=0, features=FeatureMap(("x1", "x2", "x1_x2")))
        assert isinstance(model.layers[1], ACTIVATION_LAYERS[activation])
        assert model.layers[0].in_features == 3 and model(torch.randn(6, 2)).shape == (6,)
