"""Issue 10's hostile and unlucky inputs, one test per case: each is one ``error:`` line with
exit code 2 (1 for an environment problem), no traceback, and the store byte-for-byte as before
(or the command works as a user expects)."""

from __future__ import annotations

import os

import pytest

LME_HEADER = "date,cash_settlement,three_month,lme_stock\n"
LME_ROW = "2024-01-02,2200,2230,500000\n"
PRICE_HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"
PRICE_ROW = "2024-01-02,10,11,9,10.5,10.4,1000\n"


def one_line(result, pattern, code=2):
    import re

    got, out, err = result
    assert got == code, (got, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in out + err
    return lines[0]


@pytest.fixture
def seeded(cli, tmp_path, snapshot):
    lme = tmp_path / "seed_lme.csv"
    lme.write_text(LME_HEADER + LME_ROW)
    prices = tmp_path / "seed_aa.csv"
    prices.write_text(PRICE_HEADER + PRICE_ROW)
    assert cli("data", "import", "lme", lme)[0] == 0
    assert cli("data", "import", "prices", "AA", prices)[0] == 0
    return snapshot()


# -- reads are bounded (issue item 6) --------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("kind", ["lme", "prices"])
def test_a_link_to_an_endless_device_is_refused(device, kind, cli, tmp_path, seeded, snapshot):
    link = tmp_path / "looks_like.csv"
    link.symlink_to(device)
    symbol = ["AA"] if kind == "prices" else []
    one_line(cli("data", "import", kind, *symbol, link), r"is not a regular file \(a device\)")
    assert snapshot() == seeded


def test_a_fifo_is_refused_without_blocking(cli, tmp_path, seeded, snapshot):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # nobody writes to it: a blocking open would hang here
    one_line(cli("data", "import", "lme", fifo), r"pipe.csv: is not a regular file \(a FIFO\)")
    assert snapshot() == seeded


def test_a_file_over_the_size_limit_is_refused_unread(cli, tmp_path, seeded, snapshot):
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(300 * 1024 * 1024)  # sparse: nothing is really written
    one_line(cli("data", "import", "lme", big), r"file is 314.6 MB, more than the 268 MB limit")
    assert snapshot() == seeded


def test_a_directory_is_refused(cli, tmp_path, seeded, snapshot):
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    one_line(cli("data", "import", "lme", folder), r"is a directory, expected a data file")
    assert snapshot() == seeded


@pytest.mark.parametrize("where", ["lme.csv", "prices/AA.csv", "catalysts.csv"])
@pytest.mark.parametrize("kind", ["zero", "fifo", "dir"])
def test_special_files_in_a_data_dir_are_refused(where, kind, cli, make_data_dir):
    root = make_data_dir()
    path = root / where
    if path.exists():
        path.unlink()
    if kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    expected = "is a directory" if kind == "dir" else r"is not a regular file \(a (device|FIFO)\)"
    one_line(cli("backtest", "--data-dir", root, "--start", "2024-01-01"), f"{where}: {expected}")


@pytest.mark.parametrize("kind", ["zero", "fifo", "big"])
def test_special_variants_files_are_refused(kind, cli, tmp_path):
    path = tmp_path / "v.toml"
    if kind == "zero":
        path.symlink_to("/dev/zero")
        pattern = r"is not a regular file \(a device\)"
    elif kind == "fifo":
        os.mkfifo(path)
        pattern = r"is not a regular file \(a FIFO\)"
    else:
        with open(path, "wb") as handle:
            handle.truncate(2 * 1024 * 1024)
        pattern = r"more than the 1 MB limit for a TOML variants file"
    one_line(cli("compare", "--variants", path), pattern)


# -- values no market ever printed (issue item 7) --------------------------------------------

LME_CASES = {
    "price 1e308": (
        "2024-01-03,1e308,2230,5",
        r":2: price 1e\+308 in column cash_settlement is not below 1e\+07",
    ),
    "price 1e-300": (
        "2024-01-03,1e-300,2230,5",
        r":2: price 1e-300 in column cash_settlement is below 1e-06",
    ),
    "stock 1e308": (
        "2024-01-03,2200,2230,1e308",
        r":2: stock 1e\+308 in column lme_stock is not below 1e\+09 t",
    ),
    "stock 1e-300": (
        "2024-01-03,2200,2230,1e-300",
        r":2: stock 1e-300 t in column lme_stock is below 0.001 t",
    ),
    "date 1600": (
        "1600-01-03,2200,2230,5",
        r":2: date 1600-01-03 in column date is before 1900-01-01",
    ),
    "date 9999": (
        "9999-01-03,2200,2230,5",
        r":2: date 9999-01-03 in column date is after \d{4}-\d\d-\d\d \(a year after today\)",
    ),
    "underscores": (
        "2024-01-03,2_200,2230,5",
        r":2: non-numeric text '2_200' in column cash_settlement",
    ),
    "arabic-indic digits": (
        "2024-01-03,\u0662\u0662\u0660\u0660,2230,5",
        r":2: non-numeric text '\u0662\u0662\u0660\u0660'",
    ),
    "trailing garbage after a date": (
        "2024-01-03junk,2200,2230,5",
        r":2: unparseable date '2024-01-03junk'",
    ),
    "garbage after a date and a space": (
        "2024-01-03 garbage,2200,2230,5",
        r":2: unparseable date '2024-01-03 garbage'",
    ),
    "unclosed quote": (
        '2024-01-03,"2200,2230,5\n2024-01-04,2200,2230,5',
        r"malformed CSV \(a quote is never closed\)",
    ),
    "infinity": ("2024-01-03,inf,2230,5", r":2: non-numeric text 'inf'"),
}


@pytest.mark.parametrize("case", sorted(LME_CASES))
def test_lme_values_out_of_bounds_are_refused(case, cli, tmp_path, seeded, snapshot):
    row, pattern = LME_CASES[case]
    path = tmp_path / "bad.csv"
    path.write_text(LME_HEADER + row + "\n", encoding="utf-8")
    one_line(cli("data", "import", "lme", path), pattern)
    assert snapshot() == seeded


PRICE_CASES = {
    "volume 1e19": (
        "2024-01-03,10,11,9,10.5,10.4,1e19",
        r"volume 1e\+19 in column Volume is not below 1e\+13",
    ),
    "High below Low": ("2024-01-03,10,9,11,10,10,5", r":2: High 9 is below Open 10"),
    "Close above High": ("2024-01-03,10,11,9,12,12,5", r":2: High 11 is below Close 12"),
    "Open below Low": ("2024-01-03,8,11,9,10,10,5", r":2: Low 9 is above Open 8"),
    "price 1e308": (
        "2024-01-03,10,1e308,9,10,10,5",
        r"price 1e\+308 in column High is not below 1e\+07",
    ),
}


@pytest.mark.parametrize("case", sorted(PRICE_CASES))
def test_price_values_out_of_bounds_are_refused(case, cli, tmp_path, seeded, snapshot):
    row, pattern = PRICE_CASES[case]
    path = tmp_path / "bad.csv"
    path.write_text(PRICE_HEADER + row + "\n")
    one_line(cli("data", "import", "prices", "AA", path), pattern)
    assert snapshot() == seeded


def test_ohlc_within_rounding_is_accepted(cli, tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(PRICE_HEADER + "2024-01-03,10.0000001,10,9,10,10,5\n")  # 1e-7 over High
    code, _out, err = cli("data", "import", "prices", "AA", path)
    assert code == 0, err


def test_an_alloy_page_is_not_aluminium(cli, tmp_path, seeded, snapshot):
    page = tmp_path / "alloy.html"
    page.write_text(
        "<html><table><tr><th>date</th><th>LME Aluminium Alloy Cash-Settlement</th>"
        "<th>LME Aluminium Alloy 3-month</th><th>LME Aluminium Alloy stock</th></tr>"
        "<tr><td>2. January 2024</td><td>2,000.00</td><td>2,010.00</td><td>1,000</td></tr>"
        "</table></html>"
    )
    one_line(
        cli("data", "import", "lme", page), r"this is the LME Aluminium Alloy table .*not aluminium"
    )
    assert snapshot() == seeded


def test_a_row_dated_1600_in_a_data_dir_is_one_line_for_the_watchlist(cli, make_data_dir):
    root = make_data_dir()
    with open(root / "lme.csv", "a") as handle:
        handle.write("1600-01-03,2200,2230,5\n")
    one_line(
        cli("watchlist", "--data-dir", root),
        r"lme.csv:\d+: date 1600-01-03 in column date is before 1900",
    )


# -- tracebacks where one line is promised (issue item 8) ------------------------------------


def test_store_prices_file_that_is_a_directory(cli, seeded, store_root):
    (store_root / "prices" / "AA.csv").unlink()
    (store_root / "prices" / "AA.csv").mkdir()
    code, out, err = cli("data", "status")
    assert code == 1 and "Traceback" not in out + err
    assert err.strip().splitlines() == ["error: unreadable in the store: prices/AA"]
    assert "is a directory" in out
    one_line(
        cli("backtest", "--symbols", "AA"), r"prices/AA.csv: is a directory, expected a data file"
    )


def test_store_json_of_the_wrong_shape_in_status(cli, seeded, store_root):
    (store_root / "store.json").write_text('{"version":1,"series":{"lme":"oops"}}')
    code, out, err = cli("data", "status")
    assert code == 1 and "Traceback" not in out + err
    assert "store metadata series 'lme' is not an object" in out


def test_a_variants_file_nested_thousands_deep(cli, tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    one_line(cli("compare", "--variants", path), r"deep.toml: TOML nested too deeply")
    inline = tmp_path / "deep_tables.toml"
    inline.write_text("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n")
    one_line(cli("compare", "--variants", inline), r"deep_tables.toml: TOML nested too deeply")


def test_a_toml_number_too_long_is_one_line(cli, tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(
        '[[variant]]\nname = "a"\nstrategy = "bands"\nparams = { upper = ' + "9" * 5000 + " }\n"
    )
    one_line(cli("compare", "--variants", path), r"long.toml: TOML value refused")


# -- the variant count is arithmetic (issue item 4) ------------------------------------------


def test_a_fine_grid_is_counted_not_built(cli):
    one_line(
        cli("compare", "--strategy", "bands", "--grid", "upper=3000:4000:0.0000001"),
        r"the grid has 10,000,000,001 variants, more than --max-variants 100,000",
    )
    one_line(
        cli("compare", "--strategy", "bands", "--grid", "upper=0:1e300:1e-300"),
        r"--grid upper=0:1e300:1e-300: more than 1,000,000,000,000 values",
    )


def test_a_small_toml_with_long_lists_is_counted_not_built(cli, tmp_path):
    values = ", ".join(str(3000 + i) for i in range(1000))
    path = tmp_path / "big_grid.toml"
    path.write_text(
        '[[variant]]\nname = "huge"\nstrategy = "squeeze"\n'
        f"params = {{ upper = [{values}], lower = [{values}], confirm = [{', '.join(str(i) for i in range(1, 1001))}] }}\n"
    )
    assert path.stat().st_size < 20_000
    one_line(
        cli("compare", "--variants", path),
        r"big_grid.toml makes 1,000,000,000 variants, more than --max-variants",
    )


def test_toml_grid_names_carry_their_values_and_are_unique(cli, tmp_path):
    from alu.strategies.variants import load_variants_file

    path = tmp_path / "v.toml"
    path.write_text(
        '[[variant]]\nname = "mytable"\nstrategy = "bands"\nparams = { upper = [3100, 3200], confirm = [2, 3] }\n'
    )
    names = [v.name for v in load_variants_file(path)]
    assert names == [
        "mytable[upper=3100,confirm=2]",
        "mytable[upper=3100,confirm=3]",
        "mytable[upper=3200,confirm=2]",
        "mytable[upper=3200,confirm=3]",
    ]
    clash = tmp_path / "clash.toml"
    clash.write_text(
        path.read_text()
        + '\n[[variant]]\nname = "mytable[upper=3100,confirm=2]"\nstrategy = "bands"\n'
    )
    one_line(
        cli("compare", "--variants", clash),
        r"variant name 'mytable\[upper=3100,confirm=2\]' is made twice",
    )


# -- misleading messages (issue item 10) -----------------------------------------------------


def test_lme_csv_that_is_a_directory_is_named(cli, make_data_dir):
    root = make_data_dir(symbols=("AA", "CENX"))
    (root / "lme.csv").unlink()
    (root / "lme.csv").mkdir()
    one_line(cli("backtest", "--data-dir", root), r"lme.csv: is a directory, expected an LME file")


def test_a_window_before_the_lme_record_says_so(cli, real_data_dir):
    line = one_line(
        cli(
            "backtest", "--data-dir", real_data_dir, "--start", "1900-01-01", "--end", "2001-01-01"
        ),
        r"lme.csv has no rows up to the --end day \(its record starts later\)",
    )
    assert "lacks" not in line


def test_a_column_with_no_values_is_warned(cli, tmp_path):
    path = tmp_path / "no_3m.csv"
    path.write_text(LME_HEADER + "2024-01-02,2200,,5\n2024-01-03,2210,,6\n")
    code, out, err = cli("data", "import", "lme", path)
    assert code == 0, err
    assert f"warning: {path}: column three_month has no values at all" in out
