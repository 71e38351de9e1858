"""Spanish prompts that a native speaker corrected stay correct."""

from __future__ import annotations

from ivr.phrases import say


def test_closing_and_retake_counts_read_as_spanish():
    """ "este es el final" (el final is masculine); "una vez más" without a second "otra vez"."""
    assert say("es-MX", "thanks").startswith("Gracias, este es el final de la entrevista.")
    assert say("es-MX", "retakes_left_one") == "Puede grabarla una vez más."
    assert say("es-MX", "retakes_left", count=2) == "Puede grabarla 2 veces más."
