import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import AccountKind, User
from marketplace.catalog.models import Availability, CertificationKind, PriceChange, Product, ProductStatus
from marketplace.catalog.services import products, stock
from marketplace.catalog.services.products import InvalidProductDetails, ProductDetails
from marketplace.catalog.services.public import public_product_by_slug, valid_certifications
from marketplace.cooperatives.models import Cooperative
from marketplace.core.errors import Conflict, DomainError, NotFound, NotPermitted, TransitionNotAllowed
from marketplace.core.timeutil import local_today
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from tests.factories import (
    add_staff,
    create_cooperative,
    create_member,
    create_product,
    create_user,
    owner_of,
    product_details,
)
from tests.helpers import page_text, post_form, signed_in


def test_a_new_product_is_a_draft_with_its_first_price_recorded(app):
    cooperative = create_cooperative()
    product = products.create_product(owner_of(cooperative), cooperative, product_details(name="Tas Pandan"))
    assert product.status == ProductStatus.DRAFT
    assert product.slug == "tas-pandan"
    assert [(tier.min_quantity, tier.unit_price) for tier in product.tiers] == [(12, 78_000), (50, 70_000)]
    change = db.session.scalar(db.select(PriceChange))
    assert (change.old_base_price, change.new_base_price) == (None, 85_000)


def test_any_staff_role_keeps_the_catalog_but_outsiders_cannot(app):
    cooperative = create_cooperative()
    clerk = add_staff(cooperative, "staff")
    products.create_product(clerk, cooperative, product_details())
    with pytest.raises(NotPermitted):
        products.create_product(create_user(kind=AccountKind.COOPERATIVE_STAFF), cooperative, product_details())
    with pytest.raises(NotPermitted):
        products.create_product(create_user(kind=AccountKind.ADMIN), cooperative, product_details())


@pytest.mark.parametrize("overrides, field", [
    ({"base_price": 0}, "base_price"),
    ({"base_price": -5}, "base_price"),
    ({"min_order_quantity": 0}, "min_order_quantity"),
    ({"tiers": [(50, 70_000), (12, 78_000)]}, "tiers"),
    ({"tiers": [(12, 90_000)]}, "tiers"),
    ({"min_order_quantity": 24, "tiers": [(12, 78_000)]}, "tiers"),
    ({"availability": Availability.MADE_TO_ORDER}, "lead_time_days"),
    ({"availability": Availability.MADE_TO_ORDER, "lead_time_days": 14}, "weekly_capacity"),
    ({"category_id": 999_999}, "category_id"),
    ({"certifications": {CertificationKind.HALAL: ("", date(2030, 1, 1))}}, "halal_number"),
])
def test_bad_product_details_are_refused_and_nothing_is_written(app, overrides, field):
    cooperative = create_cooperative()
    with pytest.raises(InvalidProductDetails) as refused:
        products.create_product(owner_of(cooperative), cooperative, product_details(**overrides))
    assert field in refused.value.field_errors
    assert db.session.query(Product).count() == 0


def test_a_producer_from_another_cooperative_is_refused(app):
    ours, theirs = create_cooperative(), create_cooperative()
    outsider = create_member(theirs)
    with pytest.raises(InvalidProductDetails) as refused:
        products.create_product(owner_of(ours), ours, product_details(producer_ids=[outsider.id]))
    assert "producer_ids" in refused.value.field_errors


def test_sku_is_unique_within_the_cooperative(app):
    ours, theirs = create_cooperative(), create_cooperative()
    products.create_product(owner_of(ours), ours, product_details(sku="ANY-1"))
    with pytest.raises(InvalidProductDetails):
        products.create_product(owner_of(ours), ours, product_details(sku="ANY-1"))
    products.create_product(owner_of(theirs), theirs, product_details(sku="ANY-1"))


def test_price_changes_are_kept_as_history(app):
    product = create_product()
    owner = owner_of(product.cooperative)
    details = ProductDetails.of(product)
    details.description = "Lebih kuat."
    products.update_product(owner, product, details)
    assert db.session.query(PriceChange).count() == 1  # only the first price so far
    details.base_price, details.tiers = 90_000, [(12, 80_000)]
    assert set(products.update_product(owner, product, details)) == {"base_price", "tiers"}
    history = products.price_history(product)
    assert (history[0].old_base_price, history[0].new_base_price) == (85_000, 90_000)
    assert history[0].old_tiers == [[12, 78_000], [50, 70_000]] and history[0].new_tiers == [[12, 80_000]]


