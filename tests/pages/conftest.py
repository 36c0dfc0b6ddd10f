from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "app.py"


@pytest.fixture
def app():
    """A fresh session of the whole app (app.py routes to the Playground), not yet run."""
    return AppTest.from_file(str(APP), default_timeout=60)


def epoch_text(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Epoch"))
