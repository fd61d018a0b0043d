"""The site's icon (favicon, home-screen icons of the web app manifest), drawn with Pillow.

The PNG and ICO files are committed under ``core/static/langnghe/icons/``; run
``python -m langnghe.core.icons`` again after changing the drawing. The SVG beside them
(favicon.svg) is the same picture, written by hand: a police-blue rounded square with a white
speech bubble (Lắng Nghe: "listening").
"""

from pathlib import Path

from PIL import Image, ImageDraw

ICONS_DIR = Path(__file__).parent / "static" / "langnghe" / "icons"
BLUE = (11, 79, 138, 255)  # --c-primary in site.css
WHITE = (255, 255, 255, 255)
# The manifest's icons (192 and 512, the sizes browsers ask for), the iOS home-screen icon and
# the favicon's PNG.
PNG_SIZES = (32, 180, 192, 512)
ICO_SIZES = [(16, 16), (32, 32), (48, 48)]


def draw(size: int) -> Image.Image:
    """The icon at ``size`` px, drawn at 4× and scaled down (smooth edges without a font)."""
    big = size * 4
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=BLUE)
    unit = big / 64  # the drawing in a 64 × 64 grid
    # The bubble, its tail at the bottom left, and three dots ("someone is talking").
    pen.rounded_rectangle((12 * unit, 14 * unit, 52 * unit, 42 * unit), radius=8 * unit, fill=WHITE)
    pen.polygon(
        [(18 * unit, 40 * unit), (16 * unit, 52 * unit), (30 * unit, 41 * unit)], fill=WHITE
    )
    for x in (22, 32, 42):
        pen.ellipse(((x - 3) * unit, 25 * unit, (x + 3) * unit, 31 * unit), fill=BLUE)
    return image.resize((size, size), Image.LANCZOS)


def write_all(directory: Path = ICONS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        path = directory / f"{'favicon' if size == 32 else 'icon'}-{size}.png"
        draw(size).save(path, optimize=True)
        written.append(path)
    ico = directory / "favicon.ico"
    draw(48).save(ico, sizes=ICO_SIZES)
    written.append(ico)
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
