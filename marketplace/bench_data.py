"""`flask seed-bench`: a large, realistic data set for measuring speed, written with bulk inserts.

Cooperatives spread over every regency, two members each, products over every category with tiers,
certificates, stock lots (so on-hand stock and attribution stay consistent), then the search index.
Every record is marked with a `bench-` slug or SKU so it is never confused with real data.
"""

import random
from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.catalog.models import Category, PriceTier, Product, ProductCertification, StockLot, product_producers
from marketplace.catalog.services.categories import ensure_default_categories
from marketplace.cooperatives.models import Cooperative, Member
from marketplace.core.regions import Region, RegionKind
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.search.services.indexer import rebuild_index

WORDS = {
    "batik": ["Batik tulis", "Batik cap", "Kain batik", "Kemeja batik", "Selendang batik"],
    "tenun": ["Kain tenun ikat", "Sarung tenun", "Syal tenun"], "anyaman": ["Keranjang anyaman", "Tas anyaman pandan",
                                                                         "Tikar mendong"],
    "ukiran-kayu": ["Ukiran kayu jati", "Patung kayu"], "gerabah": ["Vas gerabah", "Kendi tanah liat"],
    "bambu": ["Lampu bambu", "Rak bambu"], "kulit": ["Dompet kulit", "Ikat pinggang kulit"],
    "mebel": ["Kursi jati", "Meja makan jati"], "fesyen-muslim": ["Gamis", "Mukena bordir", "Kerudung"],
    "konveksi": ["Kaos sablon", "Jaket kanvas"], "seragam": ["Seragam dinas", "Seragam sekolah", "Kemeja PDH"],
    "makanan-olahan": ["Keripik singkong", "Sambal pecel", "Rengginang"], "minuman": ["Air minum kemasan",
                                                                                        "Sirup markisa"],
    "kue-dan-camilan": ["Nastar", "Kue kering", "Dodol"], "madu": ["Madu hutan", "Madu randu"],
    "kopi-dan-teh": ["Kopi arabika", "Kopi robusta", "Teh hijau"], "beras-dan-biji-bijian": ["Beras organik"],
    "pupuk-organik": ["Pupuk organik granul", "Pupuk kompos"], "alat-tulis": ["Buku tulis", "Map batik"],
    "cendera-mata": ["Gantungan kunci", "Miniatur becak"], "tas-dan-dompet": ["Tas rajut", "Dompet batik"],
}
PLACES = ["Sragen", "Pekalongan", "Lasem", "Jepara", "Tuban", "Garut", "Tasik", "Kudus", "Gresik", "Sumenep"]


