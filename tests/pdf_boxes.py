"""Where a PDF paints its images and fills its rectangles, read from the content stream with
pikepdf."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

Matrix = list[float]


def _operators(page: pikepdf.Page) -> Iterator[tuple[str, list, Matrix]]:
    """Each operator of the page's content stream with its operands and the current
    transformation matrix, following q/Q/cm."""
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[Matrix] = []
    for operands, op in pikepdf.parse_content_stream(page.obj):
        name = str(op)
        if name == "q":
            stack.append(ctm)
        elif name == "Q":
            ctm = stack.pop()
        elif name == "cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            m = ctm
            ctm = [a * m[0] + b * m[2], a * m[1] + b * m[3], c * m[0] + d * m[2],
                   c * m[1] + d * m[3], e * m[0] + f * m[2] + m[4], e * m[1] + f * m[3] + m[5]]
        else:
            yield name, list(operands), ctm


def image_boxes(
    page: pikepdf.Page,
) -> Iterator[tuple[pikepdf.Object, tuple[float, float, float, float]]]:
    """Each image XObject painted on a page and where: (left, bottom, right, top) in
    points, following q/Q/cm through the content stream."""
    xobjects = page.obj.Resources.get("/XObject", {})
    for name, operands, ctm in _operators(page):
        if name == "Do" and xobjects.get(str(operands[0]), {}).get("/Subtype") == "/Image":
            xs = [ctm[4], ctm[4] + ctm[0], ctm[4] + ctm[2], ctm[4] + ctm[0] + ctm[2]]
            ys = [ctm[5], ctm[5] + ctm[1], ctm[5] + ctm[3], ctm[5] + ctm[1] + ctm[3]]
            yield xobjects[str(operands[0])], (min(xs), min(ys), max(xs), max(ys))


def filled_rects(page: pikepdf.Page) -> Iterator[tuple[float, float, float, float]]:
    """Each rectangle a page fills (a cell's or a panel's background): (left, bottom,
    right, top) in points."""
    pending: list[tuple[float, float, float, float]] = []
    for name, operands, ctm in _operators(page):
        if name == "re":
            x, y, w, h = (float(v) for v in operands)
            points = [(ctm[0] * px + ctm[2] * py + ctm[4], ctm[1] * px + ctm[3] * py + ctm[5])
                      for px, py in [(x, y), (x + w, y + h)]]
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            pending.append((min(xs), min(ys), max(xs), max(ys)))
        elif name in ("f", "F", "f*", "B", "B*"):
            yield from pending
            pending = []
        elif name in ("n", "S", "s"):
            pending = []
