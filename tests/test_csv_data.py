import numpy as np
import pytest

from binclf_core.data.csv_file import MAX_CSV_BYTES, MAX_FEATURE_MAGNITUDE, CsvError, parse_csv, read_csv_file


def rows(n: int = 10, labels=("cat", "dog")) -> str:
    return "\n".join(f"{i * 0.5},{-i},{labels[i % 2]}" for i in range(n))


def test_reads_features_and_text_labels_with_the_second_in_sort_order_positive():
    data = parse_csv(("x1,x2,animal\n" + rows()).encode())
    assert data.x.shape == (10, 2) and data.x[3].tolist() == [1.5, -3.0]
    assert data.class_names == ("cat", "dog")
    np.testing.assert_array_equal(data.y, [0, 1] * 5)
    assert data.feature_names == ("x1", "x2")


def test_numeric_labels_sort_numerically_not_as_text():
    data = parse_csv(("a,b,c\n" + rows(labels=("10", "9"))).encode())
    assert data.class_names == ("9", "10")
    np.testing.assert_array_equal(data.y, [1, 0] * 5)


def test_the_column_named_label_wins_wherever_it_stands():
    text = "label,f1,f2\n" + "\n".join(f"{'no' if i % 2 else 'yes'},{i},{2 * i}" for i in range(10))
    data = parse_csv(text.encode())
    assert data.feature_names == ("f1", "f2") and data.class_names == ("no", "yes")
    assert data.x[1].tolist() == [1.0, 2.0]


def test_bom_and_windows_line_endings_are_fine():
    text = "\ufeffx,y,label\r\n" + rows().replace("\n", "\r\n") + "\r\n"
    data = parse_csv(text.encode("utf-8"))
    assert data.feature_names == ("x", "y") and len(data.y) == 10


BAD_CSVS = {
    "empty file": (b"", "empty"),
    "header only": (b"x,y,label\n", "no data rows"),
    "one class": (("x,y,label\n" + rows(labels=("a", "a"))).encode(), "2 distinct values"),
    "three classes": (("x,y,label\n" + "\n".join(f"{i},{i},{'abc'[i % 3]}" for i in range(12))).encode(),
                      "2 distinct values"),
    "text feature": (("x,y,label\n" + rows() + "\nhello,1,cat").encode(), "'hello' where a number"),
    "empty feature": (("x,y,label\n" + rows() + "\n,1,cat").encode(), "missing or infinite"),
    "nan feature": (("x,y,label\n" + rows() + "\nnan,1,cat").encode(), "missing or infinite"),
    "infinite feature": (("x,y,label\n" + rows() + "\n1,inf,cat").encode(), "missing or infinite"),
    "two columns": (b"x,label\n" + b"\n".join(b"%d,%d" % (i, i % 2) for i in range(10)), "exactly 3 columns"),
    "four columns": (b"a,b,c,label\n1,2,3,0\n", "exactly 3 columns"),
    "short row": (("x,y,label\n" + rows() + "\n1,cat").encode(), "every row needs 3"),
    "binary bytes": (bytes(range(256)) * 4, "not a text CSV"),
    "not utf-8": ("x,y,label\n1,2,\xe9t\xe9\n".encode("latin-1"), "not a UTF-8"),
    "too few rows to split": (("x,y,label\n" + rows(6)).encode(), "at least 4"),
    "empty label": (("x,y,label\n" + rows() + "\n1,2,").encode(), "empty label"),
}


@pytest.mark.parametrize("name", list(BAD_CSVS))
def test_bad_csvs_are_refused_with_one_clear_sentence(name):
    raw, expected = BAD_CSVS[name]
    with pytest.raises(CsvError, match=expected) as error:
        parse_csv(raw)
    assert "\n" not in str(error.value)


def test_oversized_file_is_refused_by_size_before_parsing(tmp_path, monkeypatch):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (MAX_CSV_BYTES + 1))
    monkeypatch.setattr("binclf_core.data.csv_file.parse_csv", lambda raw: pytest.fail("parsed a file over the limit"))
    with pytest.raises(CsvError, match="limit is 5 MB"):
        read_csv_file(path)


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(CsvError, match="no CSV file"):
        read_csv_file(tmp_path / "nope.csv")


def test_a_file_without_a_header_keeps_its_first_row_and_names_columns_by_position():
    with_header = parse_csv(("x1,x2,animal\n" + rows()).encode())
    without = parse_csv(rows().encode())  # its first row, "0.0,0,cat", is data
    assert len(without.y) == len(with_header.y) == 10
    np.testing.assert_array_equal(without.x, with_header.x)
    np.testing.assert_array_equal(without.y, with_header.y)
    assert without.feature_names == ("column 1", "column 2") and without.class_names == ("cat", "dog")


@pytest.mark.parametrize("first_row", ["x,y,animal", "1,2,label", "size,2.5,kind", "10,height,0"])
def test_a_first_row_with_a_name_in_a_feature_cell_or_a_label_cell_is_the_header(first_row):
    data = parse_csv((first_row + "\n" + rows()).encode())
    assert len(data.y) == 10


@pytest.mark.parametrize(("value", "line"), [("1e200", 12), ("-3.4e38", 12), ("2e15", 12)])
def test_a_feature_too_large_for_float32_training_names_its_column_and_what_to_do(value, line):
    raw = ("width,height,label\n" + rows() + f"\n1,{value},cat").encode()
    with pytest.raises(CsvError) as error:
        parse_csv(raw)
    message = str(error.value)
    assert message.startswith(f"column 'height' holds {value} on line {line}") and "divide that column" in message
    headerless = rows() + f"\n{value},1,cat"  # the same rule without a header, its line numbers from 1
    with pytest.raises(CsvError, match=f"column 'column 1' holds {value} on line 11"):
        parse_csv(headerless.encode())


def test_features_up_to_the_limit_are_kept_and_fit_float32():
    data = parse_csv(("a,b,label\n" + rows() + f"\n{MAX_FEATURE_MAGNITUDE!r},{-MAX_FEATURE_MAGNITUDE!r},cat").encode())
    assert np.isfinite(data.x.astype(np.float32) ** 2).all()  # the squared features too


def test_more_rows_than_the_cap_are_refused_with_both_counts():
    text = "a,b,label\n" + rows(2001)
    assert len(parse_csv(text.encode()).y) == 2001  # no cap unless asked (the CLI)
    with pytest.raises(CsvError, match="the CSV has 2,001 data rows and this server trains on at most 2,000 points"):
        parse_csv(text.encode(), max_rows=2000)
    assert len(parse_csv(("a,b,label\n" + rows(2000)).encode(), max_rows=2000).y) == 2000
