"""Geometry of a page in Chromium: elements wider than the viewport, text lines outside
their cell, text lines over each other.

Shared by tests/render/test_layout.py (the stress issue) and the corpus judges. Nothing here
looks at pixels: ``GEOMETRY`` runs in the page (Playwright's ``page.evaluate``) and returns
boxes; the functions below compare them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CELLS = ".bk-card, .card, .figure"
"""What counts as a cell that text must stay inside (cards and figures of every edition)."""

GEOMETRY = """(cells) => {
  cells = cells || '.bk-card, .card, .figure';
  const hidden = (el) => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return true;
      if (s.position === 'absolute' && s.overflow === 'hidden' && n.clientWidth <= 1) return true;
      if (s.maxHeight === '0px' && s.overflow === 'hidden') return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => !hidden(el))
    .map((el) => [name(el), el.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5))
    .map(([n, r]) => [n, Math.round(r.left), Math.round(r.right)]);
  const lines = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(), i = 0; node; node = walker.nextNode(), i++) {
    if (!node.textContent.trim() || hidden(node.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const cell = node.parentElement.closest(cells);
    const c = cell && cell.getBoundingClientRect();
    for (const r of range.getClientRects()) {
      if (r.width < 0.5 || r.height < 0.5) continue;
      lines.push({node: i, text: node.textContent.trim().slice(0, 40),
        left: r.left, right: r.right, top: r.top, bottom: r.bottom,
        cell: c && {left: c.left, right: c.right, top: c.top, bottom: c.bottom,
                    name: name(cell)}});
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, wide, lines};
}"""


def overlaps(lines: list[dict]) -> list[tuple[str, str]]:
    """Pairs of text line boxes of different text nodes that cover each other. A line's box
    is its font's content area, taller than a tight line-height: adjacent lines may touch by
    a few pixels; text that collides overlaps by more than a quarter of its height."""
    found = []
    ordered = sorted(lines, key=lambda r: r["top"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b["top"] >= a["bottom"]:
                break
            if a["node"] == b["node"]:
                continue
            width = min(a["right"], b["right"]) - max(a["left"], b["left"])
            height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            smaller = min(a["bottom"] - a["top"], b["bottom"] - b["top"])
            if width > 2 and height > 0.25 * smaller:
                found.append((a["text"], b["text"]))
    return found


def outside_cells(lines: list[dict]) -> list[tuple[str, str]]:
    """Text lines that stick out of the card or figure cell they belong to."""
    return [
        (line["text"], line["cell"]["name"])
        for line in lines
        if line["cell"] and (
            line["left"] < line["cell"]["left"] - 0.5 or line["right"] > line["cell"]["right"] + 0.5
            or line["top"] < line["cell"]["top"] - 0.5
            or line["bottom"] > line["cell"]["bottom"] + 0.5
        )
    ]


def measure_page(browser: Any, url: str, width: int, shot: Path | None = None) -> dict:
    """What :data:`GEOMETRY` finds on the page at ``url`` in a ``width`` px viewport, plus
    every picture as ``[address, loaded, width]``; a full-page screenshot to ``shot``."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(url, wait_until="load")
        found = page.evaluate(GEOMETRY)
        found["images"] = page.evaluate(
            "[...document.images].map(i => [i.currentSrc || i.src,"
            " i.complete && i.naturalWidth > 0, i.getBoundingClientRect().width])"
        )
        if shot:
            page.screenshot(path=str(shot), full_page=True)
        return found
    finally:
        page.close()
