"""Demo catalog: believable products for each demo cooperative, photos drawn by the code, stock from members."""

import io
import math
import random
import zlib
from datetime import date, timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from marketplace.catalog.models import Availability, Category, CertificationKind, Product, ProductStatus, Unit
from marketplace.catalog.services.categories import ensure_default_categories
from marketplace.catalog.services.images import add_product_image
from marketplace.catalog.services.products import ProductDetails, change_product_status, create_product
from marketplace.catalog.services.stock import receive_stock
from marketplace.cooperatives.models import Cooperative, Member, StaffMembership, StaffRole
from marketplace.core.timeutil import local_today
from marketplace.extensions import db

# cooperative slug → (sku, name, category, unit, price, moq, tiers, availability, lead, capacity, pattern, colours,
#                     certifications, description)
DEMO_PRODUCTS = {
    "koperasi-produsen-tunas-sukowati-jaya": [
        ("TSJ-ANY-01", "Keranjang anyaman bambu serbaguna", "anyaman", Unit.PIECE, 85_000, 1,
         [(12, 78_000), (50, 70_000)], Availability.READY_STOCK, None, None, "weave", ("#c8a165", "#8a5a2b"), {},
         "Keranjang dari bambu apus yang dianyam tangan oleh pengrajin Banaran.\n\nCocok untuk parsel, "
         "tempat buah, dan penyimpanan."),
        ("TSJ-MEB-02", "Kursi jati ukir Sragen", "mebel", Unit.PIECE, 1_750_000, 2, [(10, 1_600_000)],
         Availability.MADE_TO_ORDER, 21, 15, "stripes", ("#7a4b24", "#b07a45"), {},
         "Kursi kayu jati dengan ukiran khas Sragen. Dibuat sesuai pesanan, finishing melamin."),
        ("TSJ-BTK-03", "Kain batik tulis motif Sukowati", "batik", Unit.SHEET, 450_000, 1, [(20, 410_000)],
         Availability.READY_STOCK, None, None, "batik", ("#1f3a5f", "#e0b84c"), {},
         "Batik tulis pewarna alam, 2 x 1,15 meter."),
        ("TSJ-SRG-04", "Seragam batik kantor (kemeja)", "seragam", Unit.PIECE, 185_000, 24,
         [(100, 165_000), (500, 150_000)], Availability.MADE_TO_ORDER, 30, 400, "batik", ("#5a1f1f", "#d9a441"),
         {}, "Kemeja batik cap untuk seragam dinas dan kantor. Ukuran S sampai XXL, bisa bordir logo instansi."),
    ],
    "kopontren-sunan-drajat": [
        ("SD-AMDK-01", "Air minum dalam kemasan 600 ml (dus isi 24)", "minuman", Unit.CARTON, 48_000, 5,
         [(50, 45_000), (200, 42_000)], Availability.READY_STOCK, None, None, "drops", ("#2a7fc1", "#dff1ff"),
         {CertificationKind.HALAL: ("ID35110000123450823", None),  # BPJPH halal: no expiry date
          CertificationKind.BPOM_MD: ("BPOM RI MD 265213001234", date(2027, 3, 1)),
          CertificationKind.SNI: ("SNI 3553:2015", None)},
         "Air minum pesantren dari sumber di Paciran. Satu dus berisi 24 botol 600 ml."),
        ("SD-MDU-02", "Madu hutan murni 500 gram", "madu", Unit.BOTTLE, 95_000, 1, [(24, 88_000)],
         Availability.READY_STOCK, None, None, "drops", ("#d9901a", "#fbe3a3"),
         {CertificationKind.HALAL: ("ID35110000987650321", None),
          CertificationKind.PIRT: ("2063524010123-31", date(2031, 1, 1))},
         "Madu dari peternak lebah binaan pesantren."),
        ("SD-PPK-03", "Pupuk organik granul 25 kg", "pupuk-organik", Unit.SACK, 65_000, 10, [(100, 58_000)],
         Availability.READY_STOCK, None, None, "dots", ("#4d6b2f", "#a7c17a"), {},
         "Pupuk organik granul hasil unit usaha pesantren."),
    ],
    "kopontren-al-hidayah-mojokerto": [
        ("AH-SPT-01", "Sepatu kulit pantofel santri", "alas-kaki", Unit.PAIR, 275_000, 1, [(12, 250_000)],
         Availability.MADE_TO_ORDER, 14, 60, "stripes", ("#2b1d14", "#6b4a32"), {},
         "Sepatu kulit sapi asli buatan santri Mojokerto. Ukuran 38 sampai 45."),
        ("AH-KUE-02", "Kue kering nastar 500 gram", "kue-dan-camilan", Unit.PACK, 75_000, 1, [(20, 68_000)],
         Availability.READY_STOCK, None, None, "dots", ("#e8b04a", "#fff1c9"),
         {CertificationKind.PIRT: ("2063576010456-30", date(2030, 6, 1))},
         "Nastar selai nanas, renyah, tanpa pengawet."),
    ],
    "koperasi-wanita-dharma-wanita-kabupaten-tangerang": [
        ("DW-BTK-01", "Batik Tangerang motif Kembang Gambir", "batik", Unit.SHEET, 325_000, 1, [(10, 300_000)],
         Availability.READY_STOCK, None, None, "batik", ("#8c1c3b", "#f2c14e"), {},
         "Batik cap khas Tangerang buatan anggota koperasi."),
    ],
}


