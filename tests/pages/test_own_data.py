"""Your own data on the Playground page (AppTest): every bad CSV of issue 5 is an st.error and the
page keeps its run; a good CSV trains; drawn points say how many are missing, then train."""

import json

import pytest

from binclf_core.data.csv_file import MAX_CSV_BYTES
from binclf_core.data.drawn import DrawnPoints
from binclf_core.figures.frames import FrameEncoder
from tests.pages.conftest import epoch_text, live_data
from ui.controls import UI_MAX_SAMPLES


def rows(n: int, label=lambda i: i % 2) -> str:
    return "".join(f"{i * 0.1:.1f},{(i * 7) % 5},{label(i)}\n" for i in range(n))


GOOD = "a,b,label\n" + rows(40)
BAD_CSVS = {  # issue 5's list: file name, bytes, what the error says
    "empty file": (b"", "the CSV file is empty"),
    "header only": (b"a,b,label\n", "has a header but no data rows"),
    "one class": (("a,b,label\n" + rows(20, lambda i: "yes")).encode(), "needs exactly 2 distinct values, but has 1"),
    "three classes": (("a,b,label\n" + rows(30, lambda i: "xyz"[i % 3])).encode(), "but has 3"),
    "text": (("a,b,label\n" + rows(10) + "one,2,0\n").encode(), "'one' where a number is needed"),
    "missing value": (("a,b,label\n" + rows(10) + "1.5,,0\n").encode(), "a missing or infinite value"),
    "nan value": (("a,b,label\n" + rows(10) + "nan,1,0\n").encode(), "a missing or infinite value ('nan')"),
    "infinite value": (("a,b,label\n" + rows(10) + "1,inf,1\n").encode(), "a missing or infinite value ('inf')"),
    "wrong number of columns": (("a,b,c,label\n" + "1,2,3,0\n" * 10).encode(), "needs exactly 3 columns"),
    "short row": (("a,b,label\n" + rows(10) + "1,0\n").encode(), "has 2 values; every row needs 3"),
    "not a CSV": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "not a text CSV"),
    "over the limit": (b"a,b,label\n" + b"0,0,0\n1,1,1\n" * (MAX_CSV_BYTES // 12 + 1), "the limit is 5 MB"),
    "too few rows to split": (("a,b,label\n" + rows(6)).encode(), "has only 3 rows"),
    "one row of a class": (("a,b,label\n" + rows(6, lambda i: int(i == 0))).encode(), "label '1' has only 1 row;"),
    "a value float32 cannot hold": (("a,b,label\n" + rows(10) + "1e200,1,0\n").encode(),
                                    "column 'a' holds 1e200 on line 12, too large to train on"),
    "more rows than the points limit": (("a,b,label\n" + rows(UI_MAX_SAMPLES + 1)).encode(),
                                        f"the CSV has {UI_MAX_SAMPLES + 1:,} data rows and this server trains on "
                                        f"at most {UI_MAX_SAMPLES:,} points"),
}


def choose(at, dataset: str):
    next(w for w in at.selectbox if w.key == "dataset").set_value(dataset).run()
    return at


def upload(at, name: str, content: bytes):
    at.file_uploader(key="csv_file").set_value((name, content, "text/csv")).run()  # fetched anew: elements go stale
    return at


def live_mounts(at) -> list:
    return [c for c in at.get("bidi_component") if "live_charts" in c.proto.id]


def test_a_good_csv_trains_with_its_class_names(app):
    app.run()
    upload(choose(app, "csv"), "pets.csv", GOOD.replace(",0\n", ",cat\n").replace(",1\n", ",dog\n").encode())
    assert not app.exception and not app.error
    run = app.session_state["run"]
    assert run.config.dataset == "csv" and run.config.csv == "pets.csv"
    assert len(run.dataset.y_train) + len(run.dataset.y_test) == 40 and len(run.dataset.y_test) == 10
    app.button(key="step").click().run()
    assert epoch_text(app) != "**Epoch 0 / 300**"
    reset = FrameEncoder(run).reset_message()  # what the charts get when they connect
    layout = reset["figures"]["boundary"]["layout"]
    assert "blue: cat · orange: dog" in layout["title"]["subtitle"]["text"]
    assert (layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]) == ("a", "b")  # the CSV's columns
    assert reset["class_names"] == ["cat", "dog"]


def test_a_csv_of_the_points_limit_trains_and_one_without_a_header_keeps_its_first_row(app):
    app.run()
    upload(choose(app, "csv"), "full.csv", ("a,b,label\n" + rows(UI_MAX_SAMPLES)).encode())
    assert not app.error and len(app.session_state["run"].dataset.y_all) == UI_MAX_SAMPLES
    upload(app, "bare.csv", rows(40).encode())  # no header: its first row is a point
    assert not app.exception and not app.error
    run = app.session_state["run"]
    assert run.config.csv == "bare.csv" and len(run.dataset.y_all) == 40
    assert run.dataset.feature_names == ("column 1", "column 2")


