
from marketplace.catalog.models import CertificationKind
from tests.factories import category, create_cooperative, create_product
from tests.helpers import page_text


def test_the_home_page_searches_first_and_shows_categories_opop_and_regions(app, client):
    pesantren = create_cooperative(name="Kopontren Sunan Drajat", province_code="35", regency_code="35.24",
                                   is_pesantren=True, pesantren_name="PP Sunan Drajat", opop_participant=True)
    create_product(pesantren, name="Madu hutan", category_id=category("madu").id)
    page = page_text(client.get("/"))
    assert 'action="/search"' in page
    assert "Hasil pertanian" in page and "Madu hutan" in page and "Jawa Timur" in page


def test_the_search_page_is_bookmarkable_and_keeps_its_filters(app, client):
    create_product(name="Batik tulis", category_id=category("batik").id, certifications={
        CertificationKind.HALAL: ("X1", None)})
    response = client.get("/search?q=batik&cert=halal&sort=price_asc")
    page = page_text(response)
    assert response.status_code == 200
    assert "1 produk untuk “batik”" in page and "Batik tulis" in page
    assert 'aria-current="true">Halal' in page
    assert "cert=halal" in page  # links keep the chosen filters


def test_an_empty_result_suggests_what_to_loosen(app, client):
    create_product(name="Batik tulis")
    page = page_text(client.get("/search?q=batik&province=91"))
    assert "Tidak ada yang cocok" in page and "Coba tanpa:" in page and "provinsi" in page


def test_strange_search_input_gives_a_normal_page(app, client):
    create_product(name="Batik tulis")
    for query in ['"', "batik*", "NOT", "a' OR 1=1 --", "%", "x" * 5000, "page=-1"]:
        assert client.get("/search", query_string={"q": query, "page": "-3", "min_price": "abc"}).status_code == 200
    assert client.get("/search?category=abc&province=x&type=evil&availability=%00&sort=drop").status_code == 200
