"""Developer tool: regenerate the single initial migration from the models (pre-release only)."""

from pathlib import Path

from alembic import command

from storage.db import Database
from storage.migrate import MIGRATIONS, alembic_config

if __name__ == "__main__":
    for f in (MIGRATIONS / "versions").glob("0001_*.py"):
        f.unlink()
    tmp = Path("/tmp/veille-migration.db")
    tmp.unlink(missing_ok=True)
    db = Database(f"sqlite:///{tmp}")
    command.revision(alembic_config(db.engine), message="initial schema", autogenerate=True, rev_id="0001")
