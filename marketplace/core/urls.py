"""Addresses a page draws many times (a card's product and cooperative), built as Flask builds them, but once per
request and route: `url_for` matches the whole route map each time (about 10 µs), and a page of result cards asks
for about fifty."""

from urllib.parse import quote

from flask import g, url_for

_PLACEHOLDER = "__slug__"
_PATH_SEGMENT_SAFE = "!$&'()*+,/:;=@"  # what Werkzeug leaves unquoted in a path argument (`BaseConverter.to_url`)


def url_for_slug(endpoint: str, slug: str) -> str:
    """`url_for(endpoint, slug=slug)`, for a route whose one argument is `slug`."""
    built = g.get("urls_by_slug")
    if built is None:
        built = g.urls_by_slug = {}
    around = built.get(endpoint)
    if around is None:
        around = built[endpoint] = url_for(endpoint, slug=_PLACEHOLDER).split(_PLACEHOLDER)
    before, after = around
    return f"{before}{quote(slug, safe=_PATH_SEGMENT_SAFE)}{after}"
