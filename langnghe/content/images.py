"""Cover images: checked by their content (Pillow), never by their name; re-encoded to JPEG
variants from their pixels only (``core.images.pixels_only``), so EXIF/GPS, XMP, ICC, a JPEG
comment and anything hidden in the file are dropped."""

import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

from langnghe.core.exceptions import ApplicationError
from langnghe.core.images import pixels_only

MAX_COVER_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs long before Pillow's own limit
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
VARIANT_WIDTHS = (320, 640, 1200)


def _read_image(upload, *, field: str, label: str) -> Image.Image:
    """The upload's pixels only (no metadata), or ApplicationError: over 5 MB, not an image."""
    size = getattr(upload, "size", None)
    data = upload.read(MAX_COVER_BYTES + 1) if size is None or size <= MAX_COVER_BYTES else b""
    if size is not None and size > MAX_COVER_BYTES or len(data) > MAX_COVER_BYTES:
        raise ApplicationError(f"{label} quá lớn: tối đa 5 MB.", code=f"{field}_too_large",
                               field=field)  # fmt: skip
    not_image = ApplicationError(
        f"Tệp {label.lower()} không phải là ảnh hợp lệ (JPEG, PNG, WebP hoặc GIF).",
        code=f"{field}_not_image",
        field=field,
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in ACCEPTED_FORMATS:
            raise not_image
        if image.width * image.height > MAX_PIXELS:
            raise ApplicationError(f"{label} có kích thước điểm ảnh quá lớn.",
                                   code=f"{field}_too_large", field=field)  # fmt: skip
        return pixels_only(image)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise not_image from exc


def cover_store(upload) -> dict[str, str]:
    """Validate an uploaded cover and store its variants; returns {width: storage name}.

    Raises ApplicationError (nothing stored) for a file over 5 MB or one that is not an image.
    """
    image = _read_image(upload, field="cover", label="Ảnh bìa").convert("RGB")
    stem = uuid.uuid4().hex
    variants: dict[str, str] = {}
    for width in VARIANT_WIDTHS:
        copy = image.copy()
        if copy.width > width:
            copy = copy.resize((width, round(copy.height * width / copy.width)), Image.LANCZOS)
        buffer = io.BytesIO()
        copy.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
        name = default_storage.save(
            f"content/covers/{stem}-{width}.jpg", ContentFile(buffer.getvalue())
        )
        variants[str(width)] = name
    return variants


def cover_delete(variants: dict[str, str]) -> None:
    for name in variants.values():
        default_storage.delete(name)


def cover_url(variants: dict[str, str], width: int = 640) -> str:
    """The stored variant closest to ``width`` (relative URL), or "" without a cover."""
    if not variants:
        return ""
    best = min(variants, key=lambda w: abs(int(w) - width))
    return default_storage.url(variants[best])


BODY_IMAGE_WIDTH = 1600


def body_image_store(upload) -> str:
    """An image for the body of a post: validated like a cover, re-encoded from its pixels
    only (no EXIF/GPS), at most 1600 px wide, under a random name. Returns the storage name.
    Transparent images stay PNG; the others become JPEG."""
    image = _read_image(upload, field="image", label="Ảnh")
    if image.width > BODY_IMAGE_WIDTH:
        height = round(image.height * BODY_IMAGE_WIDTH / image.width)
        image = image.resize((BODY_IMAGE_WIDTH, height), Image.LANCZOS)
    buffer = io.BytesIO()
    if image.mode in ("RGBA", "LA"):
        image.save(buffer, "PNG", optimize=True)
        extension = "png"
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
        extension = "jpg"
    name = f"content/images/{uuid.uuid4().hex}.{extension}"
    return default_storage.save(name, ContentFile(buffer.getvalue()))
