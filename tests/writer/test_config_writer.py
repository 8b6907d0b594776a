"""The writer's config: personas, a topic's persona, backend keys; errors name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from columnist import config
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
retries = 2
timeout = 60
connect_timeout = 3
threads = 2
context = 2048
batch = 256
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
    w = s.writer
    assert (w.concurrency, w.retries, w.timeout, w.connect_timeout) == (4, 2, 60.0, 3.0)
    assert (w.threads, w.context, w.batch) == (2, 2048, 256)
    assert w.stock_openings == ["Picture the scene"]


def test_defaults(tmp_path: Path) -> None:
    s = load(tmp_path, "")
    assert s.writer.persona == "columnist" and s.writer.concurrency == 1


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
        ("[writer]\nretries = -1\n", "`writer.retries` must be at least 0"),
        ('[writer]\nstock_openings = "x"\n', "`writer.stock_openings` must be"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert needle in str(info.value) and "\n" not in str(info.value)
