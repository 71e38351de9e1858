"""The telephone edge: webhooks, call flow, TwiML, signatures, Twilio REST, the stand-in."""
