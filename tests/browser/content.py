"""Posts that read like the real thing, so the screenshots show what a reader would see."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from columnist.records import PostView, SourceLink
from tests.site.sitekit import TOPICS

CHINA_RUSSIA, ENERGY, SCIENCE = TOPICS[0], TOPICS[1], TOPICS[2]
START = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

STORIES = [
    (
        "Xi and Putin sign a pipeline deal that leaves the price for later",
        [CHINA_RUSSIA, ENERGY],
        [
            "I have read a lot of summit communiqués, and this one says more by what it "
            "leaves out than by what it puts in. The two leaders agreed to build Power of "
            "Siberia 2, which would carry 50 billion cubic metres of gas a year, yet neither "
            "side would say what China will pay for it.",
            "That silence matters. Moscow needs the pipeline far more than Beijing does, and "
            "a deal without a price is a deal in which the buyer keeps the upper hand.",
            "The reports note that construction would take at least five years. Five years "
            "is a long time to sell gas to a single customer who knows you have no other.",
        ],
        ["Kremlin hails pipeline accord", "Beijing cautious on gas terms", "Analysts on price"],
    ),
    (
        "Joint naval drills off Vladivostok are a message, not a manoeuvre",
        [CHINA_RUSSIA],
        [
            "Twelve ships and two submarines make for a modest exercise by the standards of "
            "either navy. What stands out is where they sailed: within sight of waters that "
            "Japan watches closely.",
            "I think the point was the photograph rather than the seamanship, and the "
            "photograph was taken for audiences in Tokyo and Washington.",
        ],
        ["Russian and Chinese ships begin drills", "Tokyo lodges protest"],
    ),
    (
        "A record week for solar, and a grid that was not ready for it",
        [ENERGY],
        [
            "Solar panels supplied 41% of the country's electricity at midday on Tuesday, a "
            "record, and for two hours the wholesale price fell below zero.",
            "That sounds like a triumph, and partly it is. But negative prices are a symptom "
            "of a grid that cannot store or move power fast enough, and the reports say "
            "battery capacity grew by only a tenth this year.",
            "The lesson I draw is that building panels is now the easy part.",
        ],
        ["Solar output sets record", "Negative power prices for two hours", "Battery build-out"],
    ),
    (
        "Kenya's carbon capture plant is impressive engineering and a small number",
        [SCIENCE, ENERGY],
        [
            "The plant near Lake Naivasha will remove 25,000 tonnes of carbon dioxide a year, "
            "using geothermal heat and turning the gas into rock underground.",
            "I admire the engineering. I am less sure about the arithmetic: the reports point "
            "out that this is roughly what the world emits in 20 seconds.",
        ],
        ["Kenya opens direct air capture plant", "Critics question scale"],
    ),
    (
        "Telescope finds water vapour on a planet that should be too hot for it",
        [SCIENCE],
        [
            "Astronomers say they have found water vapour in the atmosphere of a planet that "
            "orbits its star every 31 hours, at a temperature above 1,000 degrees.",
            "I like results that embarrass the textbooks. This one will take more "
            "observations before anyone rewrites them, and the team says so plainly.",
        ],
        ["Water vapour on hot exoplanet", "What the spectrum shows", "Sceptics weigh in"],
    ),
    (
        "Oil producers agree to hold output, and nobody believes the numbers",
        [ENERGY],
        [
            "The producers' group kept its quotas unchanged for the first quarter, as "
            "expected. The interesting part is the compliance table, which shows three "
            "members pumping above their limits for a sixth month.",
            "A cartel that cannot enforce its quotas is a forum, not a cartel.",
        ],
        ["Producers hold output steady", "Compliance slips again"],
    ),
]


def magazine_posts(first_id: int = 101) -> list[PostView]:
    posts = []
    for n, (title, topics, paragraphs, sources) in enumerate(STORIES):
        created = START + timedelta(hours=9 * n)
        slug = "-".join(title.lower().replace(",", "").replace("'", "").split()[:8])
        posts.append(
            PostView(
                id=first_id + n,
                slug=slug,
                title=title,
                body="\n\n".join(paragraphs),
                excerpt=" ".join(paragraphs[0].split()[:55]),
                created=created,
                updated=created,
                topics=topics,
                sources=[
                    SourceLink(
                        s,
                        f"https://news{k}.example.com/2026/11/{first_id + n}",
                        ["Northern Wire", "Daily Ledger", "Market Lens"][k % 3],
                        created - timedelta(hours=k + 2),
                    )
                    for k, s in enumerate(sources)
                ],
                model="qwen2.5-1.5b-instruct",
            )
        )
    return posts
