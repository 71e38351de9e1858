"""The domain: data models, audio processing, speech-to-text and the audio store."""
