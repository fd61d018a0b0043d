"""Checking and cleaning uploaded files: by content, never by name or declared type.

What a file says about its sender beyond what it shows is removed before it is stored
(issue #24; a photo's GPS position or a document's author can name an anonymous reporter,
whose identity the law protects: Luật Tố cáo 2018 Điều 56, BLTTHS 2015 Điều 484–486):
- Images are decoded (Pillow), turned upright (EXIF orientation), converted to sRGB if they
  carry a colour profile, and copied pixel by pixel into a new image that has no metadata at
  all; that image is encoded. No EXIF (GPS, camera serial, time), XMP, ICC profile, JPEG
  comment or PNG text chunk survives (Pillow copies ``info["comment"]`` and a PNG's ICC
  profile through ``save`` from the image it is given, hence the fresh image).
- PDFs are rewritten by pikepdf (qpdf): the document information dictionary (/Author,
  /Creator, /Producer, dates), every XMP /Metadata stream, /PieceInfo, embedded files,
  JavaScript and open actions are dropped, earlier revisions are not kept, and the file ID is
  derived from the content. A PDF with a password or one qpdf cannot read is refused.
- MP4 video and audio (MP3, M4A, WAV) are accepted as sent: their inner metadata (e.g. a
  phone video's recording place) is not stripped [U]; the officer is told so.
Everything is sealed before it is stored. The stored name keeps the original name's extension
when it is one of those allowed for the detected type (lower case), else the type's own.
"""

import io
import warnings
from dataclasses import dataclass

import pikepdf
from PIL import Image

from langnghe.core.exceptions import ApplicationError
from langnghe.core.images import pixels_only

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000


@dataclass
class CleanFile:
    content: bytes
    content_type: str
    extension: str


def sniff(data: bytes) -> str | None:
    """The real type from the first bytes (magic numbers)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data[4:8] == b"ftyp":
        return "audio/mp4" if data[8:11] == b"M4A" else "video/mp4"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    return None


# The extensions a stored file may have, per type of what is stored (the first is the default).
EXTENSIONS = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "application/pdf": ("pdf",),
    "video/mp4": ("mp4", "m4v", "mov"),
    "audio/mp4": ("m4a",),
    "audio/mpeg": ("mp3",),
    "audio/wav": ("wav",),
}
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}
# Kept as sent (see the module's docstring): the console says so next to the file.
NOT_STRIPPED = ("video/mp4", "audio/mp4", "audio/mpeg", "audio/wav")
# What an officer reads next to a file (never the raw type).
KIND_LABELS = {
    "image/jpeg": "Ảnh JPEG",
    "image/png": "Ảnh PNG",
    "application/pdf": "Tài liệu PDF",
    "video/mp4": "Video MP4",
    "audio/mp4": "Âm thanh M4A",
    "audio/mpeg": "Âm thanh MP3",
    "audio/wav": "Âm thanh WAV",
}
THUMBNAIL_TYPES = ("image/jpeg", "image/png")
THUMBNAIL_BOX = (320, 320)


def extension_for(content_type: str, filename: str = "") -> str:
    """The original name's extension, lower case, if it is allowed for ``content_type``;
    else the type's own. Nothing else of the original name is kept (it may name a person)."""
    allowed = EXTENSIONS[content_type]
    _stem, dot, extension = (filename or "").rpartition(".")
    extension = extension.strip().lower()
    return extension if dot and extension in allowed else allowed[0]


def _reencode(data: bytes, content_type: str) -> CleanFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != PILLOW_FORMATS[content_type]:
                raise ValueError("format mismatch")
            if image.width * image.height > MAX_PIXELS:
                raise ValueError("too many pixels")
            image.load()
            clean = pixels_only(image)
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ApplicationError(
            "Không đọc được ảnh: tệp hỏng hoặc không đúng định dạng.",
            code="invalid_image",
            field="file",
        ) from exc
    out = io.BytesIO()
    if content_type in ("image/jpeg", "image/webp"):
        clean.convert("RGB").save(out, "JPEG", quality=88)
        return CleanFile(out.getvalue(), "image/jpeg", "jpg")
    clean.save(out, "PNG")
    return CleanFile(out.getvalue(), "image/png", "png")


