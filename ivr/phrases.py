"""What the IVR says, per language, in one place so wording is easy to review and translate.

English and Spanish ship with the product; an interview's own texts (intro, questions,
job details) come from its YAML. `say(language, phrase, **values)` picks the phrase set by
the language's first part ("es-MX" -> "es") and falls back to English.
"""

from __future__ import annotations

ENGLISH = {
    "unknown_number": (
        "Sorry, this number is not set up for interviews right now. "
        "Please check the number you were given. Goodbye."
    ),
    "closed": (
        "Sorry, this interview closed on {deadline} and is no longer taking answers. "
        "Thank you for your interest. Goodbye."
    ),
    "language_option": "For English, press {key}.",
    "welcome": "Welcome to your phone interview for {title}. It takes about {minutes} minutes.",
    "consent": (
        "This call is recorded so that the hiring team can listen to your answers. "
        "To agree and continue, press 1. If you do not agree, press 2."
    ),
    "no_input": "Sorry, we didn't get a key press.",
    "wrong_key": "Sorry, {key} is not one of the choices.",
    "declined": (
        "No problem. Nothing has been recorded. "
        "If you change your mind, you can call this number again. Goodbye."
    ),
    "no_input_goodbye": (
        "We haven't heard from you, so we will end the call now. "
        "Please call back when you are ready. Your answers so far are saved. Goodbye."
    ),
    "no_input_goodbye_nothing_kept": (
        "We haven't heard from you, so we will end the call now. "
        "Please call this number again when you are ready. Goodbye."
    ),
    "ask_pin": "Please enter the interview PIN from your invitation, then press pound.",
    "no_pin": "Sorry, no PIN was entered.",
    "wrong_pin": "Sorry, that PIN didn't match.",
    "pin_failed": (
        "Sorry, we couldn't find your interview with that PIN. "
        "Please check your invitation and call again. Goodbye."
    ),
    "locked_out": (
        "Sorry, there have been too many wrong PINs from this phone. For your security, "
        "please wait an hour and call again, or contact the employer who invited you. Goodbye."
    ),
    "hello": "Thank you, {name}.",
    "resume": (
        "You have already answered {done} of {total} questions. "
        "To continue where you left off, press 1. To start over, press 2."
    ),
    "how_it_works": (
        "There are {count} questions. After each spoken question you will hear a beep. "
        "Answer after the beep, then press pound when you are done."
    ),
    "how_it_works_one": (
        "There is one question. After it you will hear a beep. "
        "Answer after the beep, then press pound when you are done."
    ),
    "job_details_offer": "To hear about the job, press 0 while a question is being read.",
    "star_to_repeat": "To hear a question again, press star.",
    "practice_intro": (
        "First, a practice question, so you can hear how you sound. Nothing you say now "
        "is kept. After the beep, tell us your first name and what you had for breakfast, "
        "then press pound."
    ),
    "practice_playback": "Here is how you sound.",
    "practice_menu": "To practise again, press 1. To start the interview, press 2.",
    "question": "Question {number} of {total}.",
    "think": (
        "You may take up to {seconds} seconds to think first: press pound when you are "
        "ready to start your answer."
    ),
    "answer_limit": "You have up to {minutes} to answer.",
    "yes_no": "For yes, press 1. For no, press 2.",
    "number": "Enter the number on your keypad, then press pound.",
    "not_a_number": "Sorry, please enter a whole number using the keypad, then press pound.",
    "didnt_catch": (
        "Sorry, we didn't hear an answer long enough to keep. Let's record your answer again."
    ),
    "retake_menu": "To keep that answer, press 1. To record it again, press 2.",
    "retakes_left_one": "You can record it again one more time.",
    "retakes_left": "You can record it again {count} more times.",
    "kept": "Your answer is saved.",
    "moving_on": "Let's move on to the next question.",
    "already_done": (
        "You have already finished your phone interview for {title}, so there is nothing "
        "more to answer. Thank you. Goodbye."
    ),
    "screened_out": (
        "Thank you for your answers. This job needs something you told us you can't "
        "offer right now, so the interview ends here. We appreciate your time, and you are "
        "welcome to apply for other jobs with us. Goodbye."
    ),
    "thanks": "Thank you, that's the end of the interview. Your answers have been saved.",
    "unanswered_one": (
        "Thank you. We didn't get an answer to one question. Your other answers are saved: "
        "call this number again when you are ready to answer it."
    ),
    "unanswered": (
        "Thank you. We didn't get answers to {count} questions. Your other answers are saved: "
        "call this number again when you are ready to answer them."
    ),
    "unanswered_all": (
        "Thank you. We didn't get an answer to any question this time: "
        "call this number again when you are ready to answer."
    ),
    "goodbye": "Goodbye.",
    "voicemail": (
        "Hello, this is {employer}, calling about your phone interview for {title}. "
        "Please call us back at {number} to take the interview. Thank you. Goodbye."
    ),
    "step_limit": (
        "We have to end the call here. Your answers so far are saved, and you can call "
        "back to finish. Goodbye."
    ),
    "step_limit_nothing_kept": (
        "We have to end the call here. Please call this number again when you are ready "
        "to take the interview. Goodbye."
    ),
    "internal_error": (
        "Sorry, something went wrong on our side. Please call this number again in a few "
        "minutes. Goodbye."
    ),
    "yes": "yes",
    "no": "no",
    "one_minute": "one minute",
    "minutes": "{count} minutes",
    "seconds": "{count} seconds",
    "key_pound": "pound",
    "key_star": "star",
}

