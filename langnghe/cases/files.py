"""Checking and cleaning uploaded files: by content, never by name or declared type.

Images are decoded and re-encoded by Pillow, which drops EXIF (GPS, camera serial, time) and
any other metadata; what cannot be decoded is refused. PDF, MP4 and audio are accepted as
sent (their inner metadata is not stripped [U]). Everything is sealed before it is stored.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

from langnghe.core.exceptions import ApplicationError

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


EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "video/mp4": "mp4",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
    "audio/wav": "wav",
}
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
}


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
            image = ImageOps.exif_transpose(image)
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
        image.convert("RGB").save(out, "JPEG", quality=88)
        return CleanFile(out.getvalue(), "image/jpeg", "jpg")
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    image.save(out, "PNG")
    return CleanFile(out.getvalue(), "image/png", "png")


def file_clean(data: bytes) -> CleanFile:
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
        return _reencode(data, content_type)
    return CleanFile(data, content_type, EXTENSIONS[content_type])
