"""Create the PostgreSQL database named in DATABASE_URL when it does not exist yet."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alux_crm.settings.base")

import environ
import psycopg
from psycopg import sql

environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env", overwrite=False)
url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alux_crm")
config = environ.Env.db_url_config(url)
name = config["NAME"]
params = {
    "host": config.get("HOST") or "127.0.0.1",
    "port": config.get("PORT") or 5432,
    "user": config.get("USER") or "postgres",
    "password": config.get("PASSWORD") or None,
    "dbname": "postgres",
    "autocommit": True,
}
try:
    with psycopg.connect(**params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")
        with psycopg.connect(**{**params, "dbname": name}) as db:
            db.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
except psycopg.OperationalError as exc:
    sys.exit(f"Cannot reach PostgreSQL at {params['host']}:{params['port']}: {exc}")