def test_duplicating_makes_a_draft_with_a_fresh_sku(app):
    product = create_product(sku="ANY-7")
    copy = products.duplicate_product(owner_of(product.cooperative), product)
    again = products.duplicate_product(owner_of(product.cooperative), product)
    assert (copy.status, copy.sku, again.sku) == (ProductStatus.DRAFT, "ANY-7-COPY", "ANY-7-COPY2")
    assert copy.slug != product.slug and copy.stock_on_hand == 0


def test_status_changes_follow_the_state_machine(app):
    product = create_product(status="draft")
    owner = owner_of(product.cooperative)
    products.change_product_status(owner, product, ProductStatus.ACTIVE)
    products.change_product_status(owner, product, ProductStatus.ARCHIVED)
    with pytest.raises(TransitionNotAllowed):
        products.change_product_status(owner, product, ProductStatus.ARCHIVED)


@pytest.mark.parametrize("product_status, cooperative_status, public", [
    ("active", "verified", True), ("draft", "verified", False), ("archived", "verified", False),
    ("active", "pending", False), ("active", "suspended", False), ("active", "rejected", False),
])
def test_only_active_products_of_verified_cooperatives_are_public(app, product_status, cooperative_status, public):
    product = create_product(create_cooperative(status=cooperative_status), status=product_status)
    if public:
        assert public_product_by_slug(product.slug) == product
    else:
        with pytest.raises(NotFound):
            public_product_by_slug(product.slug)


def test_an_expired_certificate_stops_counting_by_itself(app):
    product = create_product(certifications={
        CertificationKind.HALAL: ("ID3511000012345", local_today() - timedelta(days=1)),
        CertificationKind.PIRT: ("2063524010123-26", local_today()),
        CertificationKind.SNI: ("SNI 3553:2015", None),
    })
    assert {c.kind for c in valid_certifications(product)} == {CertificationKind.PIRT, CertificationKind.SNI}
    assert {c.kind for c in valid_certifications(product, local_today() + timedelta(days=1))} == {CertificationKind.SNI}


def test_another_cooperatives_product_is_not_found_by_id(app):
    ours, theirs = create_cooperative(), create_cooperative()
    their_product = create_product(theirs)
    with pytest.raises(NotFound):
        products.product_of(owner_of(ours), ours, their_product.id)


def test_only_a_draft_that_never_held_stock_can_be_deleted(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    draft = create_product(cooperative, status="draft")
    products.delete_product(owner, draft)
    assert db.session.get(Product, draft.id) is None
    active = create_product(cooperative, status="active")
    with pytest.raises(Conflict):
        products.delete_product(owner, active)
    stocked = create_product(cooperative, status="draft")
    stock.receive_stock(owner, stocked, member_id=create_member(cooperative).id, quantity=3,
                        received_on=date(2026, 11, 1))
    with pytest.raises(Conflict):
        products.delete_product(owner, stocked)
    with pytest.raises(NotPermitted):
        products.delete_product(owner_of(create_cooperative()), stocked)


def test_the_database_itself_refuses_to_delete_a_product_with_stock_lots(app):
    cooperative = create_cooperative()
    product = create_product(cooperative)
    stock.receive_stock(owner_of(cooperative), product, member_id=create_member(cooperative).id, quantity=3,
                        received_on=date(2026, 11, 1))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.delete(Product).where(Product.id == product.id))
    db.session.rollback()
    assert db.session.get(Product, product.id) is not None


