import itertools

from hypothesis import given
from hypothesis import strategies as st

from marketplace.catalog.services.pricing import price_bands, tier_problems, unit_price_at


@st.composite
def valid_price_tables(draw):
    base = draw(st.integers(min_value=100, max_value=10_000_000))
    moq = draw(st.integers(min_value=1, max_value=50))
    count = draw(st.integers(min_value=0, max_value=4))
    quantities = sorted(draw(st.sets(st.integers(min_value=max(moq, 2), max_value=10_000), min_size=count,
                                     max_size=count)))
    prices = sorted(draw(st.sets(st.integers(min_value=1, max_value=base - 1), min_size=count, max_size=count)),
                    reverse=True)
    return base, moq, list(zip(quantities, prices, strict=True))


@given(valid_price_tables(), st.integers(min_value=1, max_value=20_000), st.integers(min_value=1, max_value=20_000))
def test_buying_more_never_costs_more_per_unit(table, first, second):
    base, moq, tiers = table
    assert tier_problems(base, moq, tiers) == []
    low, high = sorted((first, second))
    assert unit_price_at(base, tiers, high) <= unit_price_at(base, tiers, low) <= base


@given(valid_price_tables())
def test_the_price_bands_cover_every_quantity_from_the_minimum_order(table):
    base, moq, tiers = table
    bands = price_bands(base, moq, tiers)
    assert bands[0][0] == moq and bands[-1][1] is None
    for (start, end, price), following in itertools.pairwise(bands):
        assert end + 1 == following[0]
        assert unit_price_at(base, tiers, start) == price == unit_price_at(base, tiers, end)


def test_tier_rules_name_each_mistake(app):
    with app.test_request_context():
        assert tier_problems(100_000, 1, [(1, 90_000)]) == ["Jenjang harga grosir dimulai dari 2 unit atau lebih."]
        assert "di bawah minimal pembelian" in " ".join(tier_problems(100_000, 24, [(12, 90_000)]))
        assert "harus naik" in " ".join(tier_problems(100_000, 1, [(50, 90_000), (12, 80_000)]))
        assert "lebih rendah" in " ".join(tier_problems(100_000, 1, [(12, 90_000), (50, 95_000)]))
        assert "lebih rendah" in " ".join(tier_problems(100_000, 1, [(12, 100_000)]))
        assert tier_problems(100_000, 1, [(12, 0)])
