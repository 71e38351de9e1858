"""What the IVR says, in one place so that wording is easy to review and translate."""

UNKNOWN_NUMBER = (
    "Sorry, this number is not set up for interviews right now. "
    "Please check the number you were given. Goodbye."
)
WELCOME = "Welcome to your phone interview for {title}."
CONSENT = (
    "This call is recorded so that the hiring team can listen to your answers. "
    "To agree and continue, press 1. If you do not agree, press 2."
)
CONSENT_NO_INPUT = "Sorry, we didn't get a key press."
WRONG_KEY = "Sorry, that key is not one of the choices."
DECLINED = (
    "No problem. Nothing has been recorded. "
    "If you change your mind, you can call this number again. Goodbye."
)
NO_INPUT_GOODBYE = (
    "We haven't heard from you, so we will end the call now. "
    "Please call back when you are ready. Goodbye."
)
ASK_PIN = "Please enter the interview PIN from your invitation, then press pound."
WRONG_PIN = "Sorry, that PIN didn't match."
PIN_FAILED = (
    "Sorry, we couldn't find your interview with that PIN. "
    "Please check your invitation and call again. Goodbye."
)
HELLO_CANDIDATE = "Thank you, {name}."
HOW_IT_WORKS = (
    "There are {count} questions. After each question you will hear a beep. "
    "Answer after the beep, then press pound when you are done."
)
QUESTION = "Question {number} of {total}."
NO_ANSWER_HEARD = "We didn't hear an answer. Let's try that question again."
MOVING_ON = "Let's move on to the next question."
ALREADY_DONE = "You have already answered every question. Thank you. Goodbye."
THANKS = "Thank you, that's the end of the interview. Your answers have been saved."
GOODBYE = "Goodbye."
INTERNAL_ERROR = (
    "Sorry, something went wrong on our side. Your answers so far are saved. "
    "Please call back in a few minutes. Goodbye."
)
