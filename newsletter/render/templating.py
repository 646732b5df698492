"""The Jinja2 environment every edition renders with: theme, site and Markdown filters.

Templates live in ``templates/<edition>/`` with shared partials in ``templates/_shared/``;
autoescape is on, so editors' text is escaped exactly once and Markdown output (already
safe HTML from :mod:`newsletter.markdown`) is marked safe by the filter that makes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterator
from pathlib import Path

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from newsletter.cache_home import cache_home
from newsletter.load import Project
from newsletter.markdown import has_tables_or_notes, to_html, to_inline_html, to_text, wrap
from newsletter.model import Figure, Image, Issue
from newsletter.render.code_values import Code, as_typed
from newsletter.render.contents_entries import with_page_number
from newsletter.render.dates import format_date
from newsletter.typography import (
    NO_BREAK_SPACE,
    SCREEN_BOUND_LIMIT,
    SCREEN_TITLE_BOUND_LIMIT,
    Rules,
    bind,
    bind_html,
    breakable_url,
    display_url,
    keep_acronyms_whole,
    keep_addresses_whole,
    keep_numbers_together,
    keep_ranges_whole,
    language_rules,
)
from newsletter.words import Language, site_languages, words_of


def environment(project: Project, edition: str, autoescape: bool = True) -> Environment:
    """The Jinja2 environment for one edition's templates.

    Cached per templates folder, so compiled templates are reused across builds (the
    preview rebuilds often; Jinja still reloads a template whose file changed). Theme and
    site are not globals but part of :func:`issue_context`, since they may differ between
    projects that share templates. ``autoescape=False`` is for plain-text outputs only.
    """
    return _environment(project.site.templates_path, edition, autoescape)


@functools.cache
def _environment(root: Path, edition: str, autoescape: bool) -> Environment:
    env = Environment(
        bytecode_cache=_bytecode_cache(),
        loader=FileSystemLoader([root / edition, root / "_shared"]),
        autoescape=select_autoescape(default=autoescape, default_for_string=autoescape),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=typeset,
    )
    env.filters["markdown"] = markdown_html
    env.filters["acronyms"] = plain_acronyms
    env.filters["with_page_number"] = with_page_number
    env.filters["inline_markdown"] = lambda text: Markup(to_inline_html(text)) if text else ""
    env.filters["month"] = month_year
    env.filters["long_date"] = long_date
    env.filters["wrap"] = wrap_text
    env.filters["figures_text"] = figures_text
    env.filters["breakable_url"] = lambda url: Markup(breakable_url(url))
    env.filters["line_url"] = line_url
    env.filters["keep_numbers"] = keep_numbers_together
    env.filters["text"] = markdown_text
    env.filters["display_url"] = display_url
    env.filters["text_url"] = text_url
    env.filters["filesize"] = file_size
    env.filters["as_typed"] = as_typed
    env.globals["image_size"] = image_size
    env.globals["has_tables_or_notes"] = lambda issue: has_tables_or_notes(_markdown_of(issue))
    env.globals["nbsp"] = NO_BREAK_SPACE  # between two printed values that must not part
    return env


def _rules(context: Context) -> Rules | None:
    """The typography of the language being rendered (``issue`` in the context), if any."""
    issue = context.get("issue")
    templates = context.get("templates_root")
    if not isinstance(issue, Issue) or templates is None:
        return None
    chosen = context.get("typography")  # issue_context's, read once per render
    if isinstance(chosen, Rules):
        return chosen
    return language_rules(Path(str(templates)) / "_shared" / "strings.yaml", issue.language)


@pass_context
def typeset(context: Context, value: object) -> object:
    """Every value a template prints passes here (Jinja's ``finalize``): text in the
    issue's language gets its typography (no-break spaces where words bind), so the
    e-mail, the web page, both PDFs and the text part agree, whatever template prints it.
    HTML (Markdown output) is bound in its text only, never in tags or code."""
    if not isinstance(value, str) or not value:
        return value
    if isinstance(value, Code):
        return value  # a style or an attribute list: a no-break space there breaks it
    if not context.eval_ctx.autoescape:
        return value  # plain text binds where it is wrapped (wrap, text): spaces align there
    rules = _rules(context)
    if rules is None:
        return value
    if context.get("variant") not in ("download", "print"):
        rules = screen_rules(rules, isinstance(value, Markup))
    else:
        rules = _on_paper(rules)
    if isinstance(value, Markup):
        html = _bound_html(str(value), rules)
        if context.get("variant") in ("download", "print") and html.lstrip().startswith("<"):
            html = keep_acronyms_whole(html)  # an HTML fragment (Markdown), on paper
        return Markup(html)
    bound = _bound(value, rules)
    # prose only: a value printed into an attribute (an id "turystyka-2", a class list
    # "section section-cooperation", a date) must stay as typed, or links to it break
    return bound if _NOT_PROSE.fullmatch(value) else keep_ranges_whole(bound, rules)


_NOT_PROSE = re.compile(r"[\w.:+-]+|[a-z0-9_ -]+")
"""A value with no space (an id, a date, a number, an address) or a list of lowercase
names (CSS classes): printed into attributes, never joined."""


@functools.cache
def _on_paper(rules: Rules) -> Rules:
    """``rules`` for the PDFs' HTML: a word's typed hyphen needs no joiner there, as the
    PDFs set it as a no-break hyphen (:func:`newsletter.typography.hyphenated_words_whole`);
    a joiner beside it also changed the page fitting's choices (the stress issue went
    from 5 pages to 6, one of them half empty). The same for passages in a language that
    never breaks at such a hyphen (Czech)."""
    return dataclasses.replace(rules, break_at_hyphens=True, passages=tuple(
        (code, dataclasses.replace(quoted, break_at_hyphens=True))
        for code, quoted in rules.passages))


@functools.cache
def screen_rules(rules: Rules, running_text: bool) -> Rules:
    """``rules`` for a reader's screen, whose width no one knows: a chain of bindings too
    long for a phone's line is released after an abbreviation, in running text (Markdown)
    at :data:`SCREEN_BOUND_LIMIT`, in plain fields (titles, set larger) sooner."""
    limit = SCREEN_BOUND_LIMIT if running_text else SCREEN_TITLE_BOUND_LIMIT
    return dataclasses.replace(rules, bound_limit=limit)


@pass_context
def plain_acronyms(context: Context, text: str | None) -> object:
    """A plain field (a title, kicker, lead, caption, card title, figure label) with its
    acronyms and addresses kept whole on paper, as Markdown texts' are (:func:`typeset`):
    a hyphenated acronym reads as two words, a hyphenated address leads nowhere. On
    screens (which do not hyphenate) its addresses only, breakable after / ? & = as in
    Markdown: a phone otherwise cut a heading's address at any letter (``krakow.p`` /
    ``l/``)."""
    if not text:
        return text
    if context.get("variant") not in ("download", "print"):
        return Markup(keep_addresses_whole(str(text))) if _HAS_ADDRESS.search(text) else text
    return Markup(keep_acronyms_whole(keep_addresses_whole(str(text))))


_HAS_ADDRESS = re.compile(r"https?://|mailto:|www\.|@", re.IGNORECASE)


@pass_context
def markdown_html(context: Context, text: str | None) -> Markup:
    """A Markdown text as HTML; on paper (the print variant) with each link's address."""
    if not text:
        return Markup("")
    variant = context.get("variant")
    return Markup(_html(text, variant == "print", variant in ("download", "print")))


