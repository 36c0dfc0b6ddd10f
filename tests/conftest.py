import pytest
import torch

from binclf_core.config import RunConfig


@pytest.fixture(autouse=True)
def fixed_global_seed():
    """The engine takes randomness only through config seeds; this guards against any that leaks."""
    torch.manual_seed(0)


@pytest.fixture
def tutorial_config() -> RunConfig:
    """The workshop tutorials' set: blobs, 200 + 200 points, noise 1.4, seed 2, logistic, SGD lr 0.01."""
    return RunConfig(dataset="blobs", n_samples=400, noise=1.4, seed=2, model="logistic",
                     optimizer="sgd", lr=0.01, epochs=5000)
