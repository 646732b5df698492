"""An issue made at test time around pictures of every shape: seeded random sizes from
16 px and aspect ratios from 1:6 to 6:1, plus the shapes that broke before (a tall
portrait, an 80 px icon), in articles with captions, cards and a signature."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

FIXED = [(600, 3600), (80, 80), (3000, 500), (2400, 3200)]
"""A 1:6 portrait with pixels enough for its slot, an icon, a 6:1 panorama, a portrait
photo: the shapes the issue's judging found off the page or blown up."""


@dataclass(frozen=True)
class Picture:
    """One picture of the issue: its file name, pixel size and caption's word."""

    name: str
    size: tuple[int, int]
    caption: str


def random_shape(rng: random.Random) -> tuple[int, int]:
    """Any aspect ratio from 1:6 to 6:1, the long side from 16 px to 3,000 px."""
    aspect = 6 ** rng.uniform(-1, 1)
    long = round(16 * (3000 / 16) ** rng.random())
    short = max(16, round(long / max(aspect, 1 / aspect)))
    return (long, short) if aspect >= 1 else (short, long)


def draw(path: Path, size: tuple[int, int], seed: int) -> None:
    """A light picture with a dark frame, so its edges are easy to see when looked at."""
    rng = random.Random(seed)
    colour = tuple(rng.randrange(120, 230) for _ in range(3))
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle((0, 0, size[0] - 1, size[1] - 1), outline=(20, 20, 60),
                                    width=max(1, min(size) // 20))
    image.save(path)


def logo(path: Path, size: tuple[int, int]) -> None:
    """A designer's logo: a dark disc on a transparent background (RGBA)."""
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    inset = min(size) // 4
    ImageDraw.Draw(image).ellipse((inset, inset, size[0] - inset, size[1] - inset),
                                  fill=(0, 60, 125, 255))
    image.save(path)


def pictures_issue(folder: Path, seed: int, articles: int = 6) -> list[Picture]:
    """Write ``folder`` as an issue (issue.yaml and images/): the fixed shapes and
    ``articles`` random ones as article pictures with captions, three cards with random
    pictures (the last a logo with a transparent background) and a letter signed with
    one. Returns the article pictures in order."""
    rng = random.Random(seed)
    (folder / "images").mkdir(parents=True)
    shapes = FIXED + [random_shape(rng) for _ in range(articles)]
    pictures = [Picture(f"a{n}.png", size, f"Podpis{n}x") for n, size in enumerate(shapes)]
    for n, picture in enumerate(pictures):
        draw(folder / "images" / picture.name, picture.size, seed * 100 + n)
    card_shapes = [(400, 2400), random_shape(rng), random_shape(rng)]
    for n, size in enumerate(card_shapes):
        draw(folder / "images" / f"c{n}.png", size, seed * 100 + 50 + n)
    logo(folder / "images" / "c2.png", card_shapes[2])
    draw(folder / "images" / "sig.png", random_shape(rng), seed)
    blocks = "".join(
        f"""      - type: article
        title: Artykuł {n}
        body: |
          Tekst artykułu {n}. Zdanie drugie, a potem trzecie.
        image:
          file: images/{picture.name}
          alt: Obraz {n}
          credit: {picture.caption}
""" for n, picture in enumerate(pictures))
    cards = "".join(
        f"""          - title: Karta {n}
            text: Tekst karty {n}.
            url: https://www.krakow.pl/{n}
            image:
              file: images/c{n}.png
              alt: Karta {n}
""" for n in range(len(card_shapes)))
    (folder / "issue.yaml").write_text(f"""date: 2021-02-01
language: pl
subject: Obrazy
sections:
  - kind: cooperation
    blocks:
      - type: letter
        title: List
        greeting: Szanowni Państwo,
        body: Treść listu.
        closing: Z wyrazami szacunku,
        signature:
          name: Jan Kowalski
          role: Dyrektor
          image:
            file: images/sig.png
            alt: Podpis
{blocks}  - kind: innovation
    blocks:
      - type: link_cards
        title: Karty
        cards:
{cards}footer:
  editors: Zespół
  department: Wydział
  email: pi.umk@um.krakow.pl
  phone: +48 12 616 00 00
  address: pl. Wszystkich Świętych 3-4, 31-004 Kraków
  website: https://www.dlabiznesu.krakow.pl/
""", encoding="utf-8")
    return pictures