# A text's HTML and plain text depend on nothing else, and the same texts are rendered
# again and again: by the e-mail when it tries teasers, by every edition of a build, by the
# preview after each edit. Parsing (markdown-it, linkify) was about 60 % of an e-mail render.
_html = functools.lru_cache(maxsize=2048)(to_html)


@functools.lru_cache(maxsize=2048)
def _text(text: str, width: int, rules: Rules | None = None) -> str:
    """``to_text`` bound by a language's rules before it is wrapped (remembered too)."""
    return to_text(text, width, prepare=(lambda words: bind(words, rules)) if rules else None)


# Every printed value passes typeset(): the rules are read once per render (issue_context)
# and a Markdown text's bound HTML is remembered like its HTML, not bound again per render.
_bound_html = functools.lru_cache(maxsize=2048)(bind_html)
# Plain values too (titles, labels, dates): a few hundred per e-mail, the same each render.
_bound = functools.lru_cache(maxsize=8192)(bind)


def _markdown_of(issue: Issue) -> Iterator[str | None]:
    """Every Markdown text of an issue (section intros, bodies, closings, cards' texts)."""
    for section in issue.sections:
        yield section.intro
        for block in section.blocks:
            for name in ("body", "closing", "intro", "text"):
                yield getattr(block, name, None)
            for card in getattr(block, "cards", None) or []:
                yield card.text


