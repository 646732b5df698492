"""Where a PDF paints its images, read from the content stream with pikepdf."""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf


def image_boxes(
    page: pikepdf.Page,
) -> Iterator[tuple[pikepdf.Object, tuple[float, float, float, float]]]:
    """Each image XObject painted on a page and where: (left, bottom, right, top) in
    points, following q/Q/cm through the content stream."""
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[list[float]] = []
    xobjects = page.obj.Resources.get("/XObject", {})
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
        elif name == "Do" and xobjects.get(str(operands[0]), {}).get("/Subtype") == "/Image":
            xs = [ctm[4], ctm[4] + ctm[0], ctm[4] + ctm[2], ctm[4] + ctm[0] + ctm[2]]
            ys = [ctm[5], ctm[5] + ctm[1], ctm[5] + ctm[3], ctm[5] + ctm[1] + ctm[3]]
            yield xobjects[str(operands[0])], (min(xs), min(ys), max(xs), max(ys))
