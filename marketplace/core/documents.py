"""Scans and PDFs people upload as proof (legal documents, later transfer receipts): checked to be what they
claim, and stripped of what they carry about their author where the format allows."""

import io
import logging
import secrets
from dataclasses import dataclass

import pypdf
from PIL import Image, ImageOps

from marketplace.core.errors import DomainError
from marketplace.core.i18n import gettext as _
from marketplace.core.images import InvalidImage, open_verified_image

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
# Warnings from pypdf about small flaws in a PDF that still opens are not the uploader's business.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class InvalidDocument(DomainError):
    pass


@dataclass(frozen=True)
class CleanDocument:
    data: bytes
    content_type: str
    extension: str


def clean_document(data: bytes) -> CleanDocument:
    """A PDF that opens and has pages, or a real photo; raises InvalidDocument otherwise.

    Photos are re-encoded upright without their EXIF (GPS position, camera, owner). PDFs lose their document
    information (author, creator software, dates) unless they carry a digital signature, which rewriting would
    break: a signed decree is kept exactly as it was issued.
    """
    if not data:
        raise InvalidDocument(_("The file is empty."), code="empty_file")
    if len(data) > DOCUMENT_MAX_BYTES:
        raise InvalidDocument(_("A document may be at most %(megabytes)d MB.",
                                megabytes=DOCUMENT_MAX_BYTES // 2**20), code="document_too_large")
    if data.startswith(PDF_MAGIC):
        return CleanDocument(_clean_pdf(data), "application/pdf", "pdf")
    try:
        image = open_verified_image(data)  # a photo of the document must be a real picture
    except InvalidImage:
        raise InvalidDocument(_("Upload the document as a PDF file or as a JPEG, PNG or WebP photo."),
                              code="not_a_document") from None
    image_format = image.format or "JPEG"
    return CleanDocument(_clean_photo(image, image_format), Image.MIME[image_format],
                         image_format.lower().replace("jpeg", "jpg"))


def keep_privately(clean: CleanDocument, *, folder: str, filename: str, fallback_name: str) -> dict:
    """Save a cleaned upload in private storage under a random name (its address can be neither guessed nor
    derived from when it was uploaded); returns the `StoredUpload` columns of the row that records it."""
    from marketplace.core.storage import get_private_storage

    key = f"{folder}/{secrets.token_urlsafe(24)}.{clean.extension}"
    get_private_storage().save(key, clean.data)
    return {"storage_key": key, "content_type": clean.content_type, "size_bytes": len(clean.data),
            "original_filename": (filename or f"{fallback_name}.{clean.extension}")[:255]}


def _clean_pdf(data: bytes) -> bytes:
    unreadable = InvalidDocument(_("This PDF cannot be opened: it is damaged or incomplete. Save it again as PDF "
                                   "and retry."), code="damaged_pdf")
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InvalidDocument(_("This PDF is protected by a password. Upload a copy without the password."),
                                  code="encrypted_pdf")
        if len(reader.pages) == 0:
            raise unreadable
        if _is_signed(reader):
            return data
        writer = pypdf.PdfWriter(clone_from=reader)
        writer.metadata = None
        cleaned = io.BytesIO()
        writer.write(cleaned)
        return cleaned.getvalue()
    except InvalidDocument:
        raise
    except Exception:  # pypdf raises many kinds of error for many kinds of broken file
        log.info("refused an unreadable PDF upload", exc_info=True)
        raise unreadable from None


def _is_signed(reader: pypdf.PdfReader) -> bool:
    form = reader.root_object.get("/AcroForm")
    if form is None:
        return False
    form = form.get_object()
    return bool(int(form.get("/SigFlags", 0)) & 1) or any(
        field.get("/FT") == "/Sig" for field in (reader.get_fields() or {}).values())


def _clean_photo(image: Image.Image, image_format: str) -> bytes:
    upright = ImageOps.exif_transpose(image)
    buffer = io.BytesIO()
    if image_format == "JPEG":
        upright.convert("RGB").save(buffer, "JPEG", quality=90)
    else:
        upright.save(buffer, image_format)
    return buffer.getvalue()
