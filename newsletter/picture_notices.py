"""What ``newsletter check`` tells an editor about a picture that no edition shows as the
file does.

A picture file can be whole and valid (:mod:`newsletter.image_files` makes sure of that)
and still show differently: an animated GIF moves in a browser, but a PDF cannot move
and many mail programs show only the first frame, so every edition shows that frame
(:mod:`newsletter.images`). The editor should know before the issue goes out, and choose
the frame that tells the story.
"""

from __future__ import annotations

from PIL import Image as Pillow

from newsletter.exceptions import Problem
from newsletter.model import Issue


def picture_notices(issue: Issue) -> list[Problem]:
    """A warning at the ``file:`` line of each animated picture (once per file and line)."""
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
    return notices