def _draw(pattern: str, colours: tuple[str, str], seed: int, size=(960, 720)) -> bytes:
    """A product picture drawn from code: patterns that recall each craft, no downloads."""
    randomiser = random.Random(seed)
    image = Image.new("RGB", size, colours[1])
    draw = ImageDraw.Draw(image)
    width, height = size
    if pattern == "weave":
        for x in range(0, width, 48):
            for y in range(0, height, 48):
                if (x // 48 + y // 48) % 2:
                    draw.rectangle([x, y, x + 46, y + 20], fill=colours[0])
                else:
                    draw.rectangle([x, y + 24, x + 20, y + 46], fill=colours[0])
    elif pattern == "stripes":
        for x in range(-height, width, 36):
            draw.line([(x, 0), (x + height, height)], fill=colours[0], width=14)
    elif pattern == "batik":
        for _ in range(40):
            cx, cy, radius = randomiser.randrange(width), randomiser.randrange(height), randomiser.randrange(30, 90)
            for ring in range(radius, 0, -14):
                draw.ellipse([cx - ring, cy - ring, cx + ring, cy + ring], outline=colours[0], width=5)
            for petal in range(8):
                angle = petal * math.pi / 4
                draw.ellipse([cx + math.cos(angle) * radius - 8, cy + math.sin(angle) * radius - 8,
                              cx + math.cos(angle) * radius + 8, cy + math.sin(angle) * radius + 8], fill=colours[0])
    elif pattern == "drops":
        for _ in range(60):
            x, y, r = randomiser.randrange(width), randomiser.randrange(height), randomiser.randrange(10, 40)
            draw.ellipse([x - r, y - r * 1.4, x + r, y + r], fill=colours[0])
    else:
        for x in range(20, width, 60):
            for y in range(20, height, 60):
                draw.ellipse([x, y, x + 24, y + 24], fill=colours[0])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def seed_demo_catalog() -> list[str]:
    report = []
    ensure_default_categories()
    categories = dict(db.session.execute(sa.select(Category.slug, Category.id)).all())
    for cooperative_slug, products in DEMO_PRODUCTS.items():
        cooperative = db.session.scalar(sa.select(Cooperative).where(Cooperative.slug == cooperative_slug))
        if cooperative is None:
            continue
        owner = db.session.scalar(sa.select(StaffMembership).where(
            StaffMembership.cooperative_id == cooperative.id, StaffMembership.role == StaffRole.BOARD)).user
        members = list(db.session.scalars(sa.select(Member).where(Member.cooperative_id == cooperative.id)
                                          .order_by(Member.id)))
        for index, (sku, name, category, unit, price, moq, tiers, availability, lead, capacity, pattern, colours,
                    certifications, description) in enumerate(products):
            if db.session.scalar(sa.select(Product.id).where(Product.cooperative_id == cooperative.id,
                                                             Product.sku == sku)) is not None:
                continue
            producers = [members[(index + offset) % len(members)].id for offset in range(min(2, len(members)))]
            product = create_product(owner, cooperative, ProductDetails(
                name=name, category_id=categories[category], unit=unit, base_price=price, sku=sku,
                availability=availability, min_order_quantity=moq, description=description,
                lead_time_days=lead, weekly_capacity=capacity, local_content=True, tiers=tiers,
                certifications=certifications, producer_ids=producers, weight_grams=None))
            for photo in range(2):
                add_product_image(owner, product, _draw(pattern, colours, seed=zlib.crc32(sku.encode()) + photo),
                                  f"{name} ({photo + 1})")
            if availability == Availability.READY_STOCK:
                for lot, member_id in enumerate(producers):
                    receive_stock(owner, product, member_id=member_id, quantity=20 + 15 * lot + index * 5,
                                  received_on=local_today() - timedelta(days=30 - lot * 10), note="Setoran anggota")
            change_product_status(owner, product, ProductStatus.ACTIVE)
            report.append(f"created product {sku} {name}")
    return report
