"""Speech-to-text: our TTS speaks, our STT transcribes it back; real recorded speech streamed
with room noise; what the engine's pieces (end of speech, token budget, loop cutting) do."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np
import pytest
import tqdm
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioStart, AudioStop
from wyoming.client import AsyncTcpClient
from wyoming.ping import Ping

from harness.audio_clip import RATE, AudioClip
from harness.recorded_speech import recorded_speech
from harness.room_noise import in_room, room_noise
from harness.scoring import word_error_rate, word_errors, words
from harness.servers import MODEL_CACHE
from harness.wyoming_client import read, send_clip, transcribe, transcript_text
from wyoming_servers.stt.end_of_speech import EndOfSpeech
from wyoming_servers.stt.handler import MAX_SECONDS
from wyoming_servers.stt.models import builtin_models
from wyoming_servers.stt.repeats import cut_repeats
from wyoming_servers.stt.whisper import DecodeOptions, WhisperTranscriber, token_budget

from .conftest import PHRASES


async def test_round_trip_word_error_rate_is_low(port: int, phrases: dict[str, AudioClip]) -> None:
    for key in ("command", "weather"):
        text = await transcript_text(port, phrases[key])
        assert word_error_rate(PHRASES[key], text) <= 0.15, (PHRASES[key], text)
        assert text == text.strip()


async def test_language_from_request_picks_a_model_that_knows_it(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    # English audio asked as French: base (multilingual) must serve it; tiny.en cannot.
    event = await transcribe(port, phrases["weather"], language="fr")
    assert event is not None and Transcript.is_type(event.type), event
    assert Transcript.from_event(event).language == "fr"
    text = await transcript_text(port, phrases["weather"], language="en-US")
    assert word_error_rate(PHRASES["weather"], text) <= 0.15, text


async def test_unknown_language_is_an_error(port: int, phrases: dict[str, AudioClip]) -> None:
    event = await transcribe(port, phrases["weather"], language="xx")
    assert event is not None and event.type == "error"
    assert event.data["code"] == "unsupported-language"


async def test_a_refused_request_gets_one_answer_and_the_connection_goes_on(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    """An unknown language, or audio over the length limit: one `error`, that request's audio
    is dropped quietly (no transcript, no error per chunk), and the next request on the same
    connection is transcribed."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="xx").event())
        await send_clip(client, phrases["weather"])
        await client.write_event(Transcribe(language="en").event())
        await send_clip(client, room_noise(MAX_SECONDS + 1.0, -50))  # upload: no decode
        await client.write_event(Transcribe(language="en").event())
        await send_clip(client, phrases["command"])
        events = []
        while (event := await read(client)) is not None:
            events.append(event)
            if Transcript.is_type(event.type):
                break
        # Nothing more is on its way: the next event is the answer to this ping.
        await client.write_event(Ping(text="last").event())
        pong = await read(client)
    assert [(e.type, e.data.get("code")) for e in events] == [
        ("error", "unsupported-language"),
        ("error", "audio-too-long"),
        ("transcript", None),
    ], [(e.type, e.data) for e in events]
    text = Transcript.from_event(events[-1]).text
    assert word_error_rate(PHRASES["command"], text) <= 0.15, text
    assert pong is not None and pong.type == "pong", pong


async def test_any_input_format_is_converted(port: int, phrases: dict[str, AudioClip]) -> None:
    speech = phrases["command"]
    mono = np.frombuffer(speech.audio, dtype=np.int16)
    stereo = AudioClip(np.repeat(mono, 2).tobytes(), speech.rate, width=2, channels=2)
    text = await transcript_text(port, stereo)
    assert word_error_rate(PHRASES["command"], text) <= 0.15, text


async def test_empty_and_silent_audio_give_an_empty_transcript(port: int) -> None:
    assert await transcript_text(port, AudioClip(b"", 16000)) == ""
    assert await transcript_text(port, AudioClip(bytes(16000 * 2), 16000)) == ""
    assert await transcript_text(port, AudioClip(bytes(200), 16000)) == ""


