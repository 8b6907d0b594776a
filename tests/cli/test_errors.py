"""Bad input: one clear line naming the thing at fault, no traceback, nothing lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from columnist.errors import ModelError
from columnist.modelfiles import SMOLLM2, ShippedModel, locate
from tests.conftest import error_line, invoke


def test_missing_config(tmp_path: Path) -> None:
    done = invoke("run", "-c", str(tmp_path / "nope.toml"))
    assert done.returncode == 1
    assert "nope.toml: config file not found" in error_line(done)


def test_invalid_key(tmp_path: Path) -> None:
    (tmp_path / "columnist.toml").write_text("[writer]\nwords = -5\n")
    done = invoke("build", cwd=tmp_path)
    assert done.returncode == 1
    assert "`writer.words` must be at least 30" in error_line(done)


def test_all_sources_failing_is_an_error_but_a_malformed_one_is_named(tmp_path: Path) -> None:
    (tmp_path / "bad.xml").write_text("<html><body>not a feed</body></html>")
    (tmp_path / "columnist.toml").write_text(
        '[[sources]]\nname = "Broken"\nurl = "bad.xml"\n'
        '[[sources]]\nname = "Missing"\nurl = "missing.xml"\n'
    )
    done = invoke("ingest", "-q", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "source 'Broken'" in done.stderr and "source 'Missing'" in done.stderr
    assert "no source could be read" in done.stderr


def test_init_writes_a_config_that_loads(tmp_path: Path) -> None:
    done = invoke("init", str(tmp_path / "mydesk"))
    assert done.returncode == 0, done.stderr
    assert "add [[sources]] and [[topics]], then run" in done.stderr  # not eaten as markup
    from columnist import config

    settings = config.load(tmp_path / "mydesk" / "columnist.toml")
    assert settings.writer.backend == "embedded" and settings.sources == []
    again = invoke("init", str(tmp_path / "mydesk"))
    assert again.returncode == 1 and "already exists" in error_line(again)


def test_model_failing_its_checksum_is_refused() -> None:
    wrong = ShippedModel(
        name=SMOLLM2.name, filename=SMOLLM2.filename, sha256="0" * 64, package=SMOLLM2.package
    )
    with pytest.raises(ModelError, match="fails its checksum"):
        locate(wrong, verify=True)
    assert locate(SMOLLM2, verify=True).name == SMOLLM2.filename


def test_error_lines_show_brackets_as_written(tmp_path: Path) -> None:
    (tmp_path / "columnist.toml").write_text('sources = "[bold]not a table[/]"\n')
    done = invoke("build", cwd=tmp_path)
    assert "`sources` must be an array of tables ([[sources]])" in error_line(done)
