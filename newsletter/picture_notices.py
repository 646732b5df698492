"""What ``newsletter check`` tells an editor about a picture that no edition shows as the
file does.

A picture file can be whole and valid (:mod:`newsletter.image_files` makes sure of that)
and still show differently: an animated GIF moves in a browser, but a PDF cannot move
and many mail programs show only the first frame, so every edition shows that frame
(:mod:`newsletter.images`). The editor should know before the issue goes out, and choose
the frame that tells the story. Likewise a picture with too few pixels for its place in the
printer's PDF: the build warns, but the editor should hear it from ``check``, while there is
time to ask for a larger file.
"""

from __future__ import annotations

from PIL import Image as Pillow

from newsletter.exceptions import Problem
from newsletter.load import Project
from newsletter.model import Issue


def picture_notices(issue: Issue, project: Project | None = None) -> list[Problem]:
    """A warning at the ``file:`` line of each animated picture (once per file and line),
    and, given the project, of each picture too small for the printer's PDF."""
    notices: list[Problem] = []
    seen: set[tuple[object, object]] = set()
    for image in issue.images():
        where = image.where.of("file")
        if (image.file, where) in seen:
            continue
        seen.add((image.file, where))
        with Pillow.open(image.file) as opened:
            frames = getattr(opened, "n_frames", 1)
        if frames > 1:
            notices.append(Problem(where, (
                f"{image.file.name} is animated ({frames} frames): every edition shows its "
                "first frame only (a PDF and most mail programs cannot show it moving); save "
                "the frame to show as PNG, or make it the first frame"
            )))
    if project is not None:
        notices += _printed_too_small(issue, project)
    return notices


def _printed_too_small(issue: Issue, project: Project) -> list[Problem]:
    """The printer's PDF's low-resolution warnings, predicted from where each language's
    template places the picture (a picture shared by the languages is named once)."""
    from newsletter.render.print import low_resolution_pictures

    found: dict[object, Problem] = {}
    for edition in issue.editions():
        for printed in low_resolution_pictures(edition, project):
            where = printed.image.where.of("file")
            found.setdefault((printed.image.file, where), Problem(where, printed.message()))
    return list(found.values())