SPANISH = {
    "unknown_number": (
        "Lo sentimos, este número no está configurado para entrevistas en este momento. "
        "Por favor verifique el número que le dieron. Adiós."
    ),
    "closed": (
        "Lo sentimos, esta entrevista cerró el {deadline} y ya no recibe respuestas. "
        "Gracias por su interés. Adiós."
    ),
    "language_option": "Para español, oprima {key}.",
    "welcome": "Bienvenido a su entrevista telefónica para {title}. Toma unos {minutes} minutos.",
    "consent": (
        "Esta llamada se graba para que el equipo de contratación pueda escuchar sus "
        "respuestas. Para aceptar y continuar, oprima 1. Si no acepta, oprima 2."
    ),
    "no_input": "Lo sentimos, no recibimos ninguna tecla.",
    "wrong_key": "Lo sentimos, {key} no es una de las opciones.",
    "declined": (
        "Está bien. No se ha grabado nada. "
        "Si cambia de opinión, puede volver a llamar a este número. Adiós."
    ),
    "no_input_goodbye": (
        "No hemos recibido respuesta, así que terminaremos la llamada. Llame de nuevo "
        "cuando esté listo. Sus respuestas hasta ahora están guardadas. Adiós."
    ),
    "no_input_goodbye_nothing_kept": (
        "No hemos recibido respuesta, así que terminaremos la llamada. Llame de nuevo a "
        "este número cuando esté listo. Adiós."
    ),
    "ask_pin": "Por favor ingrese el PIN de la entrevista de su invitación y luego oprima numeral.",
    "no_pin": "Lo sentimos, no se ingresó ningún PIN.",
    "wrong_pin": "Lo sentimos, ese PIN no coincide.",
    "pin_failed": (
        "Lo sentimos, no encontramos su entrevista con ese PIN. "
        "Por favor revise su invitación y llame de nuevo. Adiós."
    ),
    "locked_out": (
        "Lo sentimos, ha habido demasiados PIN incorrectos desde este teléfono. Por su "
        "seguridad, espere una hora y llame de nuevo, o comuníquese con el empleador que lo "
        "invitó. Adiós."
    ),
    "hello": "Gracias, {name}.",
    "resume": (
        "Ya contestó {done} de {total} preguntas. Para continuar donde se quedó, oprima 1. "
        "Para empezar de nuevo, oprima 2."
    ),
    "how_it_works": (
        "Hay {count} preguntas. Después de cada pregunta hablada escuchará un tono. "
        "Responda después del tono y luego oprima numeral cuando termine."
    ),
    "how_it_works_one": (
        "Hay una pregunta. Después escuchará un tono. "
        "Responda después del tono y luego oprima numeral cuando termine."
    ),
    "job_details_offer": (
        "Para escuchar información sobre el trabajo, oprima 0 mientras se lee una pregunta."
    ),
    "star_to_repeat": "Para escuchar una pregunta otra vez, oprima asterisco.",
    "practice_intro": (
        "Primero, una pregunta de práctica para que escuche cómo se oye. No se guarda nada "
        "de lo que diga ahora. Después del tono, díganos su nombre y qué desayunó, y luego "
        "oprima numeral."
    ),
    "practice_playback": "Así se oye usted.",
    "practice_menu": "Para practicar otra vez, oprima 1. Para empezar la entrevista, oprima 2.",
    "question": "Pregunta {number} de {total}.",
    "think": (
        "Puede tomarse hasta {seconds} segundos para pensar: oprima numeral cuando esté "
        "listo para empezar a responder."
    ),
    "answer_limit": "Tiene hasta {minutes} para responder.",
    "yes_no": "Para sí, oprima 1. Para no, oprima 2.",
    "number": "Ingrese el número en su teclado y luego oprima numeral.",
    "not_a_number": "Lo sentimos, ingrese un número entero con el teclado y luego oprima numeral.",
    "didnt_catch": (
        "Lo sentimos, no escuchamos una respuesta lo bastante larga para guardarla. "
        "Grabemos su respuesta otra vez."
    ),
    "retake_menu": "Para guardar esa respuesta, oprima 1. Para grabarla otra vez, oprima 2.",
    "retakes_left_one": "Puede grabarla una vez más.",
    "retakes_left": "Puede grabarla {count} veces más.",
    "kept": "Su respuesta está guardada.",
    "moving_on": "Pasemos a la siguiente pregunta.",
    "already_done": (
        "Usted ya terminó su entrevista telefónica para {title}, así que no hay nada más "
        "que contestar. Gracias. Adiós."
    ),
    "screened_out": (
        "Gracias por sus respuestas. Este trabajo requiere algo que usted nos dijo que no "
        "puede ofrecer en este momento, así que la entrevista termina aquí. Agradecemos su "
        "tiempo y lo invitamos a postularse a otros trabajos con nosotros. Adiós."
    ),
    "thanks": "Gracias, este es el final de la entrevista. Sus respuestas han sido guardadas.",
    "unanswered_one": (
        "Gracias. No recibimos respuesta a una pregunta. Sus demás respuestas están "
        "guardadas: llame de nuevo a este número cuando pueda responderla."
    ),
    "unanswered": (
        "Gracias. No recibimos respuesta a {count} preguntas. Sus demás respuestas están "
        "guardadas: llame de nuevo a este número cuando pueda responderlas."
    ),
    "unanswered_all": (
        "Gracias. Esta vez no recibimos respuesta a ninguna pregunta: "
        "llame de nuevo a este número cuando pueda responder."
    ),
    "goodbye": "Adiós.",
    "voicemail": (
        "Hola, le llama {employer} por su entrevista telefónica para {title}. "
        "Por favor llámenos al {number} para hacer la entrevista. Gracias. Adiós."
    ),
    "step_limit": (
        "Tenemos que terminar la llamada aquí. Sus respuestas hasta ahora están guardadas "
        "y puede volver a llamar para terminar. Adiós."
    ),
    "step_limit_nothing_kept": (
        "Tenemos que terminar la llamada aquí. Llame de nuevo a este número cuando esté "
        "listo para hacer la entrevista. Adiós."
    ),
    "internal_error": (
        "Lo sentimos, algo salió mal de nuestro lado. Por favor llame de nuevo a este "
        "número en unos minutos. Adiós."
    ),
    "yes": "sí",
    "no": "no",
    "one_minute": "un minuto",
    "minutes": "{count} minutos",
    "seconds": "{count} segundos",
    "key_pound": "numeral",
    "key_star": "asterisco",
}

