"""The journal's schema migrations, on a database made by an older version."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from newsletter.deliver.db import MIGRATIONS, open_database, schema_version

ADDED_IN_V2 = ("language", "lease_owner", "lease_until", "next_attempt_at")


def test_a_version_1_journal_gains_claims_and_languages(tmp_path: Path):
    db = tmp_path / "old.db"
    engine = open_database(db)
    with engine.begin() as connection:  # back to what version 1 made
        for column in ADDED_IN_V2:
            connection.execute(sa.text(f"ALTER TABLE deliveries DROP COLUMN {column}"))
        connection.execute(schema_version.update().values(version=1))
    engine.dispose()
    engine = open_database(db)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("deliveries")}
    assert set(ADDED_IN_V2) <= columns
    with engine.connect() as connection:
        assert connection.execute(sa.select(schema_version.c.version)).scalar() == len(MIGRATIONS)
