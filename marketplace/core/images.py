"""Uploaded pictures, made safe: real JPEG/PNG/WebP only, a pixel limit against decompression bombs,
EXIF orientation applied and then every piece of metadata dropped (phones write GPS positions there),
resized to a few widths and stored as WebP with a JPEG fallback under content-hashed names."""

import hashlib
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app, g, url_for
from PIL import Image, ImageOps, UnidentifiedImageError

from marketplace.core.errors import DomainError
from marketplace.core.i18n import gettext as _
from marketplace.core.storage import get_storage
from marketplace.core.unit_of_work import after_commit

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
ACCEPTED_CONTENT_TYPES = "image/jpeg,image/png,image/webp"


class InvalidImage(DomainError):
    pass


@dataclass(frozen=True)
class StoredImage:
    """What a model keeps of an uploaded picture: where its variants are and how wide they are."""

    base_key: str
    widths: tuple[int, ...]
    width: int
    height: int

    def key(self, width: int, extension: str = "webp") -> str:
        return f"{self.base_key}-{width}.{extension}"

    def as_dict(self) -> dict:
        return {"base_key": self.base_key, "widths": list(self.widths), "width": self.width, "height": self.height}

    @classmethod
    def from_dict(cls, data: dict | None) -> "StoredImage | None":
        if not data:
            return None
        return cls(data["base_key"], tuple(data["widths"]), data["width"], data["height"])


def _too_many_pixels(max_pixels: int) -> InvalidImage:
    return InvalidImage(_("This picture has too many pixels. Use one under %(megapixels)d megapixels.",
                          megapixels=max_pixels // 1_000_000), code="too_many_pixels")


def open_verified_image(data: bytes, *, needed_width: int | None = None) -> Image.Image:
    """The picture, checked before it is decoded (format, pixel count), then decoded — a JPEG only at the
    smallest scale that still gives `needed_width` pixels, so a large photo costs a fraction of its size."""
    max_pixels = current_app.config["IMAGE_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidImage(_("Only JPEG, PNG or WebP pictures are accepted."), code="unsupported_format")
            if image.width * image.height > max_pixels:
                raise _too_many_pixels(max_pixels)
            if needed_width and image.format == "JPEG":
                # Either side may become the width once EXIF orientation is applied.
                image.draft("RGB", (needed_width, needed_width))
            image.load()
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own guard, for pictures so large that even their header is suspicious.
        raise _too_many_pixels(max_pixels) from None
    except UnidentifiedImageError:
        raise InvalidImage(_("This file is not a picture we can read. Use a JPEG, PNG or WebP photo."),
                           code="not_a_picture") from None
    except (OSError, SyntaxError, ValueError):
        raise InvalidImage(_("This picture is damaged or incomplete. Try another file."),
                           code="damaged_picture") from None
    return image


def store_image(data: bytes, *, prefix: str, widths: tuple[int, ...]) -> StoredImage:
    """Check, clean and store a picture in every width up to its own; raises InvalidImage."""
    if not data:
        raise InvalidImage(_("The file is empty."), code="empty_file")
    largest = max(widths)
    image = open_verified_image(data, needed_width=largest)
    ImageOps.exif_transpose(image, in_place=True)  # no second full-size copy
    factor = image.width // (2 * largest)
    if factor >= 2:
        # A cheap box reduction first, so the copies below (colour mode, variants) are small.
        image = image.reduce(factor)
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    digest = hashlib.sha256(data).hexdigest()[:24]
    base_key = f"{prefix}/{digest}"
    storage = get_storage()
    kept_widths = sorted({min(width, image.width) for width in widths})
    for width in kept_widths:
        variant = image if width == image.width else image.resize(
            (width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS
        )
        storage.save(f"{base_key}-{width}.webp", _encode(variant, "WEBP"))
        storage.save(f"{base_key}-{width}.jpg", _encode(_flatten(variant), "JPEG"))
    return StoredImage(base_key, tuple(kept_widths), image.width, image.height)


def discard_image_after_commit(stored: StoredImage | None, *, still_used: Callable[[str], bool]) -> None:
    """Once the action that dropped a picture has committed, delete its files unless a record still uses the
    same picture (names are content hashes: two products may share one). A removed photo or a replaced logo is
    then no longer served to anyone."""
    if stored is None:
        return

    def delete_if_unused() -> None:
        if still_used(stored.base_key):
            return
        storage = get_storage()
        for width in stored.widths:
            for extension in ("webp", "jpg"):
                storage.delete(stored.key(width, extension))

    after_commit(delete_if_unused)


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _encode(image: Image.Image, format_name: str) -> bytes:
    buffer = io.BytesIO()
    if format_name == "JPEG":
        image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    else:
        image.save(buffer, "WEBP", quality=80, method=4)
    return buffer.getvalue()


def image_url(stored: StoredImage | dict | None, width: int, extension: str = "webp") -> str | None:
    """The URL of the variant closest to `width` (templates: `image_url(cooperative.logo_image, 192)`)."""
    if isinstance(stored, dict):
        stored = StoredImage.from_dict(stored)
    if stored is None:
        return None
    best = min(stored.widths, key=lambda candidate: (candidate < width, abs(candidate - width)))
    return _media_url(stored.key(best, extension))


def image_srcset(stored: StoredImage | dict | None, extension: str = "webp") -> str:
    if isinstance(stored, dict):
        stored = StoredImage.from_dict(stored)
    if stored is None:
        return ""
    return ", ".join(f"{_media_url(stored.key(width, extension))} {width}w" for width in stored.widths)


def _media_url(key: str) -> str:
    """`url_for("main.media", key=key)`, with the route built once per request: a page of result cards draws
    two hundred picture addresses."""
    prefix = g.get("media_url_prefix")
    if prefix is None:
        prefix = g.media_url_prefix = url_for("main.media", key="_").removesuffix("_")
    return prefix + quote(key)
