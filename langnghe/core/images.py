"""Images with their pixels only (issue #24): what a photo says beyond what it shows (EXIF with
GPS position, camera serial and time, XMP, an ICC profile, a JPEG comment, PNG text chunks)
can name the person who took it. Used by every upload that keeps an image (case attachments,
cover images).

Pillow's ``save`` copies some of it from the image it is given (``info["comment"]`` into a
JPEG, ``info["icc_profile"]`` into a PNG), so stripping means a *new* image made from the
pixels, not the decoded one saved again.
"""

import io

from PIL import Image, ImageCms, ImageOps


def _srgb(image: Image.Image) -> Image.Image:
    """Colours as the profile meant them, in sRGB, so the profile can be dropped."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        return ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode=image.mode,
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are


def pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding only ``image``'s pixels (upright, sRGB): empty ``info``, no EXIF."""
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    image = _srgb(image)
    return Image.frombytes(image.mode, image.size, image.tobytes())
