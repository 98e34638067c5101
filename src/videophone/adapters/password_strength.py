"""Password strength estimated by zxcvbn (dictionaries, keyboard patterns, repeats, sequences,
dates, l33t substitutions, and the user's own data): the estimator of domain/passwords.py."""

from __future__ import annotations

from collections.abc import Sequence

from zxcvbn import zxcvbn

from videophone.identity.domain.passwords import Strength

# zxcvbn refuses longer input (its matching grows with the square of the length); the first
# characters decide: a password whose first 72 are strong is strong.
ESTIMATED_LENGTH = 72


def zxcvbn_strength(password: str, user_inputs: Sequence[str] = ()) -> Strength:
    result = zxcvbn(password[:ESTIMATED_LENGTH], user_inputs=[u for u in user_inputs if u])
    return Strength(score=int(result["score"]))
