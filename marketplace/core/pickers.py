"""The region pickers of the directories, drawn as HTML once per selection instead of on every page.

A province picker is 38 options and a province's regency picker up to 40 more; drawn by a template loop, each
option costs three escapes, a comparison and a loop step, about a millisecond a page for what is the same
reference list every time. The lists never change while the process runs (they ship with the code), so each
selection's options are kept as markup."""

from functools import lru_cache

from markupsafe import Markup, escape

from marketplace.core.regions import ReferenceRegion, provinces, regencies_of


def _options(regions: tuple[ReferenceRegion, ...], selected: str | None, *, with_province: bool) -> Markup:
    parts = []
    for region in regions:
        province = f' data-province="{escape(region.parent_code)}"' if with_province else ""
        chosen = " selected" if region.code == selected else ""
        parts.append(f'<option value="{escape(region.code)}"{province}{chosen}>{escape(region.name)}</option>')
    return Markup("".join(parts))


@lru_cache(maxsize=64)
def province_options(selected: str | None) -> Markup:
    """`<option>`s of every province, the one whose code is `selected` (if any) chosen."""
    return _options(provinces(), selected, with_province=False)


@lru_cache(maxsize=1024)
def regency_options(province_code: str | None, selected: str | None) -> Markup:
    """`<option>`s of a province's regencies and cities, each naming its province for the picker's script."""
    return _options(regencies_of(province_code), selected, with_province=True)
