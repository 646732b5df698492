"""A figure's value written once for every language, printed in each edition's number style.

The guide tells editors that a figure's number is shared: ``value: "3 400"`` once, the
label per language. Written in the main language's style, the English edition then
printed "3 400", "1 250" and "37 %" beside "2,000" and "20%" in its own text (hand-made
issue 2029-03). A shared value that is a number, and nothing but a number with a percent
sign or a "+", is set in each edition's style from CLDR (Babel): its group separator, its
decimal sign, a space before "%" or none. Everything else is printed as written: a range
"2029–2031", a phone number, a value with words (check warns about those), and a value
the editor marked the same in every language (``!same``) or gave per language.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_VALUE = re.compile(r"(?P<sign>[+\-\u2212~\u2248<>]?)(?P<number>\d[\d ,.\u00a0\u202f']*?)"
                    r"(?P<percent>[ \u00a0\u202f]?%)?(?P<plus>\+)?")
_SPACES = " \u00a0\u202f"


@functools.cache
def _style(language: str) -> tuple[str, str, bool] | None:
    """The group separator, decimal sign and whether a space comes before "%" in
    ``language`` (CLDR); None for a language Babel does not know."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_decimal_symbol, get_group_symbol

    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None
    pattern = locale.percent_formats[None].pattern
    return (get_group_symbol(locale), get_decimal_symbol(locale),
            bool(re.search(r"0[\s\u00a0\u202f]+%", pattern)))


def localized_value(value: str, source: str, target: str) -> str:
    """``value``, written in ``source``'s number style, in ``target``'s: "3 400" (pl) is
    "3,400" in English, "99,5 %" is "99.5%", "1,250.5" (en) is "1 250,5" in Polish. As
    written when it is no number in ``source``'s style (grouped by threes, one decimal
    sign), or either language is unknown."""
    found = _VALUE.fullmatch(value.strip())
    if found is None or source == target or (found["number"].isdigit() and not found["percent"]):
        return value  # no number, or digits alone: the same in every language (no Babel)
    styles = _style(source), _style(target)
    if None in styles:
        return value
    (group, decimal, _), (to_group, to_decimal, spaced) = styles  # type: ignore[misc]
    number = found["number"]
    whole, _, fraction = number.partition(decimal)
    if not fraction.isdigit() and fraction:
        return value
    separators = set(_SPACES) if group in _SPACES else {group}
    if group == "\u2019":
        separators.add("'")
    digits = re.split("|".join(map(re.escape, separators)), whole)
    grouped = len(digits) > 1
    if not all(part.isdigit() for part in digits) or (grouped and not (
            1 <= len(digits[0]) <= 3 and all(len(part) == 3 for part in digits[1:]))):
        return value
    if decimal in fraction or (not grouped and not whole.isdigit()):
        return value
    text = to_group.join(digits) + (to_decimal + fraction if fraction else "")
    percent = ("\u00a0%" if spaced else "%") if found["percent"] else ""
    return f"{found['sign']}{text}{percent}{found['plus'] or ''}"


def shared_values_localized(issue: Any, main: str) -> Any:
    """``issue`` (an edition, model.Issue) with each figure value written once for every
    language in its own number style (:func:`localized_value` from ``main``'s)."""
    from newsletter.model import Figures

    if issue.language == main:
        return issue
    sections = []
    for section in issue.sections:
        blocks = []
        for block in section.blocks:
            if isinstance(block, Figures):
                items = [item.model_copy(update={"value": localized_value(
                    item.value, main, issue.language)}) if _written_once(item) else item
                    for item in block.items]
                block = block.model_copy(update={"items": items})
            blocks.append(block)
        sections.append(section.model_copy(update={"blocks": blocks}))
    return issue.model_copy(update={"sections": sections})


def _written_once(item: Any) -> bool:
    """Whether the editor wrote the figure's value once for every language (not per
    language, not marked ``!same``)."""
    where = item.where
    return "value" in where.fields and "value" not in where.decided
