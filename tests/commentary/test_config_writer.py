"""The writer's config: personas, a topic's persona, each backend's own table
([writer.embedded], [writer.openai]) and the old flat keys; errors name the key."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from columnist import config
from columnist.commentary.backends.embedded import EmbeddedOptions
from columnist.commentary.backends.openai import OpenAIOptions
from columnist.commentary.backends.registry import BACKENDS, BackendInfo
from columnist.errors import ConfigError


def load(tmp_path: Path, text: str) -> config.Settings:
    path = tmp_path / "columnist.toml"
    path.write_text(text)
    return config.load(path)


def test_personas_and_a_topic_persona(tmp_path: Path) -> None:
    s = load(
        tmp_path,
        """
[writer]
persona = "economist"
concurrency = 4
stock_openings = ["Picture the scene"]

[[personas]]
name = "economist"
voice = "a labour economist"
stance = "follow the money"
words = 250
template = "economist"

[[topics]]
name = "Climate"
persona = "sceptic"
""",
    )
    personas = {p.name: p for p in s.personas}
    assert {"columnist", "sceptic", "pragmatist", "economist"} <= set(personas)
    assert personas["economist"].words == 250 and personas["economist"].template == "economist"
    assert s.writer.persona == "economist" and s.topics[0].persona == "sceptic"
    assert s.writer.concurrency == 4 and s.writer.stock_openings == ["Picture the scene"]
    assert s.writer.words_per_source_word == 1.5, "the default"
    s = load(tmp_path, "[writer]\nwords_per_source_word = 0\n")
    assert s.writer.words_per_source_word == 0


def test_defaults(tmp_path: Path) -> None:
    s = load(tmp_path, "")
    assert s.writer.persona == "columnist" and s.writer.concurrency == 1


def test_later_sentences_in_the_first_person_can_be_turned_on(tmp_path: Path) -> None:
    assert load(tmp_path, "").writer.voiced is False
    assert load(tmp_path, "[writer]\nvoiced = true\n").writer.voiced is True


def test_an_older_config_describing_the_writer_still_loads(tmp_path: Path) -> None:
    s = load(tmp_path, '[writer]\npersona = "a grumpy retired sub-editor"\n')
    assert s.writer.persona == "custom"
    assert next(p for p in s.personas if p.name == "custom").voice == "a grumpy retired sub-editor"


def test_a_gguf_path_resolves_against_the_config(tmp_path: Path) -> None:
    s = load(tmp_path, '[writer]\nmodel = "models/my.gguf"\n')
    assert s.writer.model == str(tmp_path.resolve() / "models" / "my.gguf")


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[writer]\npersona = "nobody"\n', "`writer.persona` names no persona: 'nobody'"),
        ('[[topics]]\nname = "A"\npersona = "x"\n', "`topics[0].persona` names no persona"),
        ('[[personas]]\nname = "p"\n', "`personas[0].voice` is required"),
        ('[[personas]]\nname = "p"\nvoice = "v"\ntemplate = "../x"\n', "`personas[0].template`"),
        ('[[personas]]\nname = "p"\nvoice = "v"\nwords = 5\n', "`personas[0].words` must be"),
        ('[[personas]]\nname = "p"\nvoice = "v"\ntone = 1\n', "`personas[0].tone` is not"),
        ("[writer]\nconcurrency = 0\n", "`writer.concurrency` must be at least 1"),
        ("[writer]\nwords_per_source_word = -1\n", "`writer.words_per_source_word` must be"),
        ("[writer]\nretries = -1\n", "`writer.retries` must be at least 0"),
        ('[writer]\nstock_openings = "x"\n', "`writer.stock_openings` must be"),
        ('[writer]\nvoiced = "yes"\n', "`writer.voiced` must be"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert needle in str(info.value) and "\n" not in str(info.value)


# -- each backend's own table -----------------------------------------------------------

TABLES = """
[writer]
backend = "openai"
model = "served-model"

[writer.embedded]
threads = 2
context = 2048
batch = 256

