"""What authenticating a request costs: API key, password (argon2id), identity-provider JWT.

Creates one subject in a fresh SQLite database (PostgreSQL with CUSTOMS_BENCH_POSTGRES_URL)
and authenticates it N times each way. The peer is the bare primary-key lookup of the
subject, the least any authentication has to do. An API key is one indexed lookup, one sha256,
one constant-time compare, the actor's party ids and offices, and the ``last_used_at`` write;
a password adds argon2id on purpose (tens of milliseconds: sign-in only, never per request).
The last line printed is a JSON object.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import jwt  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from sqlalchemy import text  # noqa: E402

from clearance.app import LOCAL_OPERATOR, Application, Role  # noqa: E402
from clearance.app import keys as key_cases  # noqa: E402
from clearance.app import subjects as subject_cases  # noqa: E402
from clearance.app.identity import (  # noqa: E402
    authenticate_jwt,
    authenticate_key,
    authenticate_password,
)
from clearance.app.subjects import NewSubject  # noqa: E402
from clearance.store.identity_tables import Subject  # noqa: E402
from clearance.store.migrate import upgrade  # noqa: E402
from core.db import make_engine  # noqa: E402
from core.settings import Settings  # noqa: E402


def per_second(n: int, call: Callable[[], object]) -> tuple[float, float]:
    """Calls per second and mean microseconds per call."""
    start = time.perf_counter()
    for _ in range(n):
        call()
    seconds = time.perf_counter() - start
    return n / seconds, seconds / n * 1e6


def main(n: int = 2000) -> None:
    """Run each way ``n`` times (passwords ``n // 100``) and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("CUSTOMS_BENCH_POSTGRES_URL") or f"sqlite:///{Path(tmp) / 'b.db'}"
        engine = make_engine(url)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        key = ec.generate_private_key(ec.SECP256R1())
        jwks = Path(tmp) / "jwks.json"
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
        jwks.write_text(json.dumps({"keys": [{**public, "kid": "k1"}]}))
        settings = Settings(jwks=str(jwks), jwt_issuer="bench", jwt_audience="customs")
        app = Application(engine, settings)
        subject_cases.add_subject(
            app,
            LOCAL_OPERATOR,
            NewSubject(
                "acme",
                "Acme",
                Role.TRADER,
                party_ids=["91310000MA1FL0XQ8W"],
                password="a long bench password",
            ),
        )
        api_key = key_cases.issue_key(app, LOCAL_OPERATOR, "acme").key
        token = jwt.encode(
            {
                "iss": "bench",
                "aud": "customs",
                "sub": "acme",
                "exp": datetime.now(UTC) + timedelta(hours=1),
            },
            key,
            algorithm="ES256",
            headers={"kid": "k1"},
        )

        def lookup() -> object:
            with app.read() as session:
                return session.get(Subject, "acme")

        rates: dict[str, tuple[float, float]] = {
            "peer_lookup": per_second(n, lookup),
            "api_key": per_second(n, lambda: authenticate_key(app, api_key)),
            "jwt_es256": per_second(n, lambda: authenticate_jwt(app, token)),
            "password_argon2id": per_second(
                max(n // 100, 5),
                lambda: authenticate_password(app, "acme", "a long bench password"),
            ),
        }
        database = engine.dialect.name
        engine.dispose()
    for name, (rate, micros) in rates.items():
        print(f"{name:<20} {rate:>10,.0f}/s  {micros:>10,.0f} µs each")
    print(json.dumps({"database": database, "n": n, **rates}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
