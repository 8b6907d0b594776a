"""Rebuild the real (not written) stories of tests/data/writer_eval.jsonl from raw feed files.

The raw files beside this script are verbatim copies of daily per-feed snapshots committed
to github.com/rumca-js/RSS-Link-Database-2024 (see PROVENANCE.md). Each story below names
the items it is built from by their link; the text of a source is the item's RSS
description, made plain: HTML tags stripped and entities decoded, link-only paragraphs and
"<ul>" link lists (newsletter and live-blog boilerplate) dropped, the trailing
"Continue reading..." link dropped, and a last paragraph cut off mid-sentence by the
snapshot dropped. Paragraphs are kept, joined by a blank line. Nothing is reworded.

    python tests/data/real/writer/extract_real_stories.py          # print the JSON lines
    python tests/data/real/writer/extract_real_stories.py --check  # compare with the eval set
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVAL_SET = HERE.parent.parent / "writer_eval.jsonl"
REPO = "rumca-js/RSS-Link-Database-2024"

# key: (day folder, file name in the repository, commit that holds it, outlet)
FILES = {
    "g16": (
        "2024-05-16",
        "https...www.theguardian.com.world.rss_entries.md",
        "9c4312456e2ce15c8aa2bd245b2b942d1d79fa51",
        "The Guardian",
    ),
    "lm16": (
        "2024-05-16",
        "https...www.lemonde.fr.en.rss.une.xml_entries.md",
        "9c4312456e2ce15c8aa2bd245b2b942d1d79fa51",
        "Le Monde",
    ),
    "sd16": (
        "2024-05-16",
        "https...www.sciencedaily.com.rss.all.xml_entries.md",
        "9c4312456e2ce15c8aa2bd245b2b942d1d79fa51",
        "ScienceDaily",
    ),
    "g20": (
        "2024-05-20",
        "https...www.theguardian.com.world.rss_entries.md",
        "88cd3804dbedb3bf3ea8cb8aff113580e0d7b9d4",
        "The Guardian",
    ),
    "lm20": (
        "2024-05-20",
        "https...www.lemonde.fr.en.rss.une.xml_entries.md",
        "88cd3804dbedb3bf3ea8cb8aff113580e0d7b9d4",
        "Le Monde",
    ),
}

G = "https://www.theguardian.com/"
LM = "https://www.lemonde.fr/en/"
SD = "https://www.sciencedaily.com/releases/"

# (topic, [(file key, item link), ...]); the first source's headline is the story's title.
STORIES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "world",
        [
            (
                "g16",
                G + "world/article/2024/may/16/"
                "vladimir-putin-xi-jinping-announce-plans-strengthen-military-ties-beijing",
            )
        ],
    ),
    (
        "world",
        [
            (
                "g16",
                G + "world/article/2024/may/16/"
                "slovakia-robert-fico-stable-serious-condition-shooting",
            ),
            (
                "g16",
                G + "world/article/2024/may/16/"
                "fico-shooting-could-trigger-media-crackdown-in-slovakia-editors-fear",
            ),
            (
                "g16",
                G + "world/live/2024/may/16/"
                "robert-fico-slovakia-prime-minister-pm-shooting-latest-news-updates",
            ),
        ],
    ),
    (
        "world",
        [
            (
                "g16",
                G + "world/article/2024/may/16/"
                "us-completes-installation-of-floating-pier-to-deliver-aid-to-gaza",
            ),
            (
                "g16",
                G + "world/live/2024/may/16/"
                "israel-gaza-war-rafah-middle-east-floating-pier-aid-hamas-latest",
            ),
        ],
    ),
    (
        "world",
        [
            (
                "lm16",
                LM + "international/article/2024/05/16/"
                "new-dutch-coalition-government-announces-strictest-ever-asylum-policy"
                "_6671630_4.html",
            )
        ],
    ),
    (
        "world",
        [
            (
                "lm16",
                LM + "france/article/2024/05/16/"
                "new-caledonia-emerges-from-third-night-of-unrest-amid-tiktok-ban-and-state-of"
                "-emergency_6671623_7.html",
            ),
            (
                "lm16",
                LM + "pixels/article/2024/05/17/"
                "azerbaijan-s-interference-operations-in-new-caledonia-is-only-part-of-the-story"
                "_6671708_13.html",
            ),
        ],
    ),
    (
        "world",
        [
            (
                "g20",
                G + "world/article/2024/may/20/iran-president-ebrahim-raisi-dead-helicopter-crash"
                "-mountains-azerbaijan-border-foreign-minister-hossein-amir-abdollahian",
            ),
            (
                "g20",
                G + "world/article/2024/may/20/"
                "no-signal-from-helicopter-that-crashed-killing-irans-president-turkish-minister-says",
            ),
            (
                "lm20",
                LM + "international/article/2024/05/20/"
                "iran-president-ebrahim-raisi-who-was-tipped-to-succeed-supreme-leader-has-died"
                "_6672020_4.html",
            ),
        ],
    ),
    (
        "world",
        [
            (
                "g20",
                G + "world/article/2024/may/20/new-caledonia-protests-evacuation-flights"
                "-australian-nz-tourists-noumea-stranded-state-of-emergency",
            ),
            (
                "lm20",
                LM + "politics/article/2024/05/20/new-caledonia-mayor-we-need-a-pause-in-the"
                "-institutional-reform-and-unfreezing-of-the-electorate_6672050_5.html",
            ),
        ],
    ),
    (
        "world",
        [
            (
                "g20",
                G + "world/article/2024/may/20/"
                "mediterranean-migrant-boat-disaster-men-on-trial-are-scapegoats-say-lawyers",
            )
        ],
    ),
    (
        "politics",
        [
            (
                "g16",
                G + "politics/article/2024/may/16/"
                "keir-starmer-says-stability-first-step-to-making-britain-better",
            ),
            ("g16", G + "politics/article/2024/may/16/labour-six-pledges-how-likely-success"),
            (
                "g16",
                G + "politics/live/2024/may/16/"
                "labour-keir-starmer-conservatives-rishi-sunak-uk-politics-sue-gray-covid-inquiry",
            ),
        ],
    ),
    (
        "politics",
        [
            (
                "g20",
                G + "politics/article/2024/may/20/"
                "labour-aim-reveal-new-town-sites-first-year-power",
            )
        ],
    ),
    (
        "health",
        [
            (
                "g20",
                G + "uk-news/article/2024/may/20/infected-blood-scandal-cover-up-inquiry-concludes",
            ),
            (
                "g20",
                G + "uk-news/article/2024/may/20/"
                "uk-infected-blood-scandal-report-confirms-this-tragedy-was-preventable",
            ),
            (
                "lm20",
                LM + "international/article/2024/05/20/"
                "uk-inquiry-slams-successive-governments-over-blood-scandal-that-killed-thousands"
                "_6672074_4.html",
            ),
        ],
    ),
    (
        "health",
        [
            (
                "g16",
                G + "politics/article/2024/may/16/"
                "who-accuses-nigel-farage-of-spreading-misinformation-about-pandemic-treaty",
            )
        ],
    ),
    (
        "health",
        [
            (
                "g16",
                G + "uk-news/article/2024/may/16/"
                "school-closed-amid-outbreak-of-parasitic-disease-in-south-devon",
            )
        ],
    ),
    (
        "science",
        [
            (
                "g16",
                G + "environment/article/2024/may/16/"
                "swallows-swifts-house-martins-decline-uk-bird-survey-aoe",
            )
        ],
    ),
    (
        "science",
        [
            (
                "g20",
                G + "environment/article/2024/may/20/"
                "eagles-shifting-flight-paths-to-avoid-ukraine-conflict-scientists-find",
            )
        ],
    ),
    ("science", [("sd16", SD + "2024/05/240516160511.htm")]),
    ("science", [("sd16", SD + "2024/05/240516122547.htm")]),
    ("climate", [("g16", G + "us-news/article/2024/may/16/biden-coal-leases-powder-river-basin")]),
    ("climate", [("g16", G + "us-news/article/2024/may/16/desantis-climate-change-energy-bill")]),
    (
        "climate",
        [
            (
                "g20",
                G + "australia-news/article/2024/may/21/"
                "eraring-coal-fired-power-station-closure-delay-renewable-energy",
            )
        ],
    ),
    (
        "economy",
        [
            (
                "g16",
                G + "business/article/2024/may/16/"
                "bt-reveals-3bn-cuts-as-it-passes-peak-full-fibre-broadband-spend",
            )
        ],
    ),
    ("economy", [("g20", G + "us-news/article/2024/may/20/red-lobster-bankruptcy")]),
    (
        "cities",
        [
            (
                "g16",
                G + "australia-news/article/2024/may/16/"
                "brisbane-city-council-parking-requirements-developers-housing-costs",
            )
        ],
    ),
    ("cities", [("g20", G + "us-news/article/2024/may/20/houston-power-outages-storm")]),
    (
        "technology",
        [
            (
                "g16",
                G + "global-development/article/2024/may/16/"
                "starlink-internet-shutdown-in-sudan-will-punish-millions-elon-musk-warned",
            )
        ],
    ),
    (
        "technology",
        [
            (
                "g20",
                G + "australia-news/article/2024/may/20/"
                "aec-australian-electoral-commission-ai-deepfakes-election",
            )
        ],
    ),
]

ITEM = re.compile(r"^## (?P<title>.+)\n - \[(?P<link>[^\]]+)\]\([^)]*\)\n(?P<rest>.*)", re.S)


def raw_path(key: str) -> Path:
    day, name, _, _ = FILES[key]
    return HERE / f"{REPO.split('/')[1]}__{day}__{name}"


def items(key: str) -> dict[str, tuple[str, str]]:
    """link -> (headline, description) for every item of one raw file."""
    text = raw_path(key).read_text(encoding="utf-8")
    found = {}
    for block in text.split("\n\n## ")[1:]:
        m = ITEM.match("## " + block)
        if not m:
            raise SystemExit(f"{raw_path(key).name}: cannot parse item {block[:60]!r}")
        rest = m["rest"].split("\n\n", 1)
        found[m["link"]] = (m["title"].strip(), rest[1] if len(rest) > 1 else "")
    return found


def plain(fragment: str) -> str:
    fragment = re.sub(r"<br\s*/?>", " ", fragment)
    fragment = re.sub(r"<[^>]+>", "", fragment)
    return re.sub(r"\s+", " ", html.unescape(fragment)).strip()


def clean(description: str) -> str:
    """The plain text of an item's description (see the module docstring)."""
    body = description.strip()
    if "<p>" not in body and "<ul>" not in body:
        return plain(body)
    body = re.sub(r"<ul>.*?</ul>", "", body, flags=re.S)
    paragraphs = []
    for inner in re.findall(r"<p>(.*?)</p>", body, flags=re.S):
        without_links = re.sub(r"<a\b[^>]*>.*?</a>", "", inner, flags=re.S)
        if not re.search(r"\w", plain(without_links)):
            continue  # empty, or only a link ("Sign up ...", "latest updates")
        paragraphs.append(plain(inner))
    return "\n\n".join(paragraphs)


