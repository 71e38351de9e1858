"""The labels the builder and settings forms show, and the rule set's errors reworded with them.

The rule sets (voice/interviews.py, voice/fields.py) are shared with YAML import, the
CLI and the API, whose users write the file keys (`max_seconds`), so their errors name
those keys. A person filling in a web form never sees the keys: `form_message` puts the
form's visible label in their place. The templates read their labels from the same maps,
so a label and the errors about its field cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# The builder's interview-wide fields: file key -> the label on the page.
INTERVIEW_LABELS: dict[str, str] = {
    "title": "Title",
    "phone_number": "Number candidates call",
    "language": "Languages offered",
    "languages": "Languages offered",
    "voice": "Voice",
    "intro": "Greeting",
    "job_details": "Job details",
    "closing": "Closing",
    "deadline": "Deadline (UTC time)",  # in the organisation's zone: interview_labels
    "reminders": "Reminders before the deadline",
    "retakes": "Retakes per spoken answer",
    "retention_days": "Keep candidates' data for (days)",
    "practice": "Start with a practice question (played back, never kept)",
    "delete_recordings_at_twilio": "Delete recordings at Twilio once stored here",
    "questions": "Questions",
}


def interview_labels(time_zone: str) -> dict[str, str]:
    """INTERVIEW_LABELS for an organisation in `time_zone` (an IANA name): the deadline is
    typed and shown in that zone, and its label says which ("Deadline (America/Chicago
    time)")."""
    return INTERVIEW_LABELS | {"deadline": f"Deadline ({time_zone} time)"}


# Each question's fields (the same key may mean something else interview-wide: retakes).
QUESTION_LABELS: dict[str, str] = {
    "kind": "Kind",
    "prompt": "Question, as read aloud",
    "max_seconds": "Answer time limit (seconds)",
    "min_seconds": "Shortest answer (seconds)",
    "think_seconds": "Think time (seconds)",
    "retakes": "Retakes",
    "must_be": "Knockout rule",
    "at_least": "Knockout: at least",
    "at_most": "Knockout: at most",
}
# Settings -> Retention.
RETENTION_LABELS: dict[str, str] = {"retention_days": "Default retention (days)"}

# A key leading a message, with the language it is about if any: "intro (es-MX) is ...".
_LEADING = re.compile(r"^(?P<key>[a-z_]+)(?: \((?P<language>[a-z]{2,3}(?:-[A-Z]{2})?)\))?")
# A key written anywhere else: only keys with an underscore, which are never plain words
# ("min_seconds (90 s) must be shorter than max_seconds (90 s)").
_IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def translated_label(key: str, labels: Mapping[str, str], language: str) -> str:
    """The label of the field holding `key` in `language` (a form's translation field)."""
    if key == "prompt":
        return f"Question in {language}"
    return f"{labels[key]} ({language})"


def form_message(message: str, labels: Mapping[str, str]) -> str:
    """`message` from a rule set with each setting key in `labels` replaced by its label.

    The label is quoted (“Answer time limit (seconds)” must be ...), so a message still
    reads as a sentence whatever the label says. A key leading the message is replaced
    whether or not it has an underscore; further on only keys with one are, since a
    plain word there ("the deadline") is English rather than a key. Keys not in `labels`
    and the rest of the message are left as they are.
    """
    lead = _LEADING.match(message)
    head, rest = "", message
    if lead and lead["key"] in labels:
        key, language = lead["key"], lead["language"]
        label = translated_label(key, labels, language) if language else labels[key]
        head, rest = f"“{label}”", message[lead.end() :]

    def swap(found: re.Match) -> str:
        word = found.group(0)
        return f"“{labels[word]}”" if word in labels else word

    return head + _IDENTIFIER.sub(swap, rest)