def test_a_draft_is_deleted_from_its_page_and_a_stocked_one_is_kept(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    draft = create_product(cooperative, status="draft", name="Tas contoh")
    stocked = create_product(cooperative, status="draft")
    stock.receive_stock(owner, stocked, member_id=create_member(cooperative).id, quantity=3,
                        received_on=date(2026, 11, 1))
    draft_id, stocked_id, slug = draft.id, stocked.id, cooperative.slug
    client = signed_in(app, owner)
    page = f"/manage/{slug}/products/{draft_id}"
    assert "Hapus draf" in page_text(client.get(page))
    response = post_form(client, f"{page}/delete", {}, token_from=page, follow_redirects=True)
    assert "Tas contoh sudah dihapus." in page_text(response)
    db.session.expunge_all()
    assert db.session.get(Product, draft_id) is None
    kept = post_form(client, f"/manage/{slug}/products/{stocked_id}/delete", {}, token_from=page,
                     follow_redirects=True)
    assert "tetap tercatat" in page_text(kept) and db.session.get(Product, stocked_id) is not None
    stranger = signed_in(app, owner_of(create_cooperative()))
    assert post_form(stranger, f"/manage/{slug}/products/{stocked_id}/delete", {},
                     token_from="/").status_code == 403


def test_a_tkdn_percentage_needs_its_certificate_number_and_a_domestic_product(app):
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    for changes, field in (({"tkdn_basis_points": 4356, "local_content": True}, "tkdn_certificate_number"),
                           ({"tkdn_certificate_number": "TKDN-2026/0456", "local_content": True}, "tkdn_basis_points"),
                           ({"tkdn_basis_points": 4356, "tkdn_certificate_number": "TKDN-2026/0456"}, "local_content")):
        with pytest.raises(InvalidProductDetails) as refusal:
            products.create_product(owner, cooperative, product_details(**changes))
        assert field in refusal.value.field_errors
    product = products.create_product(owner, cooperative, product_details(
        tkdn_basis_points=4356, tkdn_certificate_number="TKDN-2026/0456", local_content=True))
    assert (product.tkdn_basis_points, product.tkdn_certificate_number) == (4356, "TKDN-2026/0456")


def test_the_database_refuses_a_tkdn_above_one_hundred_percent(app):
    product = create_product()
    product.tkdn_basis_points = 10_001
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def products_on_sale_counted(cooperative) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Product.cooperative_id == cooperative.id,
                                                              Product.status == ProductStatus.ACTIVE))


status_steps = st.lists(st.tuples(st.integers(min_value=0, max_value=2),
                                  st.sampled_from([*ProductStatus, "delete"])), max_size=15)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status_steps)
def test_products_on_sale_always_equals_the_active_products(app, steps):
    """The supplier directory orders by this kept count: whatever the catalog does, it is the true one."""
    cooperative = create_cooperative()
    owner = owner_of(cooperative)
    catalog = [create_product(cooperative, status="draft", sku=f"S-{index}") for index in range(3)]
    for index, action in steps:
        product = catalog[index]
        try:
            with unit_of_work():
                if action == "delete":
                    products.delete_product(owner, product)
                    catalog[index] = create_product(cooperative, status="draft", sku=f"S-{index}")
                else:
                    products.change_product_status(owner, product, action)
        except DomainError:
            pass  # refused and rolled back whole
        db.session.refresh(cooperative)
        assert cooperative.products_on_sale == products_on_sale_counted(cooperative)


def test_products_put_on_sale_at_the_same_moment_are_all_counted(app):
    """Real threads, each a request of its own: an increment in the database, not a count read and written back."""
    cooperative = create_cooperative()
    owner_id, cooperative_id = owner_of(cooperative).id, cooperative.id
    product_ids = [create_product(cooperative, status="draft", sku=f"T-{index}").id for index in range(12)]
    errors = []

    def put_on_sale(product_id):
        with app.app_context():
            try:
                with unit_of_work():
                    products.change_product_status(db.session.get(User, owner_id), db.session.get(Product, product_id),
                                                   ProductStatus.ACTIVE)
            except Exception as error:  # a lock timeout would show here
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=put_on_sale, args=(product_id,)) for product_id in product_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()  # end this session's read snapshot to see what the threads committed
    assert errors == []
    assert db.session.get(Cooperative, cooperative_id).products_on_sale == 12


