"""SMS to candidates: what each message says, and the row that records it.

A message is first written as a `Message` row (unique per candidate and kind, so a
retried job or a double click never texts twice), then sent by the worker job
`workers.messages.send_message(message_id)`, which records the Twilio MessageSid or
the error.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voice.call_length import expected_minutes
from voice.dates import date_and_time
from voice.models import Candidate, DecisionKind, Message, MessageTemplate

INVITATION = "invitation"
RECEIPT = "receipt"


def reminder_kind(label: str) -> str:
    """The Message kind of the reminder sent `label` before the deadline (e.g. "48h")."""
    return f"reminder:{label}"


def decision_kind(decision: str) -> str:
    """The Message (and template) kind for a decision: advance, hold or reject."""
    return f"decision:{decision}"


TEXTS = {
    "en": {
        INVITATION: (
            "Hi {first_name}, {company} invites you to a phone interview for {title}. "
            "Call {number} from any phone and enter PIN {pin}.{deadline} "
            "It takes about {minutes} minutes."
        ),
        "reminder": (
            "Reminder: your phone interview for {title} with {company} closes {deadline_short}. "
            "Call {number}, PIN {pin}."
        ),
        RECEIPT: (
            "Thanks {first_name}, we received your interview for {title}. "
            "{company} will be in touch."
        ),
        "deadline": " Please call by {deadline}.",
    },
    "es": {
        INVITATION: (
            "Hola {first_name}, {company} le invita a una entrevista telefónica para {title}. "
            "Llame al {number} desde cualquier teléfono e ingrese el PIN {pin}.{deadline} "
            "Toma unos {minutes} minutos."
        ),
        "reminder": (
            "Recordatorio: su entrevista telefónica para {title} con {company} cierra "
            "{deadline_short}. Llame al {number}, PIN {pin}."
        ),
        RECEIPT: (
            "Gracias {first_name}, recibimos su entrevista para {title}. "
            "{company} se comunicará con usted."
        ),
        "deadline": " Por favor llame antes del {deadline}.",
    },
}

# The languages Screenline's own texts (these SMS and the IVR's phrases, ivr/phrases.py)
# are written in; any other language gets the English text.
MESSAGE_LANGUAGES = tuple(TEXTS)

# Built-in decision texts per language; an organisation may replace each one per
# language (MessageTemplate rows, Settings -> Decision messages).
DEFAULT_DECISION_TEXTS = {
    "en": {
        DecisionKind.ADVANCE: (
            "Hi {first_name}, good news from {company}: we'd like to move you forward for "
            "{title}. We'll contact you shortly to book the next step.{feedback}"
        ),
        DecisionKind.HOLD: (
            "Hi {first_name}, thanks for interviewing for {title}. We're still reviewing and "
            "will update you soon.{feedback}"
        ),
        DecisionKind.REJECT: (
            "Hi {first_name}, thank you for interviewing for {title} with {company}. We won't "
            "be moving forward this time, but we appreciate your time and hope you'll apply "
            "again.{feedback}"
        ),
    },
    "es": {
        DecisionKind.ADVANCE: (
            "Hola {first_name}, buenas noticias de {company}: queremos avanzar con su "
            "candidatura para {title}. Nos comunicaremos pronto para programar el siguiente "
            "paso.{feedback}"
        ),
        DecisionKind.HOLD: (
            "Hola {first_name}, gracias por su entrevista para {title}. Seguimos revisando "
            "y le avisaremos pronto.{feedback}"
        ),
        DecisionKind.REJECT: (
            "Hola {first_name}, gracias por su entrevista para {title} con {company}. Esta "
            "vez no seguiremos adelante con su candidatura, pero agradecemos su tiempo y "
            "esperamos que vuelva a postularse.{feedback}"
        ),
    },
}


def language_of(code: str | None) -> str:
    """The message language ("en" or "es", one of MESSAGE_LANGUAGES) for a language code
    such as "es-MX"; English for None or a language Screenline has no texts in."""
    code = (code or "en").lower()
    return next((lang for lang in MESSAGE_LANGUAGES if code.startswith(lang)), "en")


def message_language(candidate: Candidate) -> str:
    """The language every SMS to `candidate` is written in (invitation, reminder, receipt,
    decision): the one they took the interview in, else the interview's main language,
    as a MESSAGE_LANGUAGES code. Needs candidate.interview loaded."""
    return language_of(candidate.language or candidate.interview.language)


def _values(candidate: Candidate) -> dict[str, str]:
    interview = candidate.interview
    deadline = interview.deadline
    language = candidate.language or interview.language
    when = date_and_time(deadline, interview.organization.time_zone, language) if deadline else ""
    return {
        "first_name": candidate.name.split()[0],
        "company": interview.organization.name,
        "title": interview.text("title", candidate.language or interview.language),
        "number": interview.phone_number,
        "pin": candidate.pin,
        "minutes": str(expected_minutes(interview)),
        "deadline_text": when,
        "deadline_short": when or "soon",
    }


def invitation_text(candidate: Candidate) -> str:
    """The invitation SMS in the candidate's language: number, PIN and any deadline (in
    the organisation's time zone, worded for the language: voice/dates.py)."""
    lang, values = message_language(candidate), _values(candidate)
    deadline = (
        TEXTS[lang]["deadline"].format(deadline=values["deadline_text"])
        if values["deadline_text"]
        else ""
    )
    return TEXTS[lang][INVITATION].format(**values | {"deadline": deadline})


