import re

from marketplace.core.pickers import _options, province_options, regency_options
from marketplace.core.regions import ReferenceRegion, provinces, regencies_of
from tests.factories import create_cooperative


def chosen(markup: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)"[^>]* selected>', markup)


def test_a_province_picker_offers_every_province_and_marks_the_chosen_one():
    assert re.findall(r'<option value="([^"]+)"', province_options(None)) == [region.code for region in provinces()]
    assert chosen(province_options(None)) == [] and chosen(province_options("99")) == []
    assert chosen(province_options("33")) == ["33"]
    assert ">Jawa Tengah</option>" in province_options("33")


def test_a_regency_picker_offers_the_provinces_regencies_naming_their_province():
    options = regency_options("33", "33.14")
    assert re.findall(r'<option value="([^"]+)"', options) == [region.code for region in regencies_of("33")]
    assert options.count('data-province="33"') == len(regencies_of("33"))
    assert chosen(options) == ["33.14"]
    assert regency_options(None, None) == "" and regency_options("99", "99.01") == ""


def test_names_and_codes_are_escaped():
    region = ReferenceRegion(code='1"2', name="<Kota & Kabupaten>", kind="kota", parent_code="1", time_zone="")
    assert _options((region,), None, with_province=True) == (
        '<option value="1&#34;2" data-province="1">&lt;Kota &amp; Kabupaten&gt;</option>')


def test_the_directories_keep_the_chosen_region_in_their_pickers(app, client):
    create_cooperative()
    page = client.get("/cooperatives?province=33&regency=33.14").get_data(as_text=True)
    assert chosen(page) == ["33", "33.14"]
    assert chosen(client.get("/suppliers?province=35").get_data(as_text=True)) == ["35", "record"]  # and the order
