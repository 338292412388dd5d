"""Connection strings: the variable that names one, checking them, and hiding their passwords."""

from __future__ import annotations

import re
from urllib.parse import unquote

import psycopg
from psycopg.conninfo import conninfo_to_dict

DATABASE_URL_ENV = "AKHBAR_DATABASE_URL"

# `scheme://user:password@host`, any scheme, empty user allowed. The password runs to the last
# `@` of the word: hiding a host too much beats showing part of a password that holds an `@`.
URL_PASSWORD = re.compile(r"(?P<keep>\b[a-z][a-z0-9+.-]*://[^\s:/?#@]*:)(?P<secret>\S*)@", re.I)
QUERY_PASSWORD = re.compile(r"(?P<keep>[?&](?:ssl)?password=)(?P<secret>[^&#\s\"]*)", re.I)
# `password=p`, `password = 'a b'`, `sslpassword=p`; a quoted value may hold escaped quotes.
KEYWORD_PASSWORD = re.compile(
    r"(?P<keep>(?<![\w?&])(?:ssl)?password\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'?|[^\s\"]*)", re.I
)
QUOTED = re.compile(r'"([^"]+)"')
MASK = "***"


class DatabaseError(RuntimeError):
    """A database problem explained for the person at the terminal."""


def redact(dsn: str) -> str:
    """The connection string, or a message quoting one, with every password replaced by ***."""
    text = URL_PASSWORD.sub(rf"\g<keep>{MASK}@", dsn)
    text = QUERY_PASSWORD.sub(rf"\g<keep>{MASK}", text)
    return KEYWORD_PASSWORD.sub(rf"\g<keep>{MASK}", text)


def passwords(dsn: str) -> set[str]:
    """The password-like values written in a connection string, as written and decoded."""
    found = set()
    for pattern in (URL_PASSWORD, QUERY_PASSWORD, KEYWORD_PASSWORD):
        for match in pattern.finditer(dsn):
            secret = match["secret"].strip("'")
            found |= {secret, unquote(secret)}
    return {secret for secret in found if secret}


def scrub(message: str, dsn: str) -> str:
    """A driver message about `dsn` without the passwords, nor the fragments libpq quotes."""
    secrets = passwords(dsn)
    message = redact(message)
    for secret in sorted(secrets, key=len, reverse=True):
        message = message.replace(secret, MASK)
    # libpq quotes the token it stumbled on, e.g. `invalid percent-encoded token: "%zz"`.
    return QUOTED.sub(
        lambda m: f'"{MASK}"' if any(m[1] in secret for secret in secrets) else m[0], message
    )


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, or its type when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def check_dsn(dsn: str) -> None:
    """Raise DatabaseError, naming $AKHBAR_DATABASE_URL, unless `dsn` is a connection string."""
    try:
        conninfo_to_dict(dsn)
    except psycopg.Error as exc:
        # `from None`: libpq's own message may quote the password.
        raise DatabaseError(
            f"{DATABASE_URL_ENV} is not a PostgreSQL connection string "
            f"({scrub(first_line(exc), dsn)}): {redact(dsn)!r}. Write it as "
            f"postgresql://USER:PASSWORD@HOST:PORT/DATABASE or 'host=HOST dbname=DATABASE …', "
            f"or unset {DATABASE_URL_ENV} to use the embedded database."
        ) from None
