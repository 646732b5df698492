"""How big an issue's files may be: far above any real issue, far below what hurts.

An issue is written by editors but its files also arrive by e-mail and USB stick, so a
file may be broken or hostile. Every limit here is checked before the file is read in
full or decoded, so a bad file costs milliseconds and a few megabytes, and ends in one
``file:line: message`` instead of a machine that swaps or a traceback.
"""

from __future__ import annotations

MEGABYTE = 1024 * 1024

MAX_TEXT_BYTES = 128 * 1024
"""One issue.yaml or block file (.md, .yaml). A real issue is about 10 KB of text, a long
article 20 KB. Markdown is the slow part: markdown-it-py reads about 200 KB of
line-broken text a second (1 MB: 4.5 s), and the check and every edition parse it;
the sample issue is 14 KB in all."""

MAX_ISSUE_TEXT_BYTES = 256 * 1024
"""All the text files of one issue together, 18 times the sample issue: without it, 10,000
``- file: big.md`` entries naming the same file would read (and keep) it 10,000 times."""

MAX_YAML_DEPTH = 20
"""Levels of nesting in a YAML file. The deepest real path is 8 (issue → sections → section
→ blocks → block → cards → card → image); each level costs stack frames later on."""

MAX_IMAGE_BYTES = 25 * MEGABYTE
"""One picture file. A full-page photo at print resolution is 3–8 MB as JPEG; the e-mail
downloads every picture, so anything near this limit is a mistake anyway."""

MAX_IMAGE_PIXELS = 40_000_000
"""Pixels (width × height) of one picture, read from its header before decoding. A page
printed at 300 ppi needs about 9 megapixels; a decoded 40-megapixel RGBA picture already
takes 160 MB (Pillow's own limit, 179 megapixels, is far too high for us)."""

MAX_IMAGE_SIDE = 6000
"""What we tell the editor to resize to: 6000 px on the long side stays under the pixel
limit whatever the shape (6000 × 6000 = 36 megapixels)."""


def human_size(size: int) -> str:
    """A file size as editors read it: "300 KB", "2.2 MB", "25 MB"."""
    if size < MEGABYTE:
        return f"{round(size / 1024)} KB"
    return f"{size / MEGABYTE:.1f} MB" if size % MEGABYTE else f"{size // MEGABYTE} MB"