def build() -> list[dict]:
    cache: dict[str, dict[str, tuple[str, str]]] = {}
    stories = []
    for topic, refs in STORIES:
        sources = []
        for key, link in refs:
            found = cache.setdefault(key, items(key))
            if link not in found:
                raise SystemExit(f"{raw_path(key).name}: no item {link}")
            headline, description = found[link]
            day, name, commit, outlet = FILES[key]
            sources.append(
                {
                    "outlet": outlet,
                    "title": headline,
                    "text": clean(description),
                    "url": link,
                    "provenance": {
                        "repo": REPO,
                        "path": f"2024/05/{day}/{name}",
                        "commit": commit,
                        "item": link,
                        "raw": f"tests/data/real/writer/{raw_path(key).name}",
                    },
                }
            )
        provenance = [s.pop("provenance") for s in sources]
        stories.append(
            {
                "title": sources[0]["title"],
                "topic": topic,
                "sources": sources,
                "provenance": provenance,
            }
        )
    return stories


def main() -> None:
    lines = [json.dumps(s, ensure_ascii=False) for s in build()]
    if "--check" in sys.argv[1:]:
        have = EVAL_SET.read_text(encoding="utf-8").splitlines()
        missing = [line for line in lines if line not in have]
        print(f"{len(lines) - len(missing)} of {len(lines)} real stories are in {EVAL_SET.name}")
        raise SystemExit(1 if missing else 0)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
