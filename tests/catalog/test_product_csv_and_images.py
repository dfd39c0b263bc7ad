import pytest

from marketplace.catalog.models import Availability, Product, ProductStatus
from marketplace.catalog.services import images, product_csv
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from tests.factories import category, create_cooperative, create_product, owner_of, picture_bytes
from tests.helpers import refused

HEADER = "sku,nama,kategori,satuan,harga,minimal_order,harga_grosir,status,ketersediaan,lama_produksi_hari," \
         "kapasitas_per_minggu\n"


def test_importing_creates_new_skus_and_updates_existing_ones(app):
    cooperative = create_cooperative()
    category("batik")
    existing = create_product(cooperative, sku="ANY-1", base_price=85_000)
    text = HEADER + (
        "ANY-1,Keranjang anyaman bambu,anyaman,pcs,90.000,1,12:80000,active,stok,,\n"
        "BTK-1,Batik tulis Sukowati,batik,lembar,Rp 450.000,1,,draft,stok,,\n"
        "SRG-1,Seragam batik,batik,pcs,185000,24,100:165000; 500:150000,active,pesanan,30,400\n"
    )
    assert product_csv.import_products(owner_of(cooperative), cooperative, text) == (2, 1)
    db.session.refresh(existing)
    assert existing.base_price == 90_000 and [(t.min_quantity, t.unit_price) for t in existing.tiers] == [(12, 80_000)]
    uniform = db.session.scalar(db.select(Product).where(Product.sku == "SRG-1"))
    assert (uniform.availability, uniform.lead_time_days, uniform.status) == (
        Availability.MADE_TO_ORDER, 30, ProductStatus.ACTIVE)


def test_a_file_with_a_bad_row_changes_nothing_and_reports_every_line(app):
    cooperative = create_cooperative()
    existing = create_product(cooperative, sku="ANY-1", base_price=85_000)
    text = HEADER + (
        "ANY-1,Keranjang,anyaman,pcs,90000,1,,active,stok,,\n"
        "X-1,Barang,tidak-ada,ton,-5,0,12:1;5:2,terbit,entah,,\n"
        "X-2,Seragam,anyaman,pcs,100000,24,12:90000,active,pesanan,,\n"
        "X-3,Sama,anyaman,pcs,1000,1,,active,stok,,\n"
        "X-3,Sama lagi,anyaman,pcs,1000,1,,active,stok,,\n"
    )
    preview = product_csv.preview_product_import(owner_of(cooperative), cooperative, text)
    assert [row.line for row in preview.rows if row.errors] == [3, 4, 6]
    bad = " ".join(preview.rows[1].errors)
    for expected in ("kategori harus kode", "satuan harus", "harga harus", "status harus", "ketersediaan harus"):
        assert expected in bad
    uniform = " ".join(preview.rows[2].errors)
    assert "di bawah minimal pembelian" in uniform and "lama produksi" in uniform
    with pytest.raises(product_csv.ProductImportRefused):
        product_csv.import_products(owner_of(cooperative), cooperative, text)
    db.session.refresh(existing)
    assert existing.base_price == 85_000 and db.session.query(Product).count() == 1


def test_export_reimports_into_another_cooperative_unchanged(app):
    source, target = create_cooperative(), create_cooperative()
    create_product(source, sku="A-1", tiers=[(12, 78_000)], certifications={})
    create_product(source, sku="A-2", availability=Availability.MADE_TO_ORDER, lead_time_days=14,
                   weekly_capacity=50, tiers=[])
    exported = "".join(product_csv.export_product_rows(owner_of(source), source))
    assert product_csv.import_products(owner_of(target), target, exported) == (2, 0)
    again = "".join(product_csv.export_product_rows(owner_of(target), target))
    assert again == exported


@pytest.mark.parametrize("text, message", [
    ("", "Berkas kosong"),
    ("nama,harga\nX,1\n", "Kolom wajib tidak ada"),
    (HEADER.strip() + ",warna\n", "Kolom tidak dikenal: warna"),
    (HEADER, "tidak berisi baris produk"),
])
def test_files_of_the_wrong_shape_are_refused(app, text, message):
    cooperative = create_cooperative()
    preview = product_csv.preview_product_import(owner_of(cooperative), cooperative, text)
    assert not preview.is_valid and message in " ".join(preview.file_errors)


def test_a_product_keeps_at_most_eight_photos_in_chosen_order(app):
    product = create_product()
    owner = owner_of(product.cooperative)
    for index in range(8):
        images.add_product_image(owner, product, picture_bytes(size=(200 + index, 150)), f"foto {index}")
    with refused("too_many_photos"):
        images.add_product_image(owner, product, picture_bytes(), "satu lagi")
    last = product.images[-1]
    images.move_product_image(owner, product, last.id, -1)
    db.session.refresh(product)
    assert product.images[-2].id == last.id
    images.remove_product_image(owner, product, product.images[0].id)
    db.session.refresh(product)
    assert [image.position for image in product.images] == list(range(7))
    with pytest.raises(DomainError):
        images.update_alt_text(owner, product, product.images[0].id, "   ")
