"""Addresses built as Flask builds them, but not afresh each time: `url_for` matches the whole route map on every
call (about 10 µs). A page of result cards draws a card's product and cooperative about fifty times
(`url_for_slug`, once per request and route); every page draws the layout's dozen fixed links, and a signed-in
officer's supplier directory a shortlist form's action on each card (`fixed_url`, once per application)."""

from urllib.parse import quote

from flask import current_app, g, has_request_context, request, url_for

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


def fixed_url(endpoint: str, **values) -> str:
    """`url_for(endpoint, **values)` for a link that is the same on every page that draws it (the layout's
    navigation, its stylesheet and icons, a form's action), kept by the application for its root path. Only for
    arguments written in a template: each different call is kept for good."""
    if not has_request_context():
        return url_for(endpoint, **values)
    kept = current_app.extensions.setdefault("fixed_urls", {})
    key = (request.script_root, endpoint, *values.items())
    url = kept.get(key)
    if url is None:
        url = kept[key] = url_for(endpoint, **values)
    return url
