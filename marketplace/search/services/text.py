"""Words as the index stores them: lower case, accents removed, only letters and digits."""

import re
import unicodedata

MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 40
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str | None) -> str:
    """`Batik Tulis Café` → `batik tulis cafe`: what both back ends index and search."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(_WORD.findall(without_marks.lower()))


def query_words(query: str | None) -> list[str]:
    """The words of what a person typed; operators, quotes and symbols are dropped, never interpreted."""
    words = [word[:MAX_WORD_LENGTH] for word in normalize((query or "")[:500]).split() if word.strip("_")]
    return [word.replace("_", "") for word in words if word.replace("_", "")][:MAX_QUERY_WORDS]
