"""Web forms; each carries a CSRF token (Flask-WTF) and validates its own fields."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from voice.corrections import CorrectionError, clean

NOTE_MAX = 2000  # characters of a score's note (Score.note's form limit)
SCORE_LABELS = {1: "Poor", 2: "Weak", 3: "Fair", 4: "Good", 5: "Excellent"}


class LoginForm(FlaskForm):
    """Email and password, each required and bounded in length."""

    email = EmailField(
        "Email", validators=[InputRequired("Enter your email address."), Length(max=254)]
    )
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password."), Length(max=1024)]
    )


def _note_length(form: FlaskForm, field: Field) -> None:
    """Refuse a note over NOTE_MAX characters. Not wtforms' Length: that one renders
    maxlength, with which a browser cuts a pasted note unseen."""
    if len(field.data or "") > NOTE_MAX:
        raise ValidationError(
            f"A note can be at most {NOTE_MAX:,} characters: shorten it and save again."
        )


class ScoreForm(FlaskForm):
    """A 1-5 score with an optional note of at most NOTE_MAX characters."""

    value = RadioField(
        "Score",
        choices=[str(value) for value in SCORE_LABELS],  # labelled in the template
        coerce=int,
        validators=[InputRequired("Choose a score from 1 to 5.")],
        validate_choice=True,
    )
    note = TextAreaField("Note", validators=[_note_length])


def _transcript_text(form: FlaskForm, field: Field) -> None:
    """Keep the text as voice/corrections.py keeps it, or say why it cannot be saved."""
    try:
        field.data = clean(field.data)
    except CorrectionError as exc:
        raise ValidationError(str(exc)) from None


class TranscriptForm(FlaskForm):
    """A person's text of an answer's transcript: not empty, at most
    voice.corrections.MAX_CHARS characters (space around it dropped)."""

    text = TextAreaField("Transcript", validators=[_transcript_text])
