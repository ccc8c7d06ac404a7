"""Feed ingest tokens: created or rotated by the CLI, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from command.models import FeedToken, utcnow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed_token(session: Session, source: str) -> str:
    """Create or rotate ``source``'s token and return it; the old one stops working at once."""
    token = "vgf_" + secrets.token_urlsafe(32)
    row = session.get(FeedToken, source)
    if row is None:
        session.add(FeedToken(source=source, token_hash=_hash(token)))
    else:
        row.token_hash, row.created_at, row.revoked_at = _hash(token), utcnow(), None
    return token


def feed_token_valid(session: Session, source: str, token: str) -> bool:
    """Return True when ``token`` is ``source``'s current, unrevoked token."""
    row = session.scalar(select(FeedToken).where(FeedToken.source == source))
    if row is None or row.revoked_at is not None:
        return False
    return hmac.compare_digest(row.token_hash, _hash(token))


def revoke_feed_token(session: Session, source: str) -> bool:
    """Revoke ``source``'s token at once; False when it has none."""
    row = session.get(FeedToken, source)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True
