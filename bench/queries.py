"""The varied searches the benchmark sends: what buyers and procurement officers type and click, in the mix a
marketplace log shows (mostly one or two product words, a place, some facets, a few pages further, a few typos).

Deterministic (a fixed seed), so every run and both databases measure the same set. Words come from the bench
data set's vocabulary (`marketplace.bench_data`), which is what makes them match like real searches: a
one-word search such as "batik" or "sragen" matches 10–13% of the catalogue.
"""

import random
from urllib.parse import urlencode

BROAD_WORDS = ["batik", "kopi", "madu", "tas", "kain", "kemeja", "seragam", "kayu", "jati", "kulit", "tenun",
               "dompet", "kue", "pupuk", "teh", "gamis", "keripik", "anyaman", "sarung", "beras"]
TYPOS = ["batk", "kopii", "maddu", "seragm", "kripik", "tenunn", "anyman", "dompt"]
PROVINCES = ["11", "12", "13", "31", "32", "33", "34", "35", "36", "51", "52", "61", "63", "64", "73", "76", "81",
             "94"]
SORTS = ["price_asc", "price_desc", "newest", "most_ordered"]
CERTIFICATES = ["halal", "pirt", "bpom_md", "sni"]


def _vocabulary() -> tuple[list[str], list[str]]:
    # Imported here: the application reads its settings when first imported, after the benchmark sets them.
    from marketplace.bench_data import PLACES, WORDS

    return sorted({phrase.lower() for nouns in WORDS.values() for phrase in nouns}), [place.lower()
                                                                                    for place in PLACES]


def search_queries(count: int = 300, seed: int = 17) -> list[dict]:
    """`count` different searches as query-string dictionaries (the search page's own parameters)."""
    randomiser = random.Random(seed)
    phrases, places = _vocabulary()
    seen: set[str] = set()
    queries: list[dict] = []

    def words() -> str:
        roll = randomiser.random()
        if roll < 0.30:
            return randomiser.choice(BROAD_WORDS)
        if roll < 0.55:
            return randomiser.choice(phrases)
        if roll < 0.70:
            return f"{randomiser.choice(BROAD_WORDS)} {randomiser.choice(places)}"
        if roll < 0.78:
            return randomiser.choice(places)
        if roll < 0.88:
            word = randomiser.choice(BROAD_WORDS)
            return word[:max(3, len(word) - 2)]  # typed as far as the suggestion list
        if roll < 0.94:
            return randomiser.choice(TYPOS)
        return ""  # browsing a category or a province without words

    while len(queries) < count:
        query: dict = {}
        text = words()
        if text:
            query["q"] = text
        if not text or randomiser.random() < 0.25:
            query["category"] = str(randomiser.randrange(1, 30))
        if randomiser.random() < 0.25:
            query["province"] = randomiser.choice(PROVINCES)
        if randomiser.random() < 0.12:
            query["cert"] = randomiser.choice(CERTIFICATES)
        if randomiser.random() < 0.10:
            query["availability"] = "ready_stock"
        if randomiser.random() < 0.08:
            query["kopontren"] = "1"
        if randomiser.random() < 0.10:
            query["max_price"] = str(randomiser.randrange(50, 1500) * 1000)
        if randomiser.random() < 0.20:
            query["sort"] = randomiser.choice(SORTS)
        if randomiser.random() < 0.15:
            query["page"] = str(randomiser.randrange(2, 6))
        key = urlencode(sorted(query.items()))
        if key not in seen:
            seen.add(key)
            queries.append(query)
    return queries


def search_paths(count: int = 300, seed: int = 17) -> list[str]:
    return ["/search?" + urlencode(query) for query in search_queries(count, seed)]
