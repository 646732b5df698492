"""Draw the sample issue's illustrations (issues/2020-12/images/).

The printed December 2020 edition used photographs we have no licence to republish, so
the sample issue carries simple flat illustrations of our own instead: abstract shapes in
the theme's colours, no text, no logos. They are drawn by code so anyone can regenerate
them (``python scripts/draw_sample_images.py``) and get the same files: nothing random,
colours read from ``assets/theme.yaml``.

Each picture is drawn at twice its size and scaled down (smooth edges), then reduced to a
small palette so the PNG stays well under 60 KB for the email edition.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from newsletter.theme import Theme, load_theme

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "issues" / "2020-12" / "images"
WIDTH, HEIGHT = 1200, 600  # the design's coordinates
SCALE = 4  # drawn at 4x, then scaled down: Pillow draws shapes without anti-aliasing
# The files' size. At 1200 px across the PDF's 178 mm text width they print at 171 ppi, so
# the print edition warns about them (2102 px would reach 300 ppi). Measured with
# bench/pdf.py: 2200 px files made both PDFs 0.5 s slower (3.2 s against 2.7 s), as
# WeasyPrint re-encodes every picture, so the sample keeps the lighter files.
FILE_WIDTH, FILE_HEIGHT = 1200, 600
PALETTE_COLORS = 64

Color = tuple[int, int, int]


def rgb(hex_value: str) -> Color:
    """``#rrggbb`` as an RGB tuple."""
    value = hex_value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


def tint(color: Color, amount: float) -> Color:
    """``color`` mixed with white: 0 keeps it, 1 gives white."""
    r, g, b = (round(c + (255 - c) * amount) for c in color)
    return (r, g, b)


def s(*values: float) -> list[int]:
    """Coordinates of the 1200x600 design scaled to the drawing canvas."""
    return [round(v * SCALE) for v in values]


def draw_school_and_laptop(canvas: Image.Image, colors: dict[str, Color]) -> None:
    """A school building, a laptop in front of it and a cloud above (Microsoft article)."""
    draw = ImageDraw.Draw(canvas)
    accent, blue = colors["accent"], colors["innovation"]
    cloud = tint(colors["link"], 0.6)  # not white: it must stand out from the pale sky
    draw.rectangle(s(0, 470, 1200, 600), fill=tint(blue, 0.8))  # ground
    # Cloud: overlapping circles on a flat base.
    for cx, cy, r in ((470, 150, 60), (540, 120, 80), (620, 145, 65), (680, 165, 45)):
        draw.ellipse(s(cx - r, cy - r, cx + r, cy + r), fill=cloud)
    draw.rectangle(s(420, 150, 680, 210), fill=cloud)
    # School: body, roof, windows in rows, a door.
    draw.rectangle(s(180, 260, 640, 480), fill=accent)
    draw.polygon(s(150, 265, 410, 170, 670, 265), fill=blue)
    windows = [(col, 0) for col in range(4)] + [(0, 1), (3, 1)]  # the door takes the middle
    for col, row in windows:
        x, y = 215 + col * 105, 295 + row * 80
        draw.rectangle(s(x, y, x + 60, y + 50), fill=tint(blue, 0.7))
    draw.rectangle(s(375, 385, 445, 480), fill=colors["past"])
    # Laptop: screen with lines of "text", then the keyboard base.
    draw.rounded_rectangle(s(700, 250, 1040, 460), radius=14 * SCALE, fill=colors["text"])
    draw.rectangle(s(720, 270, 1020, 440), fill=tint(blue, 0.85))
    for index, length in enumerate((240, 200, 260, 150)):
        y = 300 + index * 32
        draw.rounded_rectangle(s(745, y, 745 + length, y + 14), radius=7 * SCALE, fill=blue)
    draw.polygon(s(660, 460, 1080, 460, 1110, 500, 630, 500), fill=colors["muted"])


