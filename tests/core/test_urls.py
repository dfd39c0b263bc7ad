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
