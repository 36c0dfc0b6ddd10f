"""The Network and Hidden space views (issue 14) through AppTest: offered, their options, their frames."""

import time

import numpy as np

from tests.pages.conftest import produce_frame, tab
from tests.pages.test_playground import widget
from ui.panels import PANELS


def view_selector(at):
    return next(w for w in at.get("button_group") if w.proto.label == "View")


def test_the_network_view_is_offered_for_both_models_and_the_hidden_space_for_the_mlp(app):
    app.run()
    views = [o.content for o in view_selector(app).proto.options]  # the other issues' views come too
    assert views[0] == "Boundary" and "Network" in views and "Hidden space" not in views
    widget(app, "model").set_value("mlp").run()
    views = [o.content for o in view_selector(app).proto.options]
    assert views.index("Network") < views.index("Hidden space")


def test_a_frame_of_the_network_view_carries_unit_pictures_and_formulas_for_both_models(app):
    app.run()
    for model in ("logistic", "mlp"):
        widget(app, "model").set_value(model).run()
        app.session_state["live_view"] = "network"
        app.run()
        assert tab(app).view == "network"
        frame = produce_frame(app)
        panel = frame["header"]["panel"]
        assert panel["key"] == "network" and frame["header"]["view"] == "network"
        assert panel["figure"]["layout"]["title"]["text"] == "Network"  # the first frame of a view has its figure
        units, (pictures, edges) = panel["drawing"]["units"], frame["panel_parts"]
        count = 2 + 1 if model == "logistic" else 2 + 8 + 8 + 1
        assert len(units["formula"]) == len(pictures) == count and units["formula"][-1].startswith("score = ")
        assert pictures.dtype == np.uint8 and pictures.shape[1:] == (24, 24) and edges.shape[1] == 3
        time.sleep(PANELS["network"].every_seconds)  # due again, as while training
        again = produce_frame(app)["header"]["panel"]
        assert "figure" not in again and again["drawing"]["units"]["label"] == units["label"]  # drawn again


def test_the_hidden_space_takes_its_layer_and_units_from_its_own_widgets(app):
    app.run()
    widget(app, "model").set_value("mlp").run()
    widget(app, "hidden").set_value("16,16").run()
    app.session_state["live_view"] = "hidden_space"
    app.run()
    assert not app.exception
    assert widget(app, "hidden_space_layer").value == 2
    assert widget(app, "hidden_space_unit_a").value == widget(app, "hidden_space_unit_b").value == "auto"
    widget(app, "hidden_space_layer").set_value(1).run()
    widget(app, "hidden_space_unit_a").set_value(0).run()
    widget(app, "hidden_space_unit_b").set_value(5).run()
    assert tab(app).view_options == {"layer": 1, "unit_a": 0, "unit_b": 5}
    figure = produce_frame(app)["header"]["panel"]["figure"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "h1,1" and figure["layout"]["yaxis"]["title"]["text"] == "h1,6"
    widget(app, "hidden").set_value("4").run()  # a smaller network: a unit it no longer has goes back to auto
    assert not app.exception and tab(app).view_options == {"layer": 1, "unit_a": 0, "unit_b": None}


def test_in_presenter_mode_every_panel_writes_at_least_18_px(app):
    """Issue 15: the Landscape's (and the views inside the network's) texts follow presenter mode too."""
    app.query_params["present"] = "1"
    app.query_params["model"] = "mlp"
    app.run()
    for view in ("network", "hidden_space", "landscape"):
        app.session_state["live_view"] = view
        app.run()
        panel = produce_frame(app)["header"]["panel"]
        layout = panel["figure"]["layout"]
        assert panel["key"] == view and layout["font"]["size"] >= 18 and panel["drawing"]["font"] >= 18
        assert layout["title"]["font"]["size"] >= 18 and layout["title"]["subtitle"]["font"]["size"] >= 18