def reminder_text(candidate: Candidate) -> str:
    """The reminder SMS in the candidate's language."""
    return TEXTS[message_language(candidate)]["reminder"].format(**_values(candidate))


def receipt_text(candidate: Candidate) -> str:
    """The receipt SMS sent once the candidate has answered every question."""
    return TEXTS[message_language(candidate)][RECEIPT].format(**_values(candidate))


def decision_template(session: Session, organization_id: int, decision: str, language: str) -> str:
    """The organisation's text for `decision` in `language` (a MESSAGE_LANGUAGES code), or
    that language's built-in text when it has none: never another language's text."""
    custom = session.scalar(
        select(MessageTemplate.body)
        .where(MessageTemplate.organization_id == organization_id)
        .where(MessageTemplate.kind == decision_kind(decision))
        .where(MessageTemplate.language == language)
    )
    return custom or DEFAULT_DECISION_TEXTS[language][decision]


def decision_text(session: Session, candidate: Candidate, decision: str, feedback: str = "") -> str:
    """The SMS telling `candidate` of `decision`, in their language (message_language):
    the organisation's template for that language (or its built-in text), filled in.
    The manager's `feedback` goes in as written; it is not translated."""
    template = decision_template(
        session, candidate.interview.organization_id, decision, message_language(candidate)
    )
    extra = f" {feedback.strip()}" if feedback.strip() else ""
    return template.format_map(_Lenient(_values(candidate) | {"feedback": extra}))


class _Lenient(dict):
    """Leave unknown {placeholders} in an employer's template as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def queue_message(
    session: Session,
    candidate: Candidate,
    kind: str,
    body: str,
    sent_by_id: int | None = None,
    sent_by_api_key_id: int | None = None,
) -> Message | None:
    """Write the message row to be sent; None if this kind was already sent (or queued).

    `sent_by_id` is the user who acted, `sent_by_api_key_id` the API key whose request
    did (both None: Screenline itself, e.g. a reminder).
    """
    if not candidate.phone:
        return None
    message = Message(
        candidate_id=candidate.id,
        kind=kind,
        to=candidate.phone,
        body=body,
        sent_by_id=sent_by_id,
        sent_by_api_key_id=sent_by_api_key_id,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None
    return message


def deliver(message: Message, send, from_number: str) -> None:
    """Send a queued message once through `send(to, from_, body) -> sid`; record the outcome.

    An error is recorded on the row and re-raised so the caller (a job with retries, or
    the command line) can report it; a message already sent is never sent again.
    """
    if message.sent_at is not None:
        return
    try:
        sid = send(message.to, from_number, message.body)
    except Exception as exc:
        message.error = str(exc)[:500]
        raise
    message.message_sid = sid
    message.sent_at = datetime.now(UTC)
    message.error = None
