"""Hypothesis-generated hostile files for every reader: LME CSV, Yahoo-format price CSV,
catalyst CSV, a saved Westmetall page, a TOML variants file and the store's ``store.json``.
Each is either read or refused with one :class:`AluError`; no other exception ever escapes."""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alu.data.imports import read_lme_file, read_price_file
from alu.data.schemas import read_catalysts
from alu.data.store import Store
from alu.errors import AluError
from alu.strategies.variants import load_variants_file

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DATES = st.sampled_from(
    [
        "2024-01-02",
        "2024-01-03",
        "2024-02-30",
        "1600-01-01",
        "9999-12-31",
        "2024-01-02T10:00",
        "2024-01-02 00:00:00-05:00",
        "2024-01-02junk",
        "02/01/2024",
        "",
        " 2024-01-04 ",
        "nan",
        "\u0662\u0660\u0662\u0664-01-02",
        "2024-1-2",
        "20240102",
    ]
)
NUMBERS = st.one_of(
    st.sampled_from(
        [
            "2200",
            "2200.5",
            "-1",
            "0",
            "1e308",
            "1e-300",
            "1_000",
            "inf",
            "-inf",
            "nan",
            "NaN",
            "",
            "-",
            "n/a",
            "null",
            "1,000",
            "\u0661\u0662",
            "0x10",
            "1e",
            ".5",
            "5.",
            "+3",
            "1e19",
            "999999999999",
            " 7 ",
            "abc",
            "\x1b[31m",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
)
JUNK = st.text(max_size=20)


def rows(width: int):
    cell = st.one_of(NUMBERS, JUNK, st.just('"'), st.just('"quoted, cell"'))
    row = st.tuples(DATES, st.lists(st.one_of(NUMBERS, cell), min_size=0, max_size=width + 1))
    return st.lists(row.map(lambda r: ",".join([r[0], *r[1]])), min_size=0, max_size=12)


def csv_file(header: str, width: int):
    body = rows(width).map(lambda lines: "\n".join(lines))
    ending = st.sampled_from(["\n", "\r\n", ""])
    bom = st.sampled_from(["", "\ufeff"])
    return st.tuples(
        bom, st.sampled_from([header, header.upper(), "", "date,x"]), body, ending
    ).map(lambda t: (t[0] + t[1] + "\n" + t[2] + t[3]).encode("utf-8", "surrogatepass"))


RAW = st.binary(max_size=300)


def check(reader, data: bytes, name: str = "file.csv") -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        with contextlib.suppress(AluError):
            reader(path)


@SETTINGS
@given(st.one_of(csv_file("date,cash_settlement,three_month,lme_stock", 3), RAW))
def test_lme_csv(data):
    check(read_lme_file, data)


@SETTINGS
@given(st.one_of(csv_file("Date,Open,High,Low,Close,Adj Close,Volume", 6), RAW))
def test_price_csv(data):
    check(read_price_file, data)


@SETTINGS
@given(st.one_of(csv_file("date,name,kind,announced,window_before,window_after,source", 6), RAW))
def test_catalysts_csv(data):
    check(read_catalysts, data)


CELL = st.one_of(
    DATES,
    NUMBERS,
    JUNK,
    st.sampled_from(
        ["2. January 2024", "31. February 2024", "3,227.00", "246,925", "&nbsp;", "<b>x"]
    ),
)
HEADERS = st.sampled_from(
    [
        ["date", "LME Aluminium Cash-Settlement", "LME Aluminium 3-month", "LME Aluminium stock"],
        ["date", "LME Aluminium Alloy Cash-Settlement", "3-month", "stock"],
        ["date", "LME Copper Cash-Settlement", "LME Copper 3-month", "LME Copper stock"],
        ["Cash-Settlement"],
        [],
    ]
)


@st.composite
def westmetall(draw):
    header = draw(HEADERS)
    head = "<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"
    body = "".join(
        "<tr>"
        + "".join(f"<td>{c}" + draw(st.sampled_from(["</td>", ""])) for c in cells)
        + draw(st.sampled_from(["</tr>", ""]))
        for cells in draw(st.lists(st.lists(CELL, max_size=5), max_size=8))
    )
    tail = draw(st.sampled_from(["</table>", "", "<table>"]))
    return f"<html><body><table>{head}{body}{tail}</body></html>".encode("utf-8", "surrogatepass")


@SETTINGS
@given(
    st.one_of(
        westmetall(),
        st.text(max_size=200).map(lambda t: ("<" + t).encode("utf-8", "surrogatepass")),
    )
)
def test_westmetall_page(data):
    check(read_lme_file, data, "page.html")


TOML_VALUE = st.recursive(
    st.one_of(
        st.integers(-(10**30), 10**30),
        st.floats(allow_nan=True),
        st.text(max_size=8),
        st.booleans(),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


def toml_literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_literal(v)}" for k, v in value.items()) + "}"


@st.composite
def variants_toml(draw):
    tables = []
    for _ in range(draw(st.integers(0, 3))):
        params = draw(
            st.dictionaries(
                st.sampled_from(["upper", "lower", "confirm", "x", "entry_pct"]),
                TOML_VALUE,
                max_size=3,
            )
        )
        name = draw(st.one_of(st.text(max_size=6), st.just("a")))
        strategy = draw(st.sampled_from(["bands", "squeeze", "nope", "buy_hold"]))
        tables.append(
            f"[[variant]]\nname = {json.dumps(name)}\nstrategy = {json.dumps(strategy)}\n"
            f"params = {toml_literal(params)}\n"
        )
    extra = draw(st.sampled_from(["", "x = 1\n", "[variant]\n", "[[variant]]\n", "junk ]]["]))
    return ("\n".join(tables) + extra).encode("utf-8", "surrogatepass")


@SETTINGS
@given(
    st.one_of(
        variants_toml(),
        RAW,
        st.integers(1, 3000).map(lambda n: ("x = " + "[" * n + "]" * n).encode()),
    )
)
def test_variants_toml(data):
    check(lambda p: load_variants_file(p, max_variants=200), data, "v.toml")


JSON_VALUE = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=6)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@st.composite
def store_json(draw):
    series = draw(
        st.dictionaries(
            st.sampled_from(["lme", "prices/AA", "catalysts", "x/../y", ""]), JSON_VALUE, max_size=3
        )
    )
    doc = draw(
        st.one_of(
            st.just({"version": 1, "series": series}),
            JSON_VALUE,
            st.fixed_dictionaries({"version": JSON_VALUE, "series": JSON_VALUE}),
        )
    )
    return json.dumps(doc).encode()


@SETTINGS
@given(st.one_of(store_json(), RAW, st.integers(1, 100_000).map(lambda n: b"[" * n + b"]" * n)))
def test_store_json(data):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "store.json").write_bytes(data)
        try:
            meta = Store(Path(folder)).meta()
        except AluError:
            return
        assert isinstance(meta["series"], dict)
        for entry in meta["series"].values():
            assert isinstance(entry, dict)
