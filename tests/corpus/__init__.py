"""The generated corpus of issue 16: a generator of issues as editors write them
(:mod:`corpus.generate`) and judges of what every build of them must hold
(:mod:`corpus.judges`). Used by tests/test_corpus.py and bench/corpus.py."""