# Keys that carry metadata or run something when the document opens.
PDF_ROOT_KEYS = ("/Metadata", "/PieceInfo", "/OpenAction", "/AA", "/SpiderInfo")
PDF_NAME_TREES = ("/JavaScript", "/EmbeddedFiles")
PDF_OBJECT_KEYS = ("/Metadata", "/PieceInfo")


def _clean_pdf(data: bytes) -> CleanFile:
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if "/Info" in pdf.trailer:
                del pdf.trailer["/Info"]
            for key in PDF_ROOT_KEYS:
                if key in pdf.Root:
                    del pdf.Root[key]
            names = pdf.Root.get("/Names")
            if isinstance(names, pikepdf.Dictionary):
                for key in PDF_NAME_TREES:
                    if key in names:
                        del names[key]
            # XMP can hang on any object (pages, images, fonts): drop it everywhere.
            for obj in pdf.objects:
                if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                    for key in PDF_OBJECT_KEYS:
                        if key in obj:
                            del obj[key]
            out = io.BytesIO()
            # A full rewrite: only objects still referenced are written, earlier revisions
            # (incremental updates that could hold old metadata) are gone; the ID is derived
            # from the content, not from when and where the file was made.
            pdf.save(
                out,
                encryption=False,
                deterministic_id=True,
                preserve_pdfa=False,
                fix_metadata_version=False,
            )
    except pikepdf.PasswordError as exc:
        raise ApplicationError(
            "Tệp PDF có mật khẩu. Vui lòng gửi bản không đặt mật khẩu.",
            code="encrypted_pdf",
            field="file",
        ) from exc
    except (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, RuntimeError) as exc:
        raise ApplicationError(
            "Không đọc được tệp PDF: tệp hỏng hoặc không đúng định dạng.",
            code="invalid_pdf",
            field="file",
        ) from exc
    return CleanFile(out.getvalue(), "application/pdf", "pdf")


def file_clean(data: bytes, filename: str = "") -> CleanFile:
    """Check ``data`` by its content and return what may be stored (see the module's
    docstring); ApplicationError (4xx) for what is refused. ``filename`` only gives the
    extension, and only if it matches the content."""
    if not data:
        raise ApplicationError("Tệp rỗng.", code="empty_file", field="file")
    if len(data) > MAX_BYTES:
        raise ApplicationError(
            "Tệp quá lớn: tối đa 10 MB mỗi tệp.", code="file_too_large", field="file", status=413
        )
    content_type = sniff(data)
    if content_type is None:
        raise ApplicationError(
            "Định dạng tệp không được nhận. Chỉ nhận ảnh (JPEG, PNG, GIF, WebP), PDF, video MP4 "
            "và âm thanh (MP3, M4A, WAV).",
            code="unsupported_file",
            field="file",
            status=415,
        )
    if content_type in PILLOW_FORMATS:
        clean = _reencode(data, content_type)
    elif content_type == "application/pdf":
        clean = _clean_pdf(data)
    else:
        clean = CleanFile(data, content_type, "")
    clean.extension = extension_for(clean.content_type, filename)
    return clean


def thumbnail_make(content: bytes) -> bytes:
    """A small JPEG of a stored (already cleaned) image for the officer's case page: made
    from the pixels only, like the image itself, so it carries no metadata either."""
    with Image.open(io.BytesIO(content)) as image:
        image.load()
        small = pixels_only(image)
    small.thumbnail(THUMBNAIL_BOX)
    if small.mode in ("RGBA", "LA"):  # a transparent PNG on white, as the page shows it
        background = Image.new("RGB", small.size, "white")
        background.paste(small, mask=small.getchannel("A"))
        small = background
    out = io.BytesIO()
    small.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()
