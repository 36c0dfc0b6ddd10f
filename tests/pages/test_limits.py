"""The caps that keep one session from taking a shared server: stated on the page as the code and the
server config set them, and enforced from the URL, the widgets and the Sweep page (the upload cap and
a CSV's rows: test_security.py and test_own_data.py; the drawn points' cap: tests/test_drawn.py)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from binclf_core.config import MAX_LAYERS, MAX_UNITS
from binclf_core.data.drawn import MAX_POINTS
from binclf_core.explore.sweep import MAX_SWEEP_COMBINATIONS
from tests.pages.conftest import app_session
from tests.pages.test_playground import widget
from tests.pages.test_sweep import open_sweep
from ui.controls import UI_MAX_EPOCHS, UI_MAX_SAMPLES

ROOT = Path(__file__).resolve().parents[2]
UPLOAD_MB = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]


def test_the_page_states_the_limits_the_code_and_the_server_config_set(app):
    app.run()
    text = next(e for e in app.expander if e.label == "About these limits").markdown[0].value
    for figure in (f"{UI_MAX_SAMPLES:,} points (a CSV's rows too; {MAX_POINTS} drawn points)",
                   f"{UI_MAX_EPOCHS:,} epochs", f"{MAX_LAYERS} hidden layers", f"{MAX_UNITS} units",
                   f"{MAX_SWEEP_COMBINATIONS} combinations", f"{UPLOAD_MB} MB"):
        assert figure in text, f"{figure!r} not in {text!r}"
    assert UPLOAD_MB <= 10, "uploads stay at a few MB"


@pytest.mark.parametrize(("key", "allowed", "refused"), [("n_samples", UI_MAX_SAMPLES, UI_MAX_SAMPLES + 1),
                                                          ("epochs", UI_MAX_EPOCHS, UI_MAX_EPOCHS + 1)])
def test_a_url_past_a_cap_is_refused_with_a_notice_and_the_cap_itself_is_taken(app, key, allowed, refused):
    app.query_params[key] = str(refused)
    app.run()
    assert not app.exception and len(app.info) == 1
    assert widget(app, key).value != refused
    fresh = app_session()
    fresh.query_params[key] = str(allowed)
    fresh.run()
    assert not fresh.exception and not fresh.info and widget(fresh, key).value == allowed


@pytest.mark.parametrize("key", ["n_samples", "epochs"])
def test_the_widgets_stop_at_the_caps(app, key):
    app.run()
    assert widget(app, key).max == {"n_samples": UI_MAX_SAMPLES, "epochs": UI_MAX_EPOCHS}[key]


def test_a_sweep_past_its_cap_is_refused_and_cannot_run(app):
    open_sweep(app)
    app.radio(key="sweep_mode_1_lr").set_value("List").run()
    app.text_input(key="sweep_values_1_lr").set_value(",".join(f"0.{i:02d}1" for i in range(1, 14))).run()
    assert not app.exception  # 13 rates x 8 seeds = 104 combinations
    assert any(f"at most {MAX_SWEEP_COMBINATIONS}" in e.value for e in app.error)
    assert app.button(key="run_sweep").disabled
