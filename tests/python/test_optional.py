"""Optional third-party packages: one check, an error that names the extra."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from kamkit import _optional, cli


def _without(monkeypatch, missing: str) -> None:
    real = importlib.import_module

    def fake(name, *args, **kwargs):
        if name.split(".")[0] == missing:
            raise ImportError(f"No module named {missing!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(_optional.importlib, "import_module", fake)


def test_require_returns_the_module():
    assert _optional.require("matplotlib.pyplot", "a test").__name__ == "matplotlib.pyplot"


@pytest.mark.parametrize(("module", "extra"), [("matplotlib", "plot"), ("pyarrow", "io")])
def test_a_missing_package_names_its_extra(monkeypatch, module, extra):
    _without(monkeypatch, module)
    with pytest.raises(_optional.MissingExtraError, match=rf'pip install "kamkit\[{extra}\]"'):
        _optional.require(module, "a test")


def test_only_declared_extras_are_checked():
    with pytest.raises(ValueError, match="not one of kamkit's optional packages"):
        _optional.require("numpy", "a test")


def test_cli_without_pyarrow_says_which_extra(monkeypatch, tmp_path, capsys):
    path = tmp_path / "log.parquet"
    path.write_bytes(b"not read")
    _without(monkeypatch, "pyarrow")
    code = cli.main(["summarize", str(path)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_MISSING_EXTRA == 3
    assert 'pip install "kamkit[io]"' in " ".join(err.split())


def test_cli_writing_parquet_without_pyarrow(monkeypatch, tmp_path, capsys):
    log = pd.DataFrame(
        {"customer_id": [1, 1, 2], "date": ["2020-01-01", "2020-02-01", "2020-01-05"]}
    )
    log["amount"] = [1.0, 2.0, 3.0]
    src = tmp_path / "log.csv"
    log.to_csv(src, index=False)
    _without(monkeypatch, "pyarrow")
    code = cli.main(["summarize", str(src), "--out", str(tmp_path / "out.parquet")])
    assert code == 3
    assert "kamkit[io]" in capsys.readouterr().err
    assert not (tmp_path / "out.parquet").exists()
