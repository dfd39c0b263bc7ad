"""Bank transfer: the buyer sends proof, the cooperative confirms what arrived; the wrong amount keeps it unpaid."""

import io
from datetime import date

import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.ordering.models import Order, OrderStatus
from marketplace.payments.models import TransferProof
from tests.factories import (
    add_staff,
    create_product,
    create_user,
    owner_of,
    pdf_bytes,
    picture_bytes,
    place_order,
    receive,
)
from tests.helpers import csrf_token_from, page_text, signed_in


def _transfer_order(buyer):
    product = create_product(base_price=85_000, tiers=[])
    receive(product, 10)
    return place_order(buyer, (product, 2), payment="bank_transfer").orders[0]


def test_the_buyer_sends_proof_and_staff_confirm_the_right_amount(app, buyer):
    order = _transfer_order(buyer)
    client = signed_in(app, buyer)
    token = csrf_token_from(client, f"/orders/{order.number}")
    for data in (b"not a picture at all", picture_bytes()):
        client.post(f"/orders/{order.number}/transfer-proof", data={"csrf_token": token,
                                                                    "proof": (io.BytesIO(data), "bukti.jpg")},
                    content_type="multipart/form-data")
    client.post(f"/orders/{order.number}/transfer-proof",
                data={"csrf_token": token, "proof": (io.BytesIO(pdf_bytes()), "bukti.pdf")},
                content_type="multipart/form-data")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TransferProof)) == 2  # the junk refused
    stranger = signed_in(app, create_user())
    assert stranger.post(f"/orders/{order.number}/transfer-proof", data={
        "csrf_token": csrf_token_from(stranger, "/"), "proof": (io.BytesIO(picture_bytes()), "x.jpg")},
        content_type="multipart/form-data").status_code == 404

    staff = signed_in(app, owner_of(order.cooperative))
    base = f"/manage/{order.cooperative.slug}/orders/{order.number}"
    page = page_text(staff.get(base))
    assert "Bukti 1" in page and "Bukti 2" in page
    proof = db.session.scalar(sa.select(TransferProof).order_by(TransferProof.id))
    assert staff.get(f"{base}/transfer-proofs/{proof.id}").status_code == 200
    assert signed_in(app, create_user()).get(f"{base}/transfer-proofs/{proof.id}").status_code == 403
    token = csrf_token_from(staff, base)
    staff.post(f"{base}/transfer", data={"csrf_token": token, "amount": "150.000", "received_on": "2026-11-20"})
    assert db.session.get(Order, order.id).status == OrderStatus.AWAITING_PAYMENT  # Rp 170.000 was due
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "payment.transfer_not_matching")) == 1
    assert "tidak sesuai" in page_text(signed_in(app, buyer).get(f"/orders/{order.number}"))
    clerk = signed_in(app, add_staff(order.cooperative, "staff"))
    assert clerk.post(f"{base}/transfer", data={"csrf_token": csrf_token_from(clerk, base), "amount": "170.000",
                                               "received_on": "2026-11-20"}).status_code == 403
    staff.post(f"{base}/transfer", data={"csrf_token": token, "amount": "Rp 170.000",
                                         "received_on": date(2026, 11, 20).isoformat()})
    paid = db.session.get(Order, order.id)
    assert paid.status == OrderStatus.PLACED and paid.paid_at is not None
    again = staff.post(f"{base}/transfer", data={"csrf_token": token, "amount": "170.000",
                                                 "received_on": "2026-11-20"}, follow_redirects=True)
    assert "Pembayaran pesanan ini sudah tercatat." in page_text(again)
