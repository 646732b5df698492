"""The regular expressions kept between processes (newsletter/regex_cache.py) are exactly
what Python's own ``re`` compiles, and a missing, damaged or unwritable file changes
nothing a user sees."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

from newsletter import regex_cache

ROOT = Path(__file__).resolve().parent.parent
NEWSLETTER = Path(sys.executable).with_name("newsletter")


def _build(cache_home: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run(
        [str(NEWSLETTER), "build", str(ROOT / "issues" / "2020-12"), "--only", "email",
         "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120,
    )


def _kept_file(cache_home: Path) -> Path:
    files = list((cache_home / "business-krakow-newsletter" / "regex").glob("patterns-*"))
    assert len(files) == 1, files
    return files[0]


def _what_re_compiles(patterns: list[tuple[str | bytes, int]]) -> dict:
    """What Python's own compiler hands its engine for each pattern (the engine's entry
    point wrapped, the kept patterns out of the way)."""
    import _sre

    seen = {}

    class Engine:
        def __getattr__(self, name):
            return getattr(_sre, name)

        @staticmethod
        def compile(pattern, flags, code, groups, groupindex, indexgroup):
            seen[pattern] = (flags, list(code), groups, dict(groupindex), tuple(indexgroup))
            return _sre.compile(pattern, flags, code, groups, groupindex, indexgroup)

    compiler = re._compiler
    regex_cache.uninstall()
    original, compiler._sre = compiler._sre, Engine()
    try:
        result = {}
        for text, flags in patterns:
            seen.clear()
            compiler.compile(text, flags)
            result[(text, flags)] = seen[text]
        return result
    finally:
        compiler._sre = original


def test_every_pattern_a_build_keeps_is_what_re_itself_compiles(tmp_path):
    built = _build(tmp_path / "cache", tmp_path / "out")
    assert built.returncode == 0, built.stderr
    kept = {key: marshal.loads(entry)  # each entry marshalled on its own
            for key, entry in marshal.loads(_kept_file(tmp_path / "cache").read_bytes()).items()}
    assert len(kept) > 200  # markdown-it's, PyYAML's, pydantic's, jinja2's, linkify-it's, ours
    assert any(len(text) > 3000 for text, _ in kept)  # linkify-it's host patterns
    assert kept == _what_re_compiles(list(kept))


def test_a_pattern_from_the_kept_file_behaves_as_re_compiles_it(tmp_path):
    file = tmp_path / "patterns.marshal"
    samples = [
        (r"(?P<year>\d{4})-(?P<month>\d\d)", "issue 2020-12, 2021-01"),
        (r"(?i)\bwww\.[^\s]+", "See WWW.dlabiznesu.krakow.pl now"),
        (r"[ąćęłńóśźż]+(?=\s)", "zażółć gęślą jaźń "),
        (r"^(a|b)*?c$", "ababc"),
    ]
    regex_cache.uninstall()
    expected = [(re.compile(p).pattern, re.compile(p).groupindex,
                 [m.span() for m in re.compile(p).finditer(t)]) for p, t in samples]
    for _ in range(2):  # first compiled and kept, then read from the file
        assert regex_cache.install(file)
        try:
            got = []
            for pattern, text in samples:
                re.purge()  # re's own in-memory cache would hide the kept one
                compiled = re.compile(pattern)
                got.append((compiled.pattern, compiled.groupindex,
                            [m.span() for m in compiled.finditer(text)]))
            regex_cache._write()
        finally:
            regex_cache.uninstall()
            re.purge()
        assert got == expected
    assert len(marshal.loads(file.read_bytes())) >= len(samples)


def test_a_damaged_file_is_ignored_and_written_anew(tmp_path):
    cache = tmp_path / "cache"
    first = _build(cache, tmp_path / "cold")
    assert first.returncode == 0, first.stderr
    file = _kept_file(cache)
    file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    again = _build(cache, tmp_path / "damaged")
    assert again.returncode == 0 and again.stderr == "", again.stderr
    assert isinstance(marshal.loads(file.read_bytes()), dict)
    for name in ("email.html", "email.txt"):
        cold = (tmp_path / "cold" / "2020-12" / name).read_bytes()
        assert (tmp_path / "damaged" / "2020-12" / name).read_bytes() == cold
    warm = _build(cache, tmp_path / "warm")
    assert warm.returncode == 0, warm.stderr
    assert (tmp_path / "warm" / "2020-12" / "email.html").read_bytes() == (
        tmp_path / "cold" / "2020-12" / "email.html").read_bytes()


def test_a_pattern_folder_that_cannot_be_made_changes_nothing_a_user_sees(tmp_path):
    cache = tmp_path / "cache"
    (cache / "business-krakow-newsletter").mkdir(parents=True)
    (cache / "business-krakow-newsletter" / "regex").write_text("a file, not a folder")
    built = _build(cache, tmp_path / "out")
    assert built.returncode == 0 and built.stderr == "", built.stderr
    assert (tmp_path / "out" / "2020-12" / "email.html").stat().st_size > 10_000


def test_the_verbs_that_read_subscribers_keep_no_pattern(tmp_path):
    """A pattern made from what they read (someone's address) must not outlive the data
    `forget` erases: only the verbs that read an issue's text keep patterns."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "NEWSLETTER_SECRET": "a-test-secret-of-enough-length-0123456789"}
    db = str(tmp_path / "list.db")
    for args in (["subscribers", "add", "jan.kowalski@example.org", "--db", db],
                 ["subscribers", "forget", "jan.kowalski@example.org", "--db", db, "--yes"],
                 ["subscribers", "list", "--db", db]):
        done = subprocess.run([str(NEWSLETTER), *args], env=env, capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert not (tmp_path / "cache" / "business-krakow-newsletter" / "regex").exists()
    checked = _build(tmp_path / "cache", tmp_path / "out")
    assert checked.returncode == 0, checked.stderr
    assert _kept_file(tmp_path / "cache").stat().st_size > 0


def test_an_entry_of_another_shape_is_compiled_again(tmp_path):
    file = tmp_path / "patterns.marshal"
    file.write_bytes(marshal.dumps({(r"\d+", 0): (0, [1, 2, 3], 0, {}, ()),
                                    (r"[a-z]+", 0): "not an entry",
                                    (r"[0-9a-f]+", 0): b"not marshal data"}))
    regex_cache.uninstall()
    assert regex_cache.install(file)
    try:
        re.purge()
        assert re.compile(r"\d+").findall("a 12 b 345") == ["12", "345"]
        assert re.compile(r"[a-z]+").findall("ab 1 cd") == ["ab", "cd"]
        assert re.compile(r"[0-9a-f]+").findall("ff zz 09") == ["ff", "09"]
    finally:
        regex_cache.uninstall()
        re.purge()
