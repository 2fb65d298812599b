"""Made-up articles for the serving benchmark, bulk-inserted into PostgreSQL fast.

Bodies are the size of the old site's posts (1,700 to 4,900 words, about 2,800 on
average) in the house syntax: a lede before <excerpt/>, sections with headings,
captioned figures, pull quotes, lists, links and a closing bio. The words follow a
Zipf distribution over a large vocabulary (English function words, a policy
vocabulary, then a long tail of invented words), so a search term is found in a
realistic share of the articles instead of in all of them.

Rendering every body through the Markdown renderer would take hours at 100,000
articles, so a pool of blocks (paragraphs, headings, figures…) is rendered once with
the real renderer and each article is assembled from blocks of the pool: its Markdown
and its HTML are the concatenations of the same blocks, and the search index gets the
same text. Articles, credits and topics go in with bulk inserts, the search index with
COPY. Everything is made up here with a seeded generator; no real text is copied.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta

FUNCTION_WORDS = (
    "the of and to in a is that for it as with was on be by this are at from or an which "
    "not have has but its their they more than its also can will would were been other "
    "into these such over only between while most about after where both those each "
    "under when could through against there should may within what because then"
).split()

POLICY_WORDS = (
    "security policy defence strategy government alliance energy sanctions cyber maritime "
    "deterrence intelligence procurement satellite infrastructure governance escalation "
    "doctrine analysis evidence capacity investment regulation interoperability network "
    "nuclear missile arms control treaty diplomacy coalition conflict ceasefire border "
    "migration climate resilience supply chain semiconductor export lithium cobalt rare "
    "earth minerals shipping port canal strait navy army air force space launch orbit "
    "drone artificial intelligence data privacy surveillance election disinformation "
    "media trust institution parliament minister budget spending economy inflation trade "
    "tariff market finance bank currency debt growth industry manufacturing technology "
    "innovation research university talent workforce training recruitment reserve "
    "logistics stockpile ammunition artillery armour aircraft frigate submarine "
    "hypersonic radar sensor command communications encryption quantum computing "
    "pipeline grid electricity gas oil hydrogen nuclear renewable wind solar storage "
    "battery transition emissions adaptation flood drought food water health pandemic "
    "vaccine hospital insurance pension housing transport rail aviation cities regions "
    "europe asia africa america pacific atlantic arctic baltic mediterranean gulf "
    "russia china india japan korea taiwan ukraine poland germany france britain turkey "
    "iran israel egypt nigeria kenya brazil mexico canada australia indonesia vietnam "
    "partnership cooperation competition rivalry coercion influence leverage autonomy "
    "sovereignty legitimacy accountability transparency oversight reform modernisation "
    "readiness posture capability requirement acquisition programme contract industry "
    "exercise operation mission campaign doctrine concept experiment wargame scenario "
    "risk threat vulnerability attack incident response recovery crisis warning "
    "assessment forecast indicator trend survey interview dataset model estimate"
).split()

SYLLABLES = (
    "ka ro mi ta ne lu sa vo pe ri da go ha zu le mo ni ba te ko ra fi su de yo wa ti "
    "na po me li ga bu so re ki do va lo sé mu ze ho ja ce nu pi xa"
).split()

FIRST_NAMES = (
    "Ada Ben Chloe Dmitri Elena Farid Grace Hugo Ines Jonas Kemi Liam Maya Noor Omar "
    "Priya Quentin Rosa Samir Tara Umar Vera Wen Xavier Yara Zofia Alma Bruno Clara Darius"
).split()
LAST_NAMES = (
    "Quill Stroud Ortega Novak Haddad Lindqvist Mensah Okafor Petrov Rossi Sato Varga "
    "Achebe Bauer Castillo Dubois Eriksen Fontaine Gupta Horvat Ivanova Jensen Kowalski"
).split()


@dataclass(frozen=True)
class Block:
    markdown: str
    html: str
    text: str
    words: int


class Vocabulary:
    """Words drawn with Zipf weights: function words first, policy words, a long tail."""

    def __init__(self, rng: random.Random, size: int = 30_000):
        policy = list(dict.fromkeys(POLICY_WORDS))
        rng.shuffle(policy)
        tail = set()
        while len(tail) < size - len(FUNCTION_WORDS) - len(policy):
            tail.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
        words = sorted(tail)
        rng.shuffle(words)
        # Policy words spread from common (rank 80) to rare (rank 20,000): some are in
        # most articles, some in a few hundredths of them, as in a real archive.
        for index, word in enumerate(policy):
            words.insert(int(80 * (20_000 / 80) ** (index / len(policy))), word)
        self.words = FUNCTION_WORDS + words
        weights = [1 / (rank + 1) for rank in range(len(self.words))]
        total = sum(weights)
        self.cumulative = []
        running = 0.0
        for weight in weights:
            running += weight / total
            self.cumulative.append(running)

    def sample(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def sentence(self, rng: random.Random, low: int = 12, high: int = 26) -> str:
        text = " ".join(self.sample(rng, rng.randint(low, high)))
        return text[0].upper() + text[1:] + "."

    def title(self, rng: random.Random) -> str:
        words = [rng.choice(POLICY_WORDS) for _ in range(rng.randint(3, 7))]
        return " ".join(words).capitalize()


def block_pool(rng: random.Random, vocabulary: Vocabulary, size: int = 3000) -> dict:
    """Blocks rendered once with the real renderer, by kind."""
    from django.utils.html import strip_tags

    from articles.markdown import render_fragment

    def block(markdown: str) -> Block:
        html = render_fragment(markdown)
        text = " ".join(strip_tags(html).split())
        return Block(markdown, html, text, len(text.split()))

    def paragraph() -> str:
        sentences = [vocabulary.sentence(rng) for _ in range(rng.randint(3, 6))]
        if rng.random() < 0.3:
            words = " ".join(vocabulary.sample(rng, 3))
            link = f"[{words}](https://example.org/notes/{rng.randint(1, 9999)})"
            sentences.insert(rng.randrange(len(sentences)), link)
        return " ".join(sentences)

    pool = {
        "paragraph": [block(paragraph()) for _ in range(size)],
        "lede": [block(f"_{vocabulary.sentence(rng, 20, 40)}_") for _ in range(size // 10)],
        "heading": [block(f"### {vocabulary.title(rng)}") for _ in range(size // 10)],
        "figure": [
            block(
                f"![{vocabulary.title(rng)}](https://images.example.org/{index}.png)\n"
                f"_▲ __Figure.__ {vocabulary.sentence(rng, 8, 14)} "
                "[Source](https://example.org/data)._"
            )
            for index in range(size // 20)
        ],
        "pullquote": [
            block(f"___`{vocabulary.sentence(rng, 10, 18)}`___") for _ in range(size // 20)
        ],
        "list": [
            block("\n".join(f"- {vocabulary.sentence(rng, 6, 12)}" for _ in range(4)))
            for _ in range(size // 20)
        ],
    }
    return pool


def body(rng: random.Random, pool: dict) -> tuple[Block, list[Block]]:
    """A lede and the blocks of one body, about the length of an old-site post."""
    target = int(rng.triangular(1700, 4900, 2400))
    lede = rng.choice(pool["lede"])
    blocks, words = [rng.choice(pool["paragraph"])], lede.words
    while words < target:
        if len(blocks) % 6 == 0:
            blocks.append(rng.choice(pool["heading"]))
        roll = rng.random()
        kind = (
            "figure" if roll < 0.04 else "pullquote" if roll < 0.07 else "list" if roll < 0.1
            else "paragraph"
        )  # fmt: skip
        blocks.append(rng.choice(pool[kind]))
        words += blocks[-1].words
    return lede, blocks


def generate(*, articles: int, seed: int = 7, batch: int = 500, say=print) -> dict:
    """Fill the (empty, migrated) database with `articles` articles, their authors and
    topics; returns what the benchmark needs to know about them."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify
    from taggit.models import Tag, TaggedItem

    from articles.markdown import render_fragment
    from articles.models import Article, ArticleAuthor, BylineName
    from authors.models import AuthorProfile

    rng = random.Random(seed)
    vocabulary = Vocabulary(rng)
    pool = block_pool(rng, vocabulary)

    author_count = min(max(20, articles // 150), 400)
    names = list(dict.fromkeys(f"{first} {last}" for last in LAST_NAMES for first in FIRST_NAMES))
    authors = []
    for index in range(author_count):
        name = names[index] if index < len(names) else f"{names[index % len(names)]} {index}"
        bio = f"__{name}__ is a Research Fellow. {vocabulary.sentence(rng)}"
        authors.append(
            AuthorProfile(
                name=name,
                slug=slugify(name) or f"author-{index}",
                position="Research Fellow",
                department=rng.choice(POLICY_WORDS).capitalize(),
                bio=bio,
                bio_html=render_fragment(bio),
            )
        )
    authors = AuthorProfile.objects.bulk_create(authors)
    author_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(authors))]

    tag_count = min(max(25, articles // 300), 300)
    tag_names = list(dict.fromkeys(POLICY_WORDS))[:tag_count]
    while len(tag_names) < tag_count:
        tag_names.append(" ".join(rng.sample(POLICY_WORDS, 2)))
        tag_names = list(dict.fromkeys(tag_names))
    tags = Tag.objects.bulk_create(
        [Tag(name=name.capitalize(), slug=slugify(name)) for name in tag_names]
    )
    tag_weights = [1 / (rank + 1) for rank in range(len(tags))]
    article_type = ContentType.objects.get_for_model(Article)

    now = timezone.now()
    span = timedelta(days=365 * 15)
    statuses = (
        [Article.Status.PUBLISHED] * 970
        + [Article.Status.DRAFT] * 12
        + [Article.Status.IN_REVIEW] * 6
        + [Article.Status.CHANGES_REQUESTED] * 4
        + [Article.Status.WITHDRAWN] * 3
        + ["scheduled"] * 5
    )

    with connection.cursor() as cursor:
        # Faster bulk loading; the GIN index is built once at the end.
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("DROP INDEX IF EXISTS articles_search_document")

    made = 0
    while made < articles:
        count = min(batch, articles - made)
        rows, credits, topics, search_rows = [], [], [], []
        for offset in range(count):
            index = made + offset
            lede, blocks = body(rng, pool)
            title = vocabulary.title(rng)
            status = rng.choice(statuses)
            # Oldest first, so ids follow publication order as on a real site.
            published_at = now - span * (1 - (index + 1) / (articles + 1)) - timedelta(hours=1)
            if status == "scheduled":
                status = Article.Status.PUBLISHED
                published_at = now + timedelta(hours=rng.randint(1, 24 * 30))
            elif status != Article.Status.PUBLISHED and rng.random() < 0.5:
                published_at = None
            credited = list(
                dict.fromkeys(
                    rng.choices(authors, weights=author_weights, k=rng.choice([1, 1, 1, 2, 3]))
                )
            )
            bio_markdown = "\n\n".join(
                f"__{author.name}__ is a Research Fellow." for author in credited
            )
            markdown = "\n\n".join(
                [lede.markdown, "<excerpt/>", *(b.markdown for b in blocks), "---", bio_markdown]
            )
            words = lede.words + sum(b.words for b in blocks)
            rows.append(
                Article(
                    title=title,
                    slug=f"{slugify(title)[:200]}-{index}",
                    subtitle=vocabulary.sentence(rng, 8, 14),
                    body=markdown,
                    body_html="\n".join([lede.html, *(b.html for b in blocks)]),
                    excerpt_html=lede.html,
                    bio_html="\n".join(
                        f'<p><strong><a href="{author.get_absolute_url()}">{author.name}</a>'
                        "</strong> is a Research Fellow.</p>"
                        for author in credited
                    ),
                    reading_time=max(1, math.ceil(words / 230)),
                    status=status,
                    published_at=published_at,
                    hero_image_url=f"https://images.example.org/hero/{index}.jpg",
                    hero_alt=vocabulary.sentence(rng, 5, 9),
                    is_featured=index >= articles - 3,
                    byline=[BylineName.entry(author) for author in credited],
                )
            )
            credits.append(credited)
            topics.append(
                list(dict.fromkeys(rng.choices(tags, weights=tag_weights, k=rng.randint(2, 4))))
            )
            search_rows.append(
                (
                    title,
                    rows[-1].subtitle,
                    " ".join([lede.text, *(b.text for b in blocks)]),
                    ", ".join(author.name for author in credited),
                )
            )
        with transaction.atomic():
            created = Article.objects.bulk_create(rows)
            ArticleAuthor.objects.bulk_create(
                ArticleAuthor(article=article, author=author, position=position)
                for article, people in zip(created, credits, strict=True)
                for position, author in enumerate(people, start=1)
            )
            TaggedItem.objects.bulk_create(
                TaggedItem(content_type=article_type, object_id=article.pk, tag=tag)
                for article, chosen in zip(created, topics, strict=True)
                for tag in chosen
            )
            with connection.cursor() as cursor:
                with cursor.copy(
                    "COPY articles_search (article_id, title, subtitle, body, authors) FROM STDIN"
                ) as copy:
                    for article, row in zip(created, search_rows, strict=True):
                        copy.write_row((article.pk, *row))
        made += count
        if made % (batch * 20) == 0 or made == articles:
            say(f"  {made:,} articles")

    say("  building the search index and analysing")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX articles_search_document ON articles_search USING gin (document)"
        )
    connection.close()
    with connection.cursor() as cursor:
        for table in ("articles_article", "articles_articleauthor", "taggit_taggeditem",
                      "articles_search", "taggit_tag", "authors_authorprofile"):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {"authors": len(authors), "tags": len(tags)}