def seed_bench(*, cooperatives: int, products: int, seed: int = 2026) -> str:
    if db.session.scalar(sa.select(Cooperative.id).where(Cooperative.slug.like("bench-%")).limit(1)):
        return "bench data already present; nothing added"
    randomiser = random.Random(seed)
    ensure_default_categories()
    db.session.commit()
    categories = dict(db.session.execute(sa.select(Category.slug, Category.id).where(Category.parent_id.is_not(None))
                                         ).all())
    regencies = db.session.execute(sa.select(Region.code, Region.parent_code)
                                   .where(Region.kind != RegionKind.PROVINCE)).all()
    connection = db.session.connection()
    now = utcnow()
    first_cooperative = (db.session.scalar(sa.select(sa.func.max(Cooperative.id))) or 0) + 1
    cooperative_rows = []
    for index in range(cooperatives):
        regency, province = regencies[index % len(regencies)]
        pesantren = index % 5 == 0
        cooperative_rows.append(dict(
            id=first_cooperative + index, slug=f"bench-koperasi-{index}", name=f"Koperasi Bench {index}",
            order_prefix=f"K{first_cooperative + index}",
            cooperative_type="produsen" if index % 3 else "pemasaran", is_pesantren=pesantren,
            pesantren_name=f"PP Bench {index}" if pesantren else None, opop_participant=pesantren and index % 2 == 0,
            nik_koperasi=f"9{index:015d}", street_address="Jl. Bench", province_code=province, regency_code=regency,
            phone="+6281200000000", email=f"bench{index}@contoh.id", description="", member_count=20,
            last_rat_book_year=2025 - index % 4, is_pkp=False, status="verified",
            # Product i belongs to cooperative i % cooperatives (below), and every one is on sale.
            products_on_sale=products // cooperatives + (1 if index < products % cooperatives else 0),
            status_changed_at=now, verified_at=now, created_at=now, updated_at=now))
    _insert(connection, Cooperative.__table__, cooperative_rows)
    first_member = (db.session.scalar(sa.select(sa.func.max(Member.id))) or 0) + 1
    member_rows = [dict(id=first_member + index, cooperative_id=first_cooperative + index // 2,
                        member_number=f"B-{index}", full_name=f"Anggota Bench {index}", joined_on=date(2022, 1, 1),
                        status="active", payout_method="cash", public_name_consent=index % 2 == 0,
                        skills=randomiser.choice(list(WORDS)).replace("-", " "), created_at=now, updated_at=now)
                   for index in range(cooperatives * 2)]
    _insert(connection, Member.__table__, member_rows)
    first_product = (db.session.scalar(sa.select(sa.func.max(Product.id))) or 0) + 1
    product_rows, tiers, certificates, producers, lots = [], [], [], [], []
    slugs = list(categories)
    for index in range(products):
        product_id = first_product + index
        cooperative_offset = index % cooperatives
        slug = slugs[index % len(slugs)]
        noun = randomiser.choice(WORDS.get(slug, ["Produk koperasi"]))
        place = PLACES[index % len(PLACES)]
        price = randomiser.randrange(10, 2000) * 1000
        ready = index % 4 != 0
        stock = randomiser.randrange(0, 300) if ready else 0
        product_rows.append(dict(
            id=product_id, cooperative_id=first_cooperative + cooperative_offset, slug=f"bench-{index}",
            name=f"{noun} {place} {index}", description=f"{noun} buatan anggota koperasi di {place}.",
            category_id=categories[slug], unit="pcs", base_price=price, min_order_quantity=1 + index % 3 * 5,
            sku=f"BENCH-{index}", status="active", availability="ready_stock" if ready else "made_to_order",
            lead_time_days=None if ready else 14, weekly_capacity=None if ready else 50 + index % 500,
            stock_on_hand=stock, local_content=index % 2 == 0, created_at=now - timedelta(minutes=index),
            updated_at=now))
        if index % 2 == 0:
            tiers.append(dict(product_id=product_id, min_quantity=24, unit_price=price * 9 // 10))
        if index % 3 == 0:
            certificates.append(dict(product_id=product_id, kind="halal", number=f"ID{index}",
                                     expires_on=date(2027, 1, 1) if index % 6 else date(2025, 1, 1)))
        member_id = first_member + cooperative_offset * 2 + index % 2
        producers.append(dict(product_id=product_id, member_id=member_id))
        if stock:
            lots.append(dict(product_id=product_id, member_id=member_id, quantity_received=stock,
                             quantity_remaining=stock, received_on=date(2026, 11, 1), recorded_at=now))
    _insert(connection, Product.__table__, product_rows)
    _insert(connection, PriceTier.__table__, tiers)
    _insert(connection, ProductCertification.__table__, certificates)
    _insert(connection, product_producers, producers)
    _insert(connection, StockLot.__table__, lots)
    _advance_sequences(connection)
    searchable = rebuild_index(db.session)
    db.session.commit()
    # Fresh statistics and no dead rows from the index's two-step writes, as autovacuum would leave them later.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as maintenance:
        maintenance.execute(sa.text("VACUUM ANALYZE" if maintenance.dialect.name == "postgresql" else "ANALYZE"))
    return f"{cooperatives} cooperatives, {cooperatives * 2} members, {products} products; {searchable} searchable"


def _insert(connection: sa.Connection, table: sa.Table, rows: list[dict], batch: int = 5000) -> None:
    for start in range(0, len(rows), batch):
        connection.execute(table.insert(), rows[start:start + batch])


def _advance_sequences(connection: sa.Connection) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the inserted rows."""
    if connection.dialect.name != "postgresql":
        return
    for table in ("cooperatives", "members", "products"):
        connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                   f"(SELECT max(id) FROM {table}))"))
