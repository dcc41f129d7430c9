"""Real speakers (Debian's Asterisk prompts, one English and one French voice, 16 kHz), through
the all-in-one server over TCP: what our own TTS cannot show, since Whisper hears Piper easily
and the wake word models never heard this speaker."""

from __future__ import annotations

from harness.audio_clip import AudioClip
from harness.recorded_speech import RecordedUtterance, pick, recorded_speech
from harness.scoring import word_errors
from harness.wyoming_client import detect, transcript_text

# Not hey_rhasspy: openWakeWord's model fires on this speaker's "the conference will begin when
# the leader arrives" (p = 0.87), a weakness of the model that no threshold fixes without losing
# real detections (the README says so).
WAKE_WORDS = ["okay_nabu", "hey_jarvis", "hey_mycroft", "alexa"]


async def corpus_word_error_rate(
    port: int, utterances: list[RecordedUtterance], language: str
) -> tuple[float, list[str]]:
    """Word errors over all utterances / their words, and what was heard when it differed."""
    errors = words = 0
    misheard = []
    for utterance in utterances:
        heard = await transcript_text(port, utterance.clip, language)
        wrong, count = word_errors(utterance.transcript, heard)
        errors, words = errors + wrong, words + count
        if wrong:
            misheard.append(f"{utterance.transcript!r} -> {heard!r}")
    return errors / words, misheard


async def test_a_real_english_speaker_is_transcribed(port: int) -> None:
    utterances = pick(recorded_speech("en"), 12, min_words=4)
    rate, misheard = await corpus_word_error_rate(port, utterances, "en")
    assert rate <= 0.08, misheard  # measured 0.028 with tiny.en


async def test_a_real_french_speaker_is_transcribed(port: int) -> None:
    utterances = pick(recorded_speech("fr"), 10, min_words=4)
    rate, misheard = await corpus_word_error_rate(port, utterances, "fr-CA")
    assert rate <= 0.22, misheard  # measured 0.12 with base


async def test_a_real_speakers_ordinary_speech_wakes_nothing(port: int) -> None:
    """A minute and a half of everyday sentences, English then French, one stream."""
    utterances = pick(recorded_speech("en"), 25) + pick(recorded_speech("fr"), 25)
    pause = AudioClip(b"").with_silence(after=0.4)
    stream = pause.then(*(part for u in utterances for part in (u.clip, pause)))
    assert stream.seconds > 60
    events = await detect(port, stream, WAKE_WORDS, pause=60)
    assert [e.type for e in events] == ["not-detected"], events
