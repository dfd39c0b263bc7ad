import io

import pytest
from PIL import Image

from marketplace.core.images import InvalidImage, StoredImage, store_image
from marketplace.core.storage import get_storage
from tests.factories import gps_exif, picture_bytes
from tests.helpers import refused


def test_a_photo_is_stored_in_each_width_as_webp_and_jpeg_without_metadata(app):
    with Image.open(io.BytesIO(picture_bytes(exif=gps_exif()))) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload really carries a GPS position
    stored = store_image(picture_bytes(exif=gps_exif()), prefix="test", widths=(96, 400, 2000))
    assert stored.widths == (96, 400, 800)  # never enlarged beyond the original
    storage = get_storage()
    for width in stored.widths:
        for extension in ("webp", "jpg"):
            with Image.open(io.BytesIO(storage.read(stored.key(width, extension)))) as variant:
                assert variant.width == width
                assert not variant.getexif()
                assert "exif" not in variant.info


def test_exif_orientation_is_applied_before_it_is_removed(app):
    stored = store_image(picture_bytes(size=(800, 600), exif=gps_exif(orientation=6)), prefix="test", widths=(600,))
    assert (stored.width, stored.height) == (600, 800)


def test_the_same_picture_gets_the_same_content_hashed_name(app):
    data = picture_bytes("PNG")
    assert store_image(data, prefix="test", widths=(96,)).base_key == store_image(data, prefix="test",
                                                                                  widths=(96,)).base_key


def test_transparent_png_keeps_alpha_in_webp_and_gets_white_in_jpeg(app):
    stored = store_image(picture_bytes("PNG", mode="RGBA"), prefix="test", widths=(96,))
    with Image.open(io.BytesIO(get_storage().read(stored.key(96, "jpg")))) as jpeg:
        assert jpeg.mode == "RGB"


@pytest.mark.parametrize("data, code", [
    (b"", "empty_file"),
    (b"%PDF-1.4 not a picture", "not_a_picture"),
    (b"GIF89a" + b"\x00" * 100, "not_a_picture"),
    (picture_bytes()[:200], "damaged_picture"),
    (picture_bytes("BMP"), "unsupported_format"),
])
def test_what_is_not_a_usable_picture_is_refused(app, data, code):
    with refused(code, InvalidImage):
        store_image(data, prefix="test", widths=(96,))


def test_a_decompression_bomb_is_refused_before_it_is_decoded(app):
    app.config["IMAGE_MAX_PIXELS"] = 1_000_000  # the app fixture restores every setting after the test
    with refused("too_many_pixels", InvalidImage):
        store_image(picture_bytes("PNG", size=(2000, 2000)), prefix="test", widths=(96,))


def test_stored_image_round_trips_through_json():
    stored = StoredImage("logos/abc", (96, 192), 400, 300)
    assert StoredImage.from_dict(stored.as_dict()) == stored
    assert StoredImage.from_dict(None) is None


def test_storage_refuses_keys_that_leave_its_folder(app):
    with pytest.raises(ValueError):
        get_storage().save("../escape.txt", b"x")
    assert not get_storage().exists("../../etc/passwd")


@pytest.mark.parametrize("key", ["products/ab/cdef-320.webp", "a b/ü-1.jpg", "x%y/#?.jpg", "logo-96.jpg"])
def test_picture_addresses_are_what_the_router_builds(app, key):
    from flask import url_for

    from marketplace.core.images import _media_url

    with app.test_request_context("/"):
        assert _media_url(key) == url_for("main.media", key=key)
