"""Candidate PINs: the one generator, used for single adds and CSV imports alike.

A PIN identifies a candidate within one interview when caller ID is withheld or
unknown (README, "The call", step 4), so it is unique per interview, never starts
with 0 (some keypads and carriers drop a leading zero) and is drawn with `secrets`.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from voice.models import Candidate

PIN_DIGITS = 6


def new_pin(taken: set[str]) -> str:
    """Return a fresh PIN not in `taken`, and add it to `taken` for the next call."""
    while True:
        pin = secrets.choice("123456789") + "".join(
            secrets.choice("0123456789") for _ in range(PIN_DIGITS - 1)
        )
        if pin not in taken:
            taken.add(pin)
            return pin


def pins_in_use(session: Session, interview_id: int) -> set[str]:
    """Every PIN already given out for the interview (a set of digit strings)."""
    return set(session.scalars(select(Candidate.pin).where(Candidate.interview_id == interview_id)))
