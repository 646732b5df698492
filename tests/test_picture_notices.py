"""`check` tells the editor when a picture will not show as its file does: an animated GIF
is shown as its first frame in every edition."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT, edited_copy, line_of
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
