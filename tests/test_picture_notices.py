"""`check` tells the editor when a picture will not show as its file does: an animated GIF
is shown as its first frame in every edition."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT, SAMPLE, edited_copy, line_of
from PIL import Image

from newsletter.cli import main


def animated(path: Path, frames: int, seed: int) -> Path:
    rng = random.Random(seed)
    size = (rng.randint(16, 400), rng.randint(16, 400))
    pictures = [Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
                for _ in range(frames)]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=100, loop=0)
    return path


@pytest.mark.parametrize("frames", [1, 2, 7])
def test_check_names_an_animated_gif_at_its_line_and_still_passes(frames: int, tmp_path):
    issue = edited_copy(DATA / "every-block", tmp_path / "2021-01", {
        "issue.yaml": [("file: images/card.png", "file: images/card.gif")],
    })
    animated(issue / "images" / "card.gif", frames, frames)
    config = str(ROOT / "newsletter.toml")
    result = CliRunner().invoke(main, ["--config", config, "check", str(issue)])
    assert result.exit_code == 0, result.output
    line = line_of(issue / "issue.yaml", "file: images/card.gif")
    notices = [w for w in result.output.splitlines() if "card.gif is animated" in w]
    if frames == 1:
        assert notices == []
    else:
        assert notices == [
            f"warning: {issue / 'issue.yaml'}:{line}: card.gif is animated ({frames} frames): "
            "every edition shows its first frame only (a PDF and most mail programs cannot "
            "show it moving); save the frame to show as PNG, or make it the first frame"
        ]


def _printed_warnings(issue: Path, out: Path) -> tuple[list[str], list[str]]:
    """The ppi warnings about photo.jpg from `check`, and from building the printer's PDF."""
    config = str(ROOT / "newsletter.toml")
    checked = CliRunner().invoke(main, ["--config", config, "check", str(issue)])
    assert checked.exit_code == 0, checked.output
    built = CliRunner().invoke(main, ["--config", config, "build", str(issue), "--only", "print",
                                      "--language", "en", "--out", str(out)])
    assert built.exit_code == 0, built.output
    return ([w for w in checked.output.splitlines() if "photo.jpg" in w and "ppi" in w],
            [w for w in built.output.splitlines() if "photo.jpg" in w and "ppi" in w])


def test_check_predicts_a_picture_too_small_for_print_and_its_fix_is_enough(tmp_path):
    """The printer's PDF warns about a picture below [print] min_ppi only when it is built;
    `check` says it first, at the picture's line, with a width that then prints sharp
    wherever the layout sets it (the build agrees)."""
    from photos import make_photo

    issue = edited_copy(SAMPLE, tmp_path / "2020-12", {
        "microsoft-education.md": [("images/school-cloud-laptop.png", "images/photo.jpg")],
    })
    make_photo(issue / "images" / "photo.jpg", size=(700, 500))
    checked, built = _printed_warnings(issue, tmp_path / "small")
    line = line_of(issue / "microsoft-education.md", "images/photo.jpg")
    assert len(checked) == 1 and f"microsoft-education.md:{line}: photo.jpg has 700 px" in (
        checked[0]), checked
    assert built, "the build warns too"
    needed = int(checked[0].split("a file at least ")[1].split(" px")[0])
    make_photo(issue / "images" / "photo.jpg", size=(needed, needed * 5 // 7))
    assert _printed_warnings(issue, tmp_path / "large") == ([], [])