def image_size(image: Image, slot: str = "") -> Markup:
    """``width`` and ``height`` attributes from the file, so pages do not jump as they load
    (the web page gives its own, per ``slot``, for the files it links)."""
    width, height = image.pixel_size()  # an unreadable file is an UnreadableImage
    return Code(f'width="{width}" height="{height}"')


SHORT_ADDRESS = 28
"""An address this short fits any phone's line whole (28 characters at 8.5 px: 238 px)."""


def line_url(text: str) -> Markup:
    """An address in a line across the page (a footer's contact line): a short one kept
    whole, the line breaking before it ("pi.umk" / "@um.krakow.pl" ended a line of the web
    page's footer at 1024 px, hand-made issue 2028-02); a longer one breakable after its
    slashes and before its "@" (:func:`breakable_url`)."""
    if len(text) <= SHORT_ADDRESS:
        return Markup('<span style="white-space:nowrap">{}</span>').format(text)
    return Markup(breakable_url(text))


def text_url(url: str) -> str:
    """An address as the text part shows it: whole (a mail program links it only with its
    scheme), but an e-mail address bare, as a reader writes it ("Napisz e-mail:
    mailto:katarzyna…" in hand-made issue 2028-02), as Markdown's links there are."""
    return url.removeprefix("mailto:")