def test_a_product_page_loads_the_same_collections_as_the_relationships_in_their_order(app):
    from marketplace.catalog.models import ProductImage
    from marketplace.catalog.services.public import DETAIL_COLLECTIONS, with_details

    cooperative = create_cooperative()
    zainab, aminah = create_member(cooperative, full_name="Zainab"), create_member(cooperative, full_name="Aminah")
    rich = create_product(cooperative, tiers=[(12, 78_000), (50, 70_000)], producer_ids=[zainab.id, aminah.id],
                          certifications={CertificationKind.PIRT: ("P-IRT 1", None),
                                          CertificationKind.HALAL: ("ID3311", date(2031, 1, 1))})
    plain = create_product(cooperative, tiers=[], certifications={})
    for position in (1, 0):
        db.session.add(ProductImage(product_id=rich.id, image={"key": f"p{position}"}, position=position))
    db.session.commit()
    rich_id, plain_id, rich_slug = rich.id, plain.id, rich.slug
    db.session.expunge_all()

    expected = {product.id: {collection.key: [child.id for child in getattr(product, collection.key)]
                             for collection in DETAIL_COLLECTIONS}
                for product in db.session.scalars(sa.select(Product).where(Product.id.in_([rich_id, plain_id])))}
    db.session.expunge_all()
    loaded = with_details(list(db.session.scalars(sa.select(Product).where(Product.id.in_([rich_id, plain_id]))
                                                  .options(*(sa.orm.lazyload(c) for c in DETAIL_COLLECTIONS)))))
    assert {product.id: {collection.key: [child.id for child in getattr(product, collection.key)]
                         for collection in DETAIL_COLLECTIONS} for product in loaded} == expected
    rich_loaded = next(product for product in loaded if product.id == rich_id)
    assert [member.full_name for member in rich_loaded.producers] == ["Aminah", "Zainab"]
    assert [image.position for image in rich_loaded.images] == [0, 1]
    assert expected[plain_id] == {"tiers": [], "certifications": [], "images": [], "producers": []}
    assert len(expected[rich_id]["tiers"]) == 2 and len(expected[rich_id]["images"]) == 2

    db.session.expunge_all()
    page_product = public_product_by_slug(rich_slug)
    assert [tier.min_quantity for tier in page_product.tiers] == [12, 50]
    assert [image.position for image in page_product.images] == [0, 1]
    assert [c.kind for c in page_product.certifications] == sorted([CertificationKind.HALAL, CertificationKind.PIRT])


def test_a_product_page_read_in_one_statement_holds_what_the_relationships_hold_in_their_order(app):
    from marketplace.catalog.models import PriceTier, ProductImage
    from marketplace.catalog.services.public import public_product_page

    cooperative = create_cooperative()
    zainab = create_member(cooperative, full_name="Zainab", village="Sukowati", public_name_consent=True)
    aminah = create_member(cooperative, full_name="Aminah", village=None, public_name_consent=True)
    unnamed = create_member(cooperative, full_name="Rahasia", public_name_consent=False)
    rich = create_product(cooperative, tiers=[(50, 70_000)],
                          producer_ids=[zainab.id, unnamed.id, aminah.id],
                          certifications={CertificationKind.SNI: ("SNI 3553:2015", None),
                                          CertificationKind.PIRT: ("P-IRT 1", local_today()),
                                          CertificationKind.HALAL: ("ID3311", local_today() - timedelta(days=1))})
    plain = create_product(cooperative, tiers=[], certifications={})
    db.session.add(PriceTier(product_id=rich.id, min_quantity=12, unit_price=78_000))  # a later id, a lower start
    for position, picture in ((1, {"key": "kedua", "widths": [320, 640]}), (0, {"key": "sampul", "widths": [320]})):
        db.session.add(ProductImage(product_id=rich.id, image=picture, alt_text=f"foto {position}", position=position))
    db.session.commit()
    rich_slug, plain_slug = rich.slug, plain.slug
    db.session.expunge_all()

    page = public_product_page(rich_slug)
    assert page.product.slug == rich_slug and page.product.cooperative.id == cooperative.id
    assert [(tier.min_quantity, tier.unit_price) for tier in page.tiers] == [(12, 78_000), (50, 70_000)]
    assert [(picture.image, picture.alt_text) for picture in page.images] == [
        ({"key": "sampul", "widths": [320]}, "foto 0"), ({"key": "kedua", "widths": [320, 640]}, "foto 1")]
    assert [(held.kind, held.number, held.expires_on) for held in page.certifications] == [
        (CertificationKind.HALAL, "ID3311", local_today() - timedelta(days=1)),
        (CertificationKind.PIRT, "P-IRT 1", local_today()), (CertificationKind.SNI, "SNI 3553:2015", None)]
    assert [held.kind for held in page.valid_certifications()] == [CertificationKind.PIRT, CertificationKind.SNI]
    assert [(member.full_name, member.village) for member in page.producers] == [("Aminah", None),
                                                                                ("Zainab", "Sukowati")]
    # The page's own values, never a query behind the template's back.
    with pytest.raises(sa.exc.InvalidRequestError):
        _ = page.product.tiers

    empty = public_product_page(plain_slug)
    assert (empty.tiers, empty.certifications, empty.images, empty.producers) == ([], [], [], [])
    with pytest.raises(NotFound):
        public_product_page("tidak-ada")
