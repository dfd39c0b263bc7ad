from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.core.urls import url_for_slug


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # the app is only read
@given(slug=st.text(min_size=1, max_size=40).filter(lambda text: "__slug__" not in text))
def test_an_address_by_slug_is_the_one_flask_builds(app, slug):
    from flask import url_for

    with app.test_request_context("/", base_url="https://pasar.example/sub"):
        for endpoint in ("storefront.product", "storefront.cooperative"):
            assert url_for_slug(endpoint, slug) == url_for(endpoint, slug=slug)


def test_a_fixed_link_is_the_one_flask_builds_under_each_root_the_application_is_served_from(app, client):
    from flask import url_for

    from marketplace.core.urls import fixed_url

    for root in ("", "/pasar", "/pasar/koperasi", ""):  # the links kept for one root never leak to another
        with app.test_request_context("/", base_url=f"https://pasar.example{root}"):
            for endpoint, values in (("static", {"filename": "css/app.css"}), ("storefront.home", {}),
                                     ("sourcing.suppliers", {}), ("accounts.login", {})):
                assert fixed_url(endpoint, **values) == url_for(endpoint, **values)
                assert fixed_url(endpoint, **values).startswith(f"{root}/")
    html = client.get("/", environ_overrides={"SCRIPT_NAME": "/pasar"}).get_data(as_text=True)
    assert 'href="/pasar/static/css/app.css"' in html and 'href="/pasar/suppliers"' in html
    html = client.get("/").get_data(as_text=True)
    assert 'href="/static/css/app.css"' in html and 'href="/suppliers"' in html
