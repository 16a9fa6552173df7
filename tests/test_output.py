"""The one output writer (``alu.output``): streams, the null device, regular files replaced
atomically, links written through, every other kind of file refused in one line and left as it
was; CSV cells neutralised and control characters kept off the terminal."""

from __future__ import annotations

import json
import os
import socket
import stat

import pytest

from alu.output import csv_cell, printable, resolve_target, strip_controls, write_text


def test_dev_null_is_a_discard_target_and_stays_a_device(tmp_path):
    before = os.stat("/dev/null")
    assert resolve_target("/dev/null").kind == "discard"
    assert write_text("/dev/null", "x" * 10) == 10
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    link = tmp_path / "null-link"
    link.symlink_to("/dev/null")
    assert resolve_target(link).kind == "discard"


@pytest.mark.parametrize("name", ["-", "/dev/stdout", "/dev/fd/1"])
def test_stdout_names_are_the_stream(name, capsys):
    assert resolve_target(name).is_stdout
    write_text(name, "hello\n")
    assert capsys.readouterr().out == "hello\n"


def test_an_open_descriptor_is_written_as_a_stream():
    read_end, write_end = os.pipe()
    try:
        write_text(f"/dev/fd/{write_end}", "through the pipe")
        assert os.read(read_end, 100) == b"through the pipe"
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_closed_descriptor_is_refused():
    with pytest.raises(Exception, match="file descriptor 987 is not open"):
        resolve_target("/dev/fd/987", "--json")


def special(kind: str, tmp_path):
    path = tmp_path / f"target-{kind}"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dir":
        path.mkdir()
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        sock.close()
    elif kind == "device":
        return "/dev/zero"
    elif kind == "dangling":
        path.symlink_to(tmp_path / "nowhere")
    return str(path)


KINDS = {
    "fifo": "is a named pipe",
    "dir": "is a directory",
    "socket": "is a socket",
    "device": "is a device",
    "dangling": "symbolic link to a missing file",
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_special_targets_are_refused_and_left_alone(kind, tmp_path):
    target = special(kind, tmp_path)
    before = os.lstat(target)
    with pytest.raises(Exception, match=KINDS[kind]):
        write_text(target, "data", option="--json")
    after = os.lstat(target)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)
    assert after.st_ino == before.st_ino


def test_a_link_to_a_file_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_text(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"


def test_a_file_is_replaced_atomically_keeping_its_mode(tmp_path):
    path = tmp_path / "out.json"
    path.write_text("old")
    path.chmod(0o640)
    write_text(path, "new")
    assert path.read_text() == "new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary file left


def test_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(Exception, match="does not exist"):
        resolve_target(tmp_path / "nope" / "out.json", "--json")


# -- through the CLI -------------------------------------------------------------------------


def test_backtest_json_to_dev_null_discards_and_keeps_the_device(cli):
    code, out, err = cli("backtest", "--json", "/dev/null", "--start", "2024-01-01")
    assert code == 0, err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert "total return" in out.lower() or out  # the terminal summary still prints


def test_backtest_json_to_dev_stdout_prints_the_json(cli):
    code, out, err = cli("backtest", "--json", "/dev/stdout", "--start", "2024-01-01")
    assert code == 0, err
    assert json.loads(out)["strategy"]


@pytest.mark.parametrize("kind", ["fifo", "dir", "device", "dangling"])
@pytest.mark.parametrize(
    "option",
    [
        ("backtest", "--json"),
        ("backtest", "--report"),
        ("watchlist", "--out"),
        ("compare", "--csv"),
        ("compare", "--json"),
        ("compare", "--report"),
    ],
)
def test_every_output_option_refuses_special_files(kind, option, cli, refused, tmp_path):
    target = special(kind, tmp_path)
    before = os.lstat(target)
    command, flag = option
    extra = ["--grid", "upper=3100,3200"] if command == "compare" else []
    refused(cli(command, *extra, flag, target), re.escape(flag) + "|cannot write")
    after = os.lstat(target)
    assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode)


# -- CSV and terminal text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+2", "'+1+2"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\\tx"),
        ("-1.5", "-1.5"),
        ("-12%", "-12%"),
        (-1.5, -1.5),
        (3, 3),
        (None, ""),
        ("plain", "plain"),
        ("red\x1b[31m", "red\\x1b[31m"),
    ],
)
def test_csv_cells(value, cell):
    assert csv_cell(value) == cell


def test_printable_and_strip_controls():
    text = "a\x1b[2Jb\x9bc\u202ed\x07"
    assert printable(text) == "a\\x1b[2Jb\\x9bc\\u202ed\\x07"
    assert strip_controls(text) == "a[2Jbcd"
    assert strip_controls("x\ny", keep_newlines=True) == "x\ny"


def test_an_argument_with_escapes_is_echoed_escaped(cli, refused):
    code, out, err = cli("backtest", "--strategy", "\x1b[31mevil\x1b[0m")
    assert "\x1b" not in out + err
    refused((code, out, err), r"\\x1b\[31mevil")


def test_variant_names_from_toml_reach_csv_neutralised_and_the_table_clean(cli, tmp_path):
    toml = tmp_path / "v.toml"
    toml.write_text(
        '[[variant]]\nname = "=HYPERLINK(\\"http://evil\\",\\"x\\")"\nstrategy = "buy_hold"\n\n'
        '[[variant]]\nname = "\\u001b[31mred"\nstrategy = "bands"\n'
    )
    csv_path = tmp_path / "out.csv"
    code, out, err = cli("compare", "--variants", toml, "--start", "2024-01-01", "--csv", csv_path)
    assert code == 0, err
    assert "\x1b" not in out + err
    text = csv_path.read_text()
    assert "\x1b" not in text
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert "\\x1b[31mred" in text


import re  # noqa: E402  (used by the parametrized refusal patterns above)


def test_png_charts_refuse_a_special_file_in_the_folder_and_write_none(cli, refused, tmp_path):
    from alu.reports.png import png_name

    folder = tmp_path / "charts"
    folder.mkdir()
    fifo = folder / png_name("portfolio")
    os.mkfifo(fifo)
    refused(cli("backtest", "--start", "2024-01-01", "--png", folder), r"--png .*: is a named pipe")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in folder.iterdir()] == [fifo.name]


def test_watchlist_csv_cells_are_neutralised(cli, make_data_dir):
    from alu.watchlist.views import _csv

    text = _csv(("name", "value"), [{"name": "=HYPERLINK(1)", "value": -2.5}])
    assert text.splitlines() == ["name,value", "'=HYPERLINK(1),-2.5"]
    # control characters never get that far: a data file holding one is refused
    root = make_data_dir()
    (root / "catalysts.csv").write_text("date,name,kind\n2026-12-15,x \x1b]0;pwned\x07,tariff\n")
    code, out, err = cli("watchlist", "--data-dir", root)
    assert code == 2 and "not a text file (control characters)" in err
    assert "\x1b" not in out + err
