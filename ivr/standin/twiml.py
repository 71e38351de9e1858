"""Read a webhook reply as TwiML the way Twilio does, and the attributes of its verbs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ivr.standin.webhooks import Exchange

HTTP_RETRIEVAL_FAILURE = 11200
HTTP_CONNECTION_FAILURE = 11205
DOCUMENT_PARSE_FAILURE = 12100
INVALID_VERB = 12200
APPLICATION_ERROR_MESSAGE = "We are sorry, an application error has occurred. Goodbye."


class TwimlError(Exception):
    """The reply cannot drive the call; Twilio would play its application-error message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def parse_reply(exchange: Exchange) -> ET.Element:
    """Return the <Response> element of a reply, or raise TwimlError as Twilio would."""
    if exchange.error is not None:
        raise TwimlError(HTTP_CONNECTION_FAILURE, f"could not connect: {exchange.error}")
    if exchange.status is None or not 200 <= exchange.status < 300:
        raise TwimlError(HTTP_RETRIEVAL_FAILURE, f"the webhook answered HTTP {exchange.status}")
    if not exchange.body.strip():
        raise TwimlError(DOCUMENT_PARSE_FAILURE, "the reply is empty")
    try:
        # The documents come from the Screenline server under test, not from strangers.
        root = ET.fromstring(exchange.body)  # noqa: S314
    except ET.ParseError as exc:
        raise TwimlError(DOCUMENT_PARSE_FAILURE, f"the reply is not XML: {exc}") from None
    if root.tag != "Response":
        raise TwimlError(
            DOCUMENT_PARSE_FAILURE, f"the root element is <{root.tag}>, not <Response>"
        )
    return root


def text_of(element: ET.Element) -> str:
    """Return an element's text with SSML tags dropped and whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def int_attr(element: ET.Element, name: str, default: int) -> int:
    """An integer attribute of a TwiML verb, `default` when absent or not a number."""
    raw = (element.get(name) or "").strip()
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


def bool_attr(element: ET.Element, name: str, default: bool) -> bool:
    """A true/false attribute of a TwiML verb, `default` when absent."""
    raw = (element.get(name) or "").strip().lower()
    return default if not raw else raw == "true"
