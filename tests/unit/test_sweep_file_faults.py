"""`xlt sweep plan|run FILE` where FILE is not a readable YAML mapping: one line naming it, exit 2, nothing written."""

from pathlib import Path

import pytest

from xlt_core.cli import main

FILES = {  # case -> (how FILE is made, what the error says)
    "a folder": (lambda f: f.mkdir(), "is a folder: give a YAML file"),
    "not UTF-8": (lambda f: f.write_bytes(b"\xff\xfe\x00target: [xnli]"), "is not UTF-8 text"),
    "invalid YAML": (lambda f: f.write_text("target: [xnli\n"), "line 2 is not valid YAML"),
    "a tab in YAML": (lambda f: f.write_text("target:\n\t- xnli\n"), "is not valid YAML"),
    "a list": (lambda f: f.write_text("- target: xnli\n"), "expected a mapping of options"),
    "a string": (lambda f: f.write_text("xnli\n"), "expected a mapping of options"),
    "empty": (lambda f: f.write_text(""), "expected a mapping of options"),
    "keys that are not names": (lambda f: f.write_text("1: 2\ntarget: xnli\n"), "expected a mapping of options"),
    "missing": (lambda f: None, "does not exist"),
}


def sweep(*argv) -> int:
    try:
        return main(["sweep", *map(str, argv)])
    except SystemExit as exit_:
        return exit_.code


@pytest.mark.parametrize("command", ["plan", "run"])
@pytest.mark.parametrize("case", FILES)
def test_a_bad_sweep_file_is_one_line(case, command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    make, message = FILES[case]
    make(tmp_path / "sweep.yaml")
    before = sorted(tmp_path.rglob("*"))
    assert sweep(command, "sweep.yaml") == 2
    out, err = capsys.readouterr()
    assert err.startswith("xlt: error: sweep file sweep.yaml") and err.count("\n") == 1, err
    assert message in err and not out
    assert sorted(tmp_path.rglob("*")) == before


def test_an_unreadable_sweep_file_is_one_line(tmp_path, monkeypatch, capsys):
    """Tests run as root, who reads any file: the OSError is simulated."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sweep.yaml").write_text("target: [xnli]\n")

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", refuse)
    assert sweep("plan", "sweep.yaml") == 2
    assert capsys.readouterr().err == "xlt: error: sweep file sweep.yaml cannot be read (Permission denied)\n"