def test_the_upload_guard_knows_the_uploaders_limit(app):
    app.run()
    choose(app, "csv")
    guard = next(c for c in app.get("bidi_component") if c.proto.component_name == "binclf.upload_guard")
    assert json.loads(guard.proto.json) == {"limit": MAX_CSV_BYTES, "uploader": ".st-key-csv_file"}


def test_no_file_yet_keeps_the_previous_run_and_says_what_to_do(app):
    app.run()
    before = app.session_state["run"]
    choose(app, "csv")
    assert app.session_state["run"] is before
    assert any("Choose a CSV file" in info.value for info in app.main.info)  # where the charts are
    assert app.button(key="train").disabled and not live_mounts(app)


@pytest.mark.parametrize("case", BAD_CSVS, ids=str)
def test_each_bad_csv_is_one_error_and_the_previous_run_stays(app, case):
    content, sentence = BAD_CSVS[case]
    app.run()
    app.button(key="step").click().run()
    run, shown = app.session_state["run"], epoch_text(app)
    upload(choose(app, "csv"), "mine.csv", content)
    assert not app.exception
    errors = [e.value for e in app.main.error]  # said where the charts are (and under the uploader)
    assert len(errors) == 1 and sentence in errors[0] and errors[0].startswith("mine.csv: ")
    assert [e.value for e in app.sidebar.error] == errors
    assert app.session_state["run"] is run and app.button(key="train").disabled and not live_mounts(app)
    choose(app, "blobs")  # back to generated data: the earlier run is there again
    assert epoch_text(app) == shown and not app.button(key="train").disabled
    upload(choose(app, "csv"), "good.csv", GOOD.encode())  # the page still works: a good file replaces the bad one
    assert not app.error and app.session_state["run"].config.csv == "good.csv" and not app.button(key="train").disabled


def test_a_csv_too_small_for_the_test_fraction_says_what_to_change(app):
    app.run()
    next(w for w in app.slider if w.key == "test_fraction").set_value(0.1).run()
    upload(choose(app, "csv"), "eight.csv", ("a,b,label\n" + rows(8)).encode())
    assert not app.exception
    assert [e.value for e in app.error] == ["a test fraction of 0.1 leaves 7 of 8 points for training and 1 for "
                                            "testing, and each side needs at least 2: move the test fraction "
                                            "towards 0.5, or add points."]


def test_the_url_keeps_the_other_settings_but_not_own_data(app):
    app.run()
    next(w for w in app.slider if w.key == "test_fraction").set_value(0.3).run()
    upload(choose(app, "csv"), "pets.csv", GOOD.encode())
    assert dict(app.query_params) == {"test_fraction": "0.3"}
    assert any("a shared link keeps the other settings" in c.value for c in app.caption)


def test_drawn_mode_with_too_few_points_says_how_many_are_missing(app):
    app.run()
    before = app.session_state["run"]
    choose(app, "drawn")
    assert not app.exception
    assert app.info[0].value == ("Add 4 more negative points and 4 more positive points: each class needs at "
                                 "least 4 points (two to train on and two to test on).")
    assert app.button(key="train").disabled and app.session_state["run"] is before
    data = live_data(app)
    title = data["static"]["boundary"]["layout"]["title"]["text"]
    assert data["clickable"] is True and title.startswith("Drawn points")


def draw_points(app, per_class: int) -> None:
    """The Drawn points dataset with what `per_class` clicks of each class leave (see the browser test)."""
    app.run()
    choose(app, "drawn")
    points = DrawnPoints()
    for i in range(per_class):
        points = points.add(-3 + i * 0.2, -2, 0).add(3 - i * 0.2, 2, 1)
    app.session_state["own_data"].points = points
    app.run()


def test_enough_drawn_points_train_and_clear_points_starts_over(app):
    draw_points(app, 5)
    assert not app.info and not app.button(key="train").disabled
    run = app.session_state["run"]
    assert run.config.dataset == "drawn" and len(run.dataset.y_all) == 10
    assert live_data(app)["clickable"] is True
    app.button(key="step").click().run()
    assert epoch_text(app) != "**Epoch 0 / 300**"
    app.button(key="clear_points").click().run()
    assert app.info[0].value.startswith("Add 4 more negative points and 4 more positive points")
    assert any(c.value.startswith("0 negative and 0 positive points drawn") for c in app.caption)


def test_the_sweep_page_refuses_own_data_with_a_sentence_not_a_traceback(app):
    app.run()
    choose(app, "drawn")
    app.switch_page("pages/sweep.py").run()
    assert not app.exception and app.button(key="run_sweep").disabled
    assert any("A sweep trains generated data" in info.value for info in app.info)


def test_take_it_home_with_drawn_points_offers_a_script_that_holds_them(app):
    draw_points(app, 4)
    app.button(key="step").click().run()
    app.toggle(key="take_home").set_value(True).run()
    assert not app.exception and not app.info
    assert next(b.proto.label for b in app.get("download_button")) == "Script (Python)"
    app.toggle(key="show_script").set_value(True).run()
    assert "TRAIN_POINTS = [" in app.code[0].value and "(-3.0, -2.0, 0)," in app.code[0].value
