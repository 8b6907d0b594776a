"""Config errors name the file and key; paths resolve against the config's folder."""

from pathlib import Path

import pytest

from columnist import config
from columnist.errors import ConfigError


def load_text(tmp_path: Path, text: str) -> config.Settings:
    path = tmp_path / "columnist.toml"
    path.write_text(text)
    return config.load(path)


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    s = load_text(
        tmp_path,
        '[[sources]]\nname = "a"\nurl = "feeds/a.xml"\n'
        '[[topics]]\nname = "China-Russia relations"\n',
    )
    assert s.database.url == f"sqlite:///{tmp_path.resolve()}/columnist.db"
    assert s.site.output == tmp_path.resolve() / "site"
    assert s.sources[0].url == str(tmp_path.resolve() / "feeds/a.xml")
    assert s.topics[0].slug == "china-russia-relations"
    assert s.writer.words == 220 and s.writer.backend == "embedded"
    assert s.writer.restatement_cosine == 0.80
    stricter = load_text(tmp_path, "[writer]\nrestatement_cosine = 0.76\n")
    assert stricter.writer.restatement_cosine == 0.76
    assert s.site.images == "hotlink" and s.site.image_max_bytes == 5_000_000


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[writer]\nwords = "many"\n', "`writer.words` must be int"),
        ('[writer]\nbackend = "gpt"\n', "`writer.backend` must be"),
        (
            '[writer]\nbackend = "openai"\n',
            '`writer.openai.base_urls` is required when backend = "openai"',
        ),
        ('[[sources]]\nname = "a"\n', "`sources[0].url` is required"),
        ('[[topics]]\nname = "A"\n[[topics]]\nname = "a"\n', "`topics[1].name` gives the slug"),
        ('[site]\ntitel = "x"\n', "`site.titel` is not a known key"),
        ('[site]\nimages = "steal"\n', "`site.images` must be one of hotlink, copy, off"),
        ("[site]\nimage_max_bytes = 10\n", "`site.image_max_bytes` must be at least 10000"),
        ("[fetch]\nmax_bytes = 10\n", "`fetch.max_bytes` must be at least 1024"),
        ('[site]\nbase_url = "example.org"\n', "`site.base_url` must start with http"),
        ("[bogus]\n", "`bogus` is not a known section"),
        (
            '[writer]\nbackend = "openai"\nbase_url = [1]\n',
            "`writer.base_url` must be a URL or a list",
        ),
        ("[site\n", "not valid TOML"),
        (
            '[[topics]]\nname = "A"\nexamples = "Liverpool appoint Slot"\n',
            "`topics[0].examples` must be list",
        ),
        (
            '[[topics]]\nname = "A"\ncounter_examples = ["fine", 3]\n',
            "`topics[0].counter_examples` must be a list of strings",
        ),
        (
            '[[topics]]\nname = "A"\nexamples = ["fine", " "]\n',
            "`topics[0].examples` must hold headlines, but item 1 is empty",
        ),
        ("[stories]\nexample_weight = -1\n", "`stories.example_weight` must be at least 0"),
        (
            "[writer]\nrestatement_cosine = 1.5\n",
            "`writer.restatement_cosine` must be a cosine above 0 and at most 1, not 1.5",
        ),
        ('[writer]\nrestatement_cosine = "high"\n', "`writer.restatement_cosine` must be float"),
        (
            '[stories]\ntopic_check = "ask"\n',
            '`stories.topic_check` must be "menu" or "about", not \'ask\'',
        ),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    message = str(info.value)
    assert needle in message
    assert str(tmp_path) in message and "\n" not in message


def test_topic_examples_and_counter_examples(tmp_path: Path) -> None:
    s = load_text(
        tmp_path,
        '[stories]\nexample_weight = 1\n[[topics]]\nname = "Sport"\n'
        'examples = ["Liverpool appoint Slot as head coach"]\n'
        'counter_examples = ["Slot machines to go cashless"]\n[[topics]]\nname = "Weather"\n',
    )
    assert s.topics[0].examples == ["Liverpool appoint Slot as head coach"]
    assert s.topics[0].counter_examples == ["Slot machines to go cashless"]
    assert s.topics[1].examples == [] and s.topics[1].counter_examples == []
    assert s.stories.example_weight == 1.0


def test_several_inference_servers(tmp_path: Path) -> None:
    s = load_text(
        tmp_path,
        '[writer]\nbackend = "openai"\n'
        '[writer.openai]\nbase_urls = ["http://a:8000/v1", "http://b:8000/v1"]\n',
    )
    assert s.writer.options_for().base_urls == ["http://a:8000/v1", "http://b:8000/v1"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        config.load(tmp_path / "nope.toml")