async def test_real_time_stream_with_trailing_silence(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    """Streamed at real-time pace with a pause at the end, as a satellite does: the
    speculative decode made during the pause must give the right transcript."""
    speech = phrases["command"].with_silence(after=0.8)
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate=speech.rate, width=2, channels=1).event())
        chunks = speech.chunks(samples=speech.rate // 10)
        for chunk in chunks:
            await client.write_event(chunk.event())
            await asyncio.sleep(0.1)
        await client.write_event(AudioStop().event())
        event = await read(client)
    assert event is not None and Transcript.is_type(event.type)
    text = Transcript.from_event(event).text
    assert word_error_rate(PHRASES["command"], text) <= 0.15, text


async def test_several_clients_at_once_all_get_their_transcript(
    port: int, phrases: dict[str, AudioClip]
) -> None:
    keys = ["command", "weather", "command"]
    texts = await asyncio.gather(*(transcript_text(port, phrases[k]) for k in keys))
    for key, text in zip(keys, texts, strict=True):
        assert word_error_rate(PHRASES[key], text) <= 0.15, (key, text)


def recorded(language: str, name: str) -> tuple[str, AudioClip]:
    utterance = next(u for u in recorded_speech(language) if u.name == name)
    return utterance.transcript, utterance.clip


async def streamed(port: int, clip: AudioClip, language: str) -> tuple[float, str]:
    """(seconds from audio-stop to the transcript, its text), streamed in real time."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language=language).event())
        stopped = await send_clip(client, clip, realtime=True)
        event = await read(client)
        latency = time.perf_counter() - stopped
    assert event is not None and Transcript.is_type(event.type), event
    return latency, Transcript.from_event(event).text


def phrase_loop(text: str) -> list[str] | None:
    """A phrase of two words or more said twice back to back, if any."""
    said = words(text)
    for n in range(2, len(said) // 2 + 1):
        for i in range(len(said) - 2 * n + 1):
            if said[i : i + n] == said[i + n : i + 2 * n]:
                return said[i : i + n]
    return None


async def test_real_speech_then_room_noise_is_transcribed_during_the_noise(port: int) -> None:
    """A real speaker in a room, then room noise until audio-stop, as a satellite sends it: the
    end of speech is heard in the noise (louder than the old energy rule's silence, -50 dBFS),
    so the transcript is ready at audio-stop; without the guess it would come a whole decode
    later. The benchmark (benchmarks/stt_recorded.py) gives the figures with a satellite's
    usual 0.7 s of noise; the 2 s here and the bound leave room for a loaded machine (a decode
    took up to 1.6 s here under load)."""
    for language in ("en", "fr"):
        transcript, speech = recorded(language, "conf-leaderhasleft")
        latency, text = await streamed(port, in_room(speech, 0.2, 2.0, dbfs=-45), language)
        assert word_error_rate(transcript, text) <= 0.2, (transcript, text)
        assert latency < 0.3, (language, latency, text)


async def test_speech_in_another_language_than_asked_is_bounded_and_loop_free(port: int) -> None:
    """English asked as French: Whisper base used to fall into phrase loops ("de l'hôpital de
    l'hôpital ...") and re-decode them at five temperatures, seconds for a few words. The
    decode is now one pass with a token budget proportional to the audio; loops are cut."""
    _, speech = recorded("en", "tt-allbusy")  # looped with the old options
    for clip in (speech, room_noise(3.0, -50)):
        start = time.perf_counter()
        text = await transcript_text(port, clip, language="fr")
        elapsed = time.perf_counter() - start
        assert elapsed < 1.0 + 0.5 * clip.seconds, (elapsed, clip.seconds, text)
        assert phrase_loop(text) is None, text


def test_end_of_speech_is_found_in_room_noise() -> None:
    """Silero VAD marks where the speech ends within a few windows, whatever the noise."""
    _, speech = recorded("en", "conf-leaderhasleft")
    for dbfs in (-60, -45):
        detector = EndOfSpeech()
        detector.feed(in_room(speech, 0.3, 1.0, dbfs).audio)
        end = 0.3 + speech.seconds
        assert detector.speech_start is not None and detector.speech_start / (2 * RATE) < 0.6
        assert abs(detector.speech_end / (2 * RATE) - end) < 0.3, (dbfs, detector.speech_end)
        assert detector.silence_after_speech() > 0.6
    noise_only = EndOfSpeech()
    noise_only.feed(room_noise(3.0, -40).audio)
    assert not noise_only.heard_speech


def test_phrase_loops_are_cut_and_doubled_words_kept() -> None:
    assert cut_repeats("de l'écriture de l'écriture de l'écriture.") == "de l'écriture."
    assert cut_repeats("Merci. Merci. Merci.") == "Merci."
    assert cut_repeats("the the the the cat") == "the cat"
    assert cut_repeats("Nous nous sommes vus, très très bien.") == (
        "Nous nous sommes vus, très très bien."
    )
    assert cut_repeats("appuyez sur 1, appuyez sur 2.") == "appuyez sur 1, appuyez sur 2."
    for utterance in recorded_speech("fr") + recorded_speech("en"):
        assert cut_repeats(utterance.transcript) == utterance.transcript


def test_token_budget_grows_with_the_audio_then_leaves_long_audio_to_whisper() -> None:
    options = DecodeOptions()
    budgets = [token_budget(seconds, options) or 0 for seconds in (1.0, 5.0, 15.0)]
    assert 10 < budgets[0] < budgets[1] < budgets[2] < 448 // 2
    # Past what the prompt leaves free, Whisper's own limit applies: never a cut window.
    assert token_budget(25.0, options) is None
    assert token_budget(31.0, options) is None  # Whisper's own 448 per window


def test_a_voice_command_is_encoded_in_a_short_window_and_heard_as_well(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Commands of up to 10 s go to Whisper's encoder as a 20 s window instead of 30 s (its
    cost is the encoder's): the same words on real recorded speech in both languages; longer
    audio keeps whole 30 s windows."""
    monkeypatch.setattr(
        tqdm.tqdm, "monitor_interval", 0
    )  # no tqdm thread left behind in HA's harness
    sources = builtin_models(MODEL_CACHE)
    transcriber = WhisperTranscriber(
        [sources["tiny.en"], sources["base"]], "en", "int8", 2, DecodeOptions()
    )
    frames: list[int] = []  # the length of each input CTranslate2's encoder got

    class EncoderSpy:
        def __init__(self, model: Any) -> None:
            self.model = model

        def __getattr__(self, name: str) -> Any:
            return getattr(self.model, name)

        def encode(self, features: Any, **kwargs: Any) -> Any:
            frames.append(features.shape[-1])
            return self.model.encode(features, **kwargs)

    for loaded in transcriber.models:
        loaded.model.model = EncoderSpy(loaded.model.model)
    for language in ("en", "fr"):
        short = [u for u in recorded_speech(language) if 2.0 < u.clip.seconds < 6.0][::25][:8]
        errors = dict.fromkeys((20.0, 0.0), 0)
        for window in errors:
            transcriber.options = DecodeOptions(short_window_seconds=window)
            for utterance in short:
                frames.clear()
                text = transcriber.transcribe(utterance.clip.audio, language)
                assert frames == [2000 if window else 3000], (window, frames)
                errors[window] += word_errors(utterance.transcript, text)[0]
        words_said = sum(len(words(u.transcript)) for u in short)
        assert errors[20.0] <= errors[0.0] + 0.03 * words_said, (language, errors, words_said)
    transcriber.options = DecodeOptions()
    frames.clear()
    transcriber.transcribe(room_noise(12.0, -60).audio, "en")
    assert frames == [3000]