PHRASES = {"en": ENGLISH, "es": SPANISH}


def base_language(language: str | None) -> str:
    """The language's first part, lower case ("es-MX" -> "es"); English when None."""
    return (language or "en").split("-")[0].lower()


# Goodbyes that tell the caller their answers so far are saved, each with the goodbye
# said instead when the candidate has no answer kept (nothing answered yet, or not yet
# identified): ivr.views.common.goodbye chooses. "unanswered" and "unanswered_one" say
# "your other answers are saved" and give way to "unanswered_all" when no question was
# answered (ivr.script.closing). An apology after a failure ("internal_error") claims
# nothing: that request's work was rolled back.
NOTHING_KEPT = {
    "no_input_goodbye": "no_input_goodbye_nothing_kept",
    "step_limit": "step_limit_nothing_kept",
}


def say(language: str | None, phrase: str, /, **values) -> str:
    """The phrase named `phrase` in `language` (English when there is no phrase set for it)."""
    phrases = PHRASES.get(base_language(language), ENGLISH)
    return phrases[phrase].format(**values)


def duration(language: str | None, seconds: int) -> str:
    """Say a length of time the way a person would: "90 seconds", "2 minutes"."""
    if seconds < 120 and seconds % 60:
        return say(language, "seconds", count=seconds)
    minutes = round(seconds / 60)
    return say(language, "one_minute") if minutes == 1 else say(language, "minutes", count=minutes)


# The keypad's two symbols, by the phrase that names them: a voice reads "#" as "hash",
# "number sign" or nothing, so a key echoed to the caller is always said as a word, the
# word the prompts use ("press pound", "oprima numeral").
KEY_WORDS = {"#": "key_pound", "*": "key_star"}


def spoken_keys(language: str | None, keys: str) -> str:
    """Keys pressed as a voice should read them back: "#" -> "pound", "12" -> "1 2".

    One word or digit per key, separated by spaces, so "12" is not read as "twelve";
    "#" and "*" are "pound" and "star" (Spanish "numeral" and "asterisco"), as the
    prompts name them. Any other character is kept as it is.
    """
    return " ".join(say(language, KEY_WORDS[key]) if key in KEY_WORDS else key for key in keys)