def draw_map_with_pins(canvas: Image.Image, colors: dict[str, Color]) -> None:
    """A street map with a river and three location pins (the city's three map tools)."""
    draw = ImageDraw.Draw(canvas)
    white, blue = colors["background"], colors["innovation"]
    draw.rectangle(s(0, 0, WIDTH, HEIGHT), fill=tint(colors["accent"], 0.88))
    # Blocks of houses between the streets, then the streets on top.
    for x in range(0, WIDTH, 150):
        for y in range(0, HEIGHT, 120):
            shade = 0.7 if (x // 150 + y // 120) % 3 == 0 else 0.8
            draw.rectangle(s(x + 14, y + 14, x + 136, y + 106), fill=tint(colors["muted"], shade))
    for x in range(0, WIDTH + 1, 150):
        draw.rectangle(s(x - 7, 0, x + 7, HEIGHT), fill=white)
    for y in range(0, HEIGHT + 1, 120):
        draw.rectangle(s(0, y - 7, WIDTH, y + 7), fill=white)
    # A river winding across the map, and a park.
    river = [tuple(s(x, 420 + 70 * math.sin(x / 170))) for x in range(-20, WIDTH + 40, 20)]
    draw.line(river, fill=tint(blue, 0.35), width=46 * SCALE, joint="curve")
    park = tint(colors["past"], 0.55)
    draw.rounded_rectangle(s(764, 134, 1036, 226), radius=30 * SCALE, fill=park)
    # Pins: a circle and a point, with a white dot, in the three section colours.
    for px, py, name in ((300, 230, "cooperation"), (620, 180, "innovation"), (930, 330, "past")):
        color = colors[name]
        draw.ellipse(s(px - 46 + 8, py + 80, px + 46 + 8, py + 100), fill=tint(colors["text"], 0.6))
        draw.polygon(s(px - 40, py + 15, px + 40, py + 15, px, py + 90), fill=color)
        draw.ellipse(s(px - 46, py - 46, px + 46, py + 46), fill=color)
        draw.ellipse(s(px - 18, py - 18, px + 18, py + 18), fill=white)


def draw_video_conference(canvas: Image.Image, colors: dict[str, Color]) -> None:
    """Six video-call tiles: five participants and a DNA helix (the online LSOS week)."""
    draw = ImageDraw.Draw(canvas)
    draw.rectangle(s(0, 0, WIDTH, HEIGHT), fill=colors["text"])
    people = iter(("past", "innovation", "cooperation", "link", "accent"))
    for index in range(6):
        col, row = index % 3, index // 3
        x0, y0 = 60 + col * 370, 40 + row * 240
        x1, y1 = x0 + 340, y0 + 220
        if index == 4:
            draw.rounded_rectangle(s(x0, y0, x1, y1), radius=18 * SCALE, fill=colors["panel"])
            draw_helix(draw, (x0 + x1) / 2, (y0 + y1) / 2, colors)
        else:
            draw_participant(canvas, (x0, y0, x1, y1), colors[next(people)], colors["panel"])
    # Call controls under the tiles: microphone, camera, hang up.
    for index, name in enumerate(("muted", "muted", "cooperation")):
        cx = 530 + index * 70
        draw.ellipse(s(cx - 22, 548 - 22, cx + 22, 548 + 22), fill=colors[name])


def draw_participant(
    canvas: Image.Image, box: tuple[float, float, float, float], color: Color, panel: Color
) -> None:
    """One tile with a head-and-shoulders figure, cut off at the tile's edge like a webcam."""
    x0, y0, x1, y1 = box
    tile = Image.new("RGB", (round((x1 - x0) * SCALE), round((y1 - y0) * SCALE)), panel)
    pen = ImageDraw.Draw(tile)
    cx = (x1 - x0) / 2
    pen.ellipse(s(cx - 120, 140, cx + 120, 310), fill=color)  # shoulders
    pen.ellipse(s(cx - 48, 40, cx + 48, 136), fill=tint(color, 0.45))  # head
    mask = Image.new("L", tile.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, *tile.size), radius=18 * SCALE, fill=255)
    canvas.paste(tile, (round(x0 * SCALE), round(y0 * SCALE)), mask)


def draw_helix(draw: ImageDraw.ImageDraw, cx: float, cy: float, colors: dict[str, Color]) -> None:
    """Two intertwined strands with rungs, lying on their side."""
    for step in range(0, 261, 20):
        x = cx - 130 + step
        offset = 70 * math.sin(step / 260 * 2 * math.pi * 1.5)
        rung = tint(colors["muted"], 0.4)
        draw.line(s(x, cy - offset, x, cy + offset), fill=rung, width=4 * SCALE)
    for sign, name in ((1, "innovation"), (-1, "past")):
        points = []
        for step in range(0, 261, 5):
            offset = sign * 70 * math.sin(step / 260 * 2 * math.pi * 1.5)
            points.append(tuple(s(cx - 130 + step, cy - offset)))
        draw.line(points, fill=colors[name], width=12 * SCALE, joint="curve")


Drawing = Callable[[Image.Image, dict[str, Color]], None]

DRAWINGS: dict[str, Drawing] = {
    "school-cloud-laptop.png": draw_school_and_laptop,
    "map-pins.png": draw_map_with_pins,
    "video-conference.png": draw_video_conference,
}


def render(drawing: Drawing, theme: Theme) -> Image.Image:
    """One illustration: drawn large on the page background, scaled down to the file's
    size, reduced to a palette."""
    colors = {name: rgb(value) for name, value in theme.colors.items()}
    canvas = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), colors["panel"])
    drawing(canvas, colors)
    small = canvas.resize((FILE_WIDTH, FILE_HEIGHT), Image.Resampling.LANCZOS)
    # Fast octree keeps small areas of strong colour (the red and gold pins); median cut
    # merged them into one brown.
    method, dither = Image.Quantize.FASTOCTREE, Image.Dither.NONE
    return small.quantize(PALETTE_COLORS, method=method, dither=dither)


def main() -> None:
    """Write every illustration into the sample issue's images/ folder."""
    theme = load_theme(ROOT / "assets" / "theme.yaml")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for name, drawing in DRAWINGS.items():
        path = OUTPUT / name
        render(drawing, theme).save(path, optimize=True)
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
