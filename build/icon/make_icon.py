"""Draw the app icon (red rounded square, white 法 over ledger lines) with Pillow.

Run once: ``.venv/bin/python build/icon/make_icon.py``; the generated ``fazhi.ico`` and
``fazhi-256.png`` are committed, so a build does not need this script or its font.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parents[1] / "resources" / "fonts" / "NotoSansSC-GBK.otf"
RED = (183, 28, 28, 255)
DARK = (127, 0, 0, 255)
GOLD = (255, 213, 79, 255)
WHITE = (255, 255, 255, 255)


def draw(size: int = 1024) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    pad = size // 16
    radius = size // 5
    d.rounded_rectangle((pad, pad, size - pad, size - pad), radius=radius, fill=DARK)
    d.rounded_rectangle((pad, pad, size - pad, size - pad - size // 40), radius=radius, fill=RED)
    # ledger lines under the character
    x0, x1 = size * 0.24, size * 0.76
    for i, y in enumerate((0.74, 0.81)):
        d.rounded_rectangle((x0, size * y, x1 - i * size * 0.14, size * y + size * 0.035), radius=size // 80, fill=GOLD)
    try:
        font = ImageFont.truetype(str(FONT), int(size * 0.52))
        d.text(
            (size / 2, size * 0.40),
            "法",
            font=font,
            fill=WHITE,
            anchor="mm",
            stroke_width=size // 90,
            stroke_fill=WHITE,
        )
    except OSError:  # no font: a white scale-of-justice bar instead
        d.rectangle((size * 0.3, size * 0.3, size * 0.7, size * 0.36), fill=WHITE)
        d.rectangle((size * 0.47, size * 0.3, size * 0.53, size * 0.62), fill=WHITE)
    return img


def main() -> None:
    big = draw()
    big.resize((256, 256), Image.LANCZOS).save(HERE / "fazhi-256.png", optimize=True)
    sizes = [(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
    big.resize((256, 256), Image.LANCZOS).save(HERE / "fazhi.ico", sizes=sizes)


if __name__ == "__main__":
    main()
