"""What a printer's PDF paints, as a print shop's preflight reads it: the colour of every
glyph and the width of every stroked line, from the content streams (pikepdf), through
Form XObjects, with the graphics state (q/Q, cm, colour, line width) followed."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import pikepdf

Matrix = list[float]
Colour = tuple[str, tuple[float, ...]]  # ("DeviceCMYK", (0, 0, 0, 1))


def _times(m: Matrix, n: Matrix) -> Matrix:
    return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3],
            m[2] * n[0] + m[3] * n[2], m[2] * n[1] + m[3] * n[3],
            m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]


@dataclass
class Paint:
    """Glyphs per (colour, size in pt, rounded to 0.1) and strokes per (width in pt, colour)."""

    glyphs: Counter[tuple[Colour, float]] = field(default_factory=Counter)
    strokes: Counter[tuple[float, Colour]] = field(default_factory=Counter)


_SPACES = {"g": "DeviceGray", "rg": "DeviceRGB", "k": "DeviceCMYK"}


def paint_of(pdf: pikepdf.Pdf) -> Paint:
    """Every page's text colours and sizes and stroke widths and colours."""
    paint = Paint()
    for page in pdf.pages:
        _visit(page.obj, page.obj.Resources, [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], paint)
    return paint


def _visit(content: pikepdf.Object, resources: pikepdf.Object, ctm: Matrix,
           paint: Paint) -> None:
    state = {"ctm": ctm, "w": 1.0, "fill": ("DeviceGray", (0.0,)),
             "stroke": ("DeviceGray", (0.0,)), "size": 0.0, "tm": [1.0, 0, 0, 1.0, 0, 0]}
    stack: list[dict] = []
    for operands, operator in pikepdf.parse_content_stream(content):
        op = str(operator)
        if op == "q":
            stack.append(dict(state))
        elif op == "Q" and stack:
            state = stack.pop()
        elif op == "cm":
            state["ctm"] = _times([float(v) for v in operands], state["ctm"])
        elif op == "w":
            state["w"] = float(operands[0])
        elif op.lower() in _SPACES:
            which = "fill" if op.islower() else "stroke"
            state[which] = (_SPACES[op.lower()], tuple(float(v) for v in operands))
        elif op in ("cs", "CS"):
            state["fill" if op == "cs" else "stroke"] = (str(operands[0]).lstrip("/"), ())
        elif op in ("sc", "scn", "SC", "SCN"):
            which = "fill" if op.islower() else "stroke"
            values = tuple(float(v) for v in operands if not isinstance(v, pikepdf.Name))
            state[which] = (state[which][0], values)
        elif op == "Tf":
            state["size"] = float(operands[1])
        elif op == "BT":
            state["tm"] = [1.0, 0, 0, 1.0, 0, 0]
        elif op == "Tm":
            state["tm"] = [float(v) for v in operands]
        elif op in ("Tj", "TJ", "'", '"'):
            matrix = _times(state["tm"], state["ctm"])
            size = round(state["size"] * math.hypot(matrix[2], matrix[3]), 1)
            strings = operands[0] if op == "TJ" else operands[-1:]
            glyphs = sum(len(bytes(s)) // 2 for s in strings if isinstance(s, pikepdf.String))
            paint.glyphs[(state["fill"], size)] += glyphs
        elif op in ("S", "s", "B", "b", "B*", "b*"):
            m = state["ctm"]
            width = state["w"] * math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))
            paint.strokes[(round(width, 2), state["stroke"])] += 1
        elif op == "Do":
            xobject = resources.get("/XObject", {}).get(str(operands[0]))
            if xobject is not None and xobject.get("/Subtype") == "/Form":
                matrix = [float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                _visit(xobject, xobject.get("/Resources", resources),
                       _times(matrix, state["ctm"]), paint)


def inks(colour: Colour) -> int:
    """How many printing plates a colour puts ink on (DeviceGray: black only)."""
    space, values = colour
    if space == "DeviceGray":
        return int(values[0] < 1)
    return sum(1 for v in values if v > 0)