def file_size(size: int, language: str = "en") -> str:
    """"190 KB", "1.4 MB" ("1,4 MB" in Polish: the web page read "6.7 MB", hand-made issue
    2028-02): how a download link states its size, with ``language``'s decimal mark."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", _decimal_mark(language))
    return f"{max(1, round(size / 1024))} KB"


@functools.cache
def _decimal_mark(language: str) -> str:
    """CLDR's decimal mark of ``language`` (Babel); a point for a code CLDR does not know."""
    from babel import UnknownLocaleError
    from babel.numbers import get_decimal_symbol

    try:
        return get_decimal_symbol(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return "."


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """Compiled templates kept between runs (keyed by the template source's checksum, so
    an edited template is recompiled): saves about 30 ms of every build's start-up.

    Compiled code also depends on the filters (a filter that takes the context is called
    differently), so the folder is per version of this module: a changed filter never
    meets code compiled for the old one."""
    import hashlib

    version = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    folder = cache_home() / "jinja" / version
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # a read-only home: compile every time, nothing else changes
    return FileSystemBytecodeCache(str(folder))


LONG_ARTICLE_WORDS = 250
"""Articles longer than this are marked "long" (set in two columns on paper)..."""
COLUMN_ARTICLE_WORDS = 600
"""...up to this length (what two columns hold on about one page, beside a picture).
WeasyPrint balances columns by laying their text out again and again, on every page they
reach: a long two-language issue (eight articles of 550–750 words) took 17.5 s to lay
out in columns and 5.3 s in one. Longer articles are set in one column, like the rest
of the page."""

TEXT_WIDTH = 78
"""Plain-text outputs wrap here (RFC 5322's recommended 78 characters)."""


@pass_context
def wrap_text(context: Context, text: str, width: int = TEXT_WIDTH, indent: str = "") -> str:
    """One paragraph of plain text, wrapped, never breaking words, URLs or numbers, nor
    where the language binds words (bound before wrapping: a line never ends in "w")."""
    return _wrapped(str(text), width, indent, _rules(context))


@functools.lru_cache(maxsize=4096)
def _wrapped(text: str, width: int, indent: str, rules: Rules | None) -> str:
    """``wrap_text``'s result, remembered: the text part wraps the same titles and leads
    on every render (each teaser tried, each preview)."""
    return wrap(bind(text, rules) if rules else text, width, indent)


@pass_context
def figures_text(context: Context, items: list[Figure]) -> str:
    """Figures as aligned lines (``   419  participants``): values right-aligned and never
    split, labels wrapped under themselves so no line passes 78 characters, bound by the
    language's typography as every wrapped text is (a label's line ended in "w")."""
    width = max(len(item.value) for item in items)
    rules = _rules(context)
    lines = []
    for item in items:
        first = f"  {item.value:>{width}}  "
        label = bind(item.label, rules) if rules else item.label
        lines.append(wrap(label, TEXT_WIDTH, first, " " * len(first)))
    return "\n".join(lines)


@pass_context
def markdown_text(context: Context, text: str, indent: str = "") -> str:
    """Markdown as wrapped plain text (links as ``label <url>``), optionally indented,
    bound by the language's typography before it is wrapped."""
    body = _text(text, TEXT_WIDTH - len(indent), _rules(context))
    return "\n".join(indent + line if line else line for line in body.splitlines())


def month_year(date: dt.date, locale: str) -> str:
    """"December 2020" / "grudzień 2020" / "Грудень 2020": how an issue is named on its
    masthead (``locale``: the language's Babel locale, :attr:`newsletter.words.Language.locale`)."""
    text = format_date(date, "LLLL yyyy", locale=locale)
    return text[:1].upper() + text[1:]


def month_in_text(date: dt.date, locale: str) -> str:
    """"December 2020" / "grudzień 2020" / "грудень 2020": the month inside a line, in the
    language's own case, after the newsletter's name (the PDFs' running head, a new
    issue's subject). Capitalised there, as on the masthead, every Polish page's head read
    "Business Kraków · Lipiec 2022", which a Polish proof-reader marks as a mistake."""
    return format_date(date, "LLLL yyyy", locale=locale)


def issue_name(title: str, date: dt.date, locale: str, dash: str = "\u2014") -> str:
    """The name the PDFs' and the web page's titles give an issue: the editor's title and
    its month ("Business Kraków — December 2020", "… — grudzień 2020", mid-title in the
    language's own case), or the title alone when it names the year itself: an editor's
    "Business Kraków — wrzesień 2027" read "… — wrzesień 2027 — Wrzesień 2027" (hand-made
    issues 2027-09 and 2028-02). ``dash``: the language's (:attr:`Rules.dash`)."""
    if re.search(rf"(?<!\d){date.year}(?!\d)", title):
        return title
    return f"{title} {dash} {month_in_text(date, locale)}"


def long_date(date: dt.date, locale: str) -> str:
    """"December 1, 2020" / "1 grudnia 2020"."""
    return format_date(date, "long", locale=locale)


def site_language(project: Project, code: str) -> Language:
    """A language of the site as strings.yaml declares it."""
    return site_languages(project.site.templates_path)[code]


def strings(project: Project, language: str) -> dict[str, str]:
    """The words templates print around the content (``templates/_shared/strings.yaml``),
    in ``language`` and only in it: ``check`` names a missing word, no other language's
    word fills in for it (:func:`newsletter.words.language_problems`)."""
    return words_of(project.site.templates_path, language)


def issue_rules(issue: Issue, project: Project) -> Rules:
    """The typography of ``issue``'s language: what its editions bind, and what a grid
    measures as one word (:func:`newsletter.typography.line_words`)."""
    return language_rules(project.site.templates_path / "_shared" / "strings.yaml", issue.language)


def issue_context(issue: Issue, project: Project) -> dict[str, object]:
    """Values every edition's templates share."""
    language = site_language(project, issue.language)
    return {
        "theme": project.theme,
        "site": project.site,
        "issue": issue,
        "templates_root": str(project.site.templates_path),
        "typography": issue_rules(issue, project),
        "long_article_words": LONG_ARTICLE_WORDS,
        "column_article_words": COLUMN_ARTICLE_WORDS,
        "t": strings(project, issue.language),
        "tagline": project.site.tagline_in(issue.language),
        "month": month_year(issue.date, language.locale),
        "month_in_text": month_in_text(issue.date, language.locale),
        "issue_name": issue_name(issue.title, issue.date, language.locale,
                                 issue_rules(issue, project).dash),
        "hyphenation": language.hyphenation,
        "sections": [(project.theme.section(s.kind).words(issue.language), s)
                     for s in issue.sections],
    }
