"""Links between searches: every facet, page and sort link keeps the rest of the search and reads back as it."""

from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from marketplace.catalog.models import Availability
from marketplace.cooperatives.models import CooperativeType
from marketplace.search.services.query import CERTIFICATE_COLUMNS, SORTS, SearchRequest

fields = {
    "q": st.sampled_from(["", "batik", "madu hutan", "kopi & teh", "tenun ikat/NTT", "keripik 100%"]),
    "category": st.none() | st.integers(1, 60),
    "province": st.none() | st.sampled_from(["35", "33", "94"]),
    "regency": st.none() | st.sampled_from(["35.07", "33.74"]),
    "cooperative_type": st.none() | st.sampled_from([kind.value for kind in CooperativeType]),
    "kopontren": st.booleans(),
    "opop": st.booleans(),
    "certificates": st.sets(st.sampled_from(sorted(CERTIFICATE_COLUMNS))).map(lambda kinds: tuple(sorted(kinds))),
    "local": st.booleans(),
    "availability": st.none() | st.sampled_from([availability.value for availability in Availability]),
    "min_price": st.none() | st.integers(0, 10**9),
    "max_price": st.none() | st.integers(0, 10**9),
    "sort": st.sampled_from(SORTS),
    "page": st.integers(1, 400),
}
search_requests = st.builds(SearchRequest, **fields)


@given(search_requests, st.dictionaries(st.sampled_from(sorted(fields)), st.none()).flatmap(
    lambda chosen: st.fixed_dictionaries({name: fields[name] for name in chosen})))
def test_a_link_with_changes_reads_back_as_the_changed_search(search, changes):
    link = search.href(**changes)
    changed = replace(search, **changes)
    assert link == changed.href() == "?" + urlencode(changed.as_args(), doseq=True)
    assert SearchRequest.from_args(MultiDict(parse_qsl(link[1:]))) == changed


def test_a_link_leaves_out_what_is_at_its_default():
    search = SearchRequest(q="batik", province="35", kopontren=True, certificates=("halal", "sni"), page=3)
    assert search.href() == "?q=batik&province=35&kopontren=1&cert=halal&cert=sni&page=3"
    assert search.href(province=None, kopontren=False, certificates=(), page=1) == "?q=batik"
    assert SearchRequest().href() == "?"


def test_a_link_refuses_a_field_the_search_does_not_have():
    with pytest.raises(TypeError):
        SearchRequest().href(colour="red")
    with pytest.raises(TypeError):
        SearchRequest().as_args(colour="red")
