"""The app's pages: Jinja2 templates in ``templates/app/`` with the newsletter's theme.

Words come from ``templates/_shared/strings.yaml`` like every edition's, colours and
fonts from the theme (``assets/theme.yaml``) through one stylesheet made at start-up:
no inline style or script, so the Content-Security-Policy can forbid both. Autoescape
is on: everything a reader typed is shown escaped, exactly once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from newsletter.load import Project
from newsletter.output import SIGNUP_PATH
from newsletter.render.templating import environment, strings

DEFAULT_LANGUAGE = "pl"


def root_path(base_url: str) -> str:
    """The path the pages live under, from base_url: ``/`` for a host of their own,
    ``/newsletter/`` for ``https://www.krakow.pl/newsletter/``. Every link and form of a
    page starts with it, so a reader's browser stays under base_url, where the proxy
    forwards to `serve`."""
    return urlsplit(base_url).path or "/"


class Pages:
    """Renders the app's templates; also serves its stylesheet and script."""

    def __init__(self, project: Project):
        self.project = project
        self.env = environment(project, "app")
        self.languages = project.languages()  # strings.yaml's blocks: data, not code
        self.words = {language: strings(project, language) for language in self.languages}
        self.css = self.env.get_template("app.css.j2").render(theme=project.theme)
        self.script = (project.site.templates_path / "app" / "signup.js").read_text("utf-8")
        self.root = root_path(project.site.base_url)

    def language(self, request: Request, preferred: str | None = None) -> str:
        """The page's language: ``?lang=``, else the person's own, else the browser's."""
        asked = request.query_params.get("lang")
        if asked in self.languages:
            return asked
        if preferred in self.languages:
            return preferred
        accepted = request.headers.get("accept-language", "").lower()
        for part in accepted.split(","):
            code = part.split(";")[0].strip()[:2]
            if code in self.languages:
                return code
        return DEFAULT_LANGUAGE

    def render(
        self, template: str, language: str, status: int = 200, **context: Any
    ) -> HTMLResponse:
        """A page in ``language``; ``context`` values are escaped by the template."""
        html = self.env.get_template(template).render(
            site=self.project.site, theme=self.project.theme, language=language,
            tagline=self.project.site.tagline_in(language), t=self.words[language],
            words=self.words, languages=self.languages, root=self.root, **context,
        )  # fmt: skip
        return HTMLResponse(html, status_code=status)

    def message(
        self,
        language: str,
        title: str,
        text: str,
        status: int = 200,
        link: tuple[str, str] | None = None,
        **values: Any,
    ) -> HTMLResponse:
        """A page with a heading and a paragraph (keys of the words; ``text`` formatted
        with ``values``, escaped with it); ``link``: (URL, words key) shown below."""
        url, link_key = link or (None, None)
        return self.render("message.html", language, status, title_key=title, text_key=text,
                           values=values, link=url, link_key=link_key)  # fmt: skip

    def sign_up_again(self, language: str) -> tuple[str, str]:
        """``message``'s ``link`` to the sign-up form, in the page's language."""
        return f"{self.root}{SIGNUP_PATH}?lang={language}", "sign_up_again"

    def too_large(self, request: Request) -> HTMLResponse:
        """The 413 page: a body over the limit (see :class:`~newsletter.app.security.BodyLimit`)."""
        return self.message(self.language(request), "too_large_title", "too_large", 413)

    def stylesheet(self, _request: Request) -> Response:
        return Response(self.css, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    def javascript(self, _request: Request) -> Response:
        return Response(self.script, media_type="text/javascript",
                        headers={"Cache-Control": "max-age=3600"})  # fmt: skip