[writer.openai]
base_urls = ["http://gpu1:8000/v1", "http://gpu2:8000/v1"]
api_key_env = "MY_KEY"
retries = 2
timeout = 60
connect_timeout = 3
"""


def test_each_backend_reads_its_own_table(tmp_path: Path, capsys) -> None:
    s = load(tmp_path, TABLES)
    embedded, openai = s.writer.options_for("embedded"), s.writer.options_for("openai")
    assert embedded == EmbeddedOptions(threads=2, context=2048, batch=256)
    assert openai == OpenAIOptions(
        base_urls=["http://gpu1:8000/v1", "http://gpu2:8000/v1"],
        api_key_env="MY_KEY",
        retries=2,
        timeout=60.0,
        connect_timeout=3.0,
    )
    assert s.writer.options_for() is openai, "the chosen backend's options by default"
    assert capsys.readouterr().err == "", "the new tables bring no deprecation note"


def test_a_missing_table_gives_the_backends_defaults(tmp_path: Path) -> None:
    s = load(tmp_path, '[writer]\nwords = 200\n[writer.openai]\nbase_urls = "http://a/v1"\n')
    assert s.writer.options_for() == EmbeddedOptions() and s.writer.backend == "embedded"
    assert s.writer.options_for("openai").base_urls == ["http://a/v1"], "one URL, as a list"


def test_old_flat_keys_still_load_with_one_note_each(tmp_path: Path, capsys) -> None:
    text = (
        '[writer]\nbackend = "openai"\nbase_url = "http://a:8000/v1"\nretries = 1\n'
        "threads = 3\nwords = 200\n"
    )
    s = load(tmp_path, text)
    assert s.writer.options_for("openai").base_urls == ["http://a:8000/v1"]
    assert s.writer.options_for("openai").retries == 1
    assert s.writer.options_for("embedded").threads == 3
    assert s.writer.words == 200
    notes = capsys.readouterr().err.splitlines()
    file = tmp_path / "columnist.toml"
    assert sorted(notes) == sorted(
        [
            f"note: {file}: `writer.base_url` is deprecated; it now goes in "
            "[writer.openai] as `base_urls`",
            f"note: {file}: `writer.retries` is deprecated; it now goes in "
            "[writer.openai] as `retries`",
            f"note: {file}: `writer.threads` is deprecated; it now goes in "
            "[writer.embedded] as `threads`",
        ]
    )
    load(tmp_path, text)
    assert capsys.readouterr().err == "", "each note is printed once"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[writer.openai]\nretries = "many"\n', "`writer.openai.retries` must be int, not str"),
        ("[writer.openai]\nretries = -1\n", "`writer.openai.retries` must be at least 0"),
        ("[writer.openai]\ntimeout = 0\n", "`writer.openai.timeout` must be at least 1.0"),
        ("[writer.openai]\nbase_urls = [1]\n", "`writer.openai.base_urls` must be a URL or a list"),
        (
            '[writer]\nbackend = "openai"\n[writer.openai]\nbase_urls = ["gpu1:8000/v1"]\n',
            "`writer.openai.base_urls` must hold http(s) URLs, not 'gpu1:8000/v1'",
        ),
        ("[writer.embedded]\nthreads = 0\n", "`writer.embedded.threads` must be at least 1"),
        ("[writer.embedded]\ncontext = 100\n", "`writer.embedded.context` must be at least 512"),
        ("[writer.embedded]\nthredas = 2\n", "`writer.embedded.thredas` is not a known key"),
        ('[writer.embedded]\nbase_urls = ["http://a/v1"]\n', "`writer.embedded.base_urls` is not"),
        ("[writer]\nembedded = 2\n", "`writer.embedded` must be a table"),
        ("[writer]\nthreads = 2\n[writer.embedded]\nthreads = 3\n", "`writer.embedded.threads` is"),
        # an old flat key's error names it as the desk wrote it
        ('[writer]\nthreads = "two"\n', "`writer.threads` must be int"),
        ('[writer]\nbackend = "openai"\nbase_url = "gpu1"\n', "`writer.base_url` must hold http"),
    ],
)
def test_backend_table_errors_name_the_key(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    message = str(info.value)
    assert needle in message, message
    assert str(tmp_path) in message and "\n" not in message


def test_overrides_reach_into_a_backends_table(tmp_path: Path) -> None:
    path = tmp_path / "columnist.toml"
    path.write_text(TABLES)
    s = config.load(path, overrides={"writer": {"openai": {"retries": 0}, "words": None}})
    openai = s.writer.options_for("openai")
    assert openai.retries == 0 and openai.api_key_env == "MY_KEY", "the rest of the table stays"
    assert len(openai.base_urls) == 2 and s.writer.words == 220
    with pytest.raises(ConfigError, match=r"`writer\.openai\.retries` must be at least 0"):
        config.load(path, overrides={"writer": {"openai": {"retries": -2}}})


def test_the_starter_and_demo_configs_use_the_tables(tmp_path: Path, capsys) -> None:
    from columnist.cli.demo import demo_config

    starter = (Path(config.__file__).parent / "starter.toml").read_text()
    assert "[writer.embedded]" in starter and "# [writer.openai]" in starter
    assert load(tmp_path, starter).writer.options_for() == EmbeddedOptions()
    s = load(tmp_path, demo_config("some-model", 120, threads=2).as_string())
    assert s.writer.options_for().threads == 2 and s.writer.words == 120
    assert capsys.readouterr().err == ""


def test_reading_the_config_loads_no_backend_library(tmp_path: Path) -> None:
    """Every backend's table is read, yet llama.cpp, numpy and httpx load only when a
    backend is made."""
    path = tmp_path / "columnist.toml"
    path.write_text(TABLES)
    code = (
        "import sys\nfrom columnist import config\n"
        f"config.load({str(path)!r})\n"
        "print(sorted(m for m in ('llama_cpp', 'numpy', 'httpx') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@dataclass(frozen=True, slots=True)
class FakeOptions:
    """A backend added to the registry: config reads its table with no other change."""

    voice: str = "plain"
    FLAT_KEYS: ClassVar[dict[str, str]] = {}

    @classmethod
    def parse(cls, table, *, chosen: bool) -> FakeOptions:  # noqa: ANN001
        return cls(voice=table.get("voice", str, "plain"))


class FakeBackend:
    name, model, concurrency = "fake", "fake-model", 1

    def __init__(self, settings: config.WriterSettings) -> None:
        self.options = settings.options_for(self.name)


def test_a_new_backend_needs_only_its_registry_row(tmp_path: Path, monkeypatch) -> None:
    from columnist.commentary.backends import make_backend

    here = "tests.commentary.test_config_writer"
    row = BackendInfo("fake", f"{here}:FakeBackend", f"{here}:FakeOptions", "nowhere", False)
    monkeypatch.setitem(BACKENDS, "fake", row)
    s = load(tmp_path, '[writer]\nbackend = "fake"\n[writer.fake]\nvoice = "loud"\n')
    assert s.writer.options_for().voice == "loud"
    assert make_backend(s.writer).options.voice == "loud"
    with pytest.raises(ConfigError, match=r"`writer\.fake\.tone` is not a known key"):
        load(tmp_path, '[writer]\nbackend = "fake"\n[writer.fake]\ntone = "loud"\n')
    monkeypatch.delitem(BACKENDS, "fake")
    with pytest.raises(ConfigError, match=r"`writer\.fake` is not a known key"):
        load(tmp_path, '[writer.fake]\nvoice = "loud"\n')


def test_eval_writer_base_url_goes_to_the_backend_that_uses_servers(tmp_path: Path) -> None:
    from columnist.cli.writer import _eval_settings

    s = _eval_settings(None, None, "openai", "http://x:8000/v1", None, None)
    assert s.writer.backend == "openai"
    assert s.writer.options_for().base_urls == ["http://x:8000/v1"]
    path = tmp_path / "columnist.toml"
    path.write_text(TABLES)
    s = _eval_settings(path, None, None, "http://y:8000/v1", None, 2)
    openai = s.writer.options_for()
    assert openai.base_urls == ["http://y:8000/v1"] and openai.api_key_env == "MY_KEY"
    assert s.writer.concurrency == 2


def test_eval_writer_base_url_wins_over_an_old_flat_base_url(tmp_path: Path, capsys) -> None:
    """A flag overrides the config, also when the config has the key under its old flat
    name: no "given twice" error, at most the usual deprecation note."""
    from columnist.cli.writer import _eval_settings
    from tests.conftest import error_line, invoke

    path = tmp_path / "columnist.toml"
    path.write_text('[writer]\nbackend = "openai"\nbase_url = "http://old:8000/v1"\nretries = 1\n')
    s = _eval_settings(path, None, None, "http://new:8000/v1", None, None)
    openai = s.writer.options_for()
    assert openai.base_urls == ["http://new:8000/v1"] and openai.retries == 1
    notes = capsys.readouterr().err
    assert "given twice" not in notes
    assert notes.count("`writer.base_url` is deprecated") <= 1
    # a flag and the new table still conflict with nothing; a file giving both does
    path.write_text(path.read_text() + '[writer.openai]\nbase_urls = ["http://t:8000/v1"]\n')
    with pytest.raises(ConfigError, match="given twice"):
        config.load(path)
    path.write_text('[writer]\nbackend = "openai"\nbase_url = "http://old:8000/v1"\n')
    # through the command: the settings pass, and the first error is the missing story file
    done = invoke("eval-writer", str(tmp_path / "none.jsonl"), "-c", str(path),
                  "--base-url", "http://new:8000/v1")  # fmt: skip
    assert "none.jsonl: cannot be read" in error_line(done)
