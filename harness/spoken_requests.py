"""Spoken requests made offline by our own TTS, in the format a satellite streams (16 kHz mono)."""

import wave
from io import BytesIO

from wyoming.tts import SynthesizeVoice

from .audio_clip import WIDTH, AudioClip
from .room_noise import in_room
from .wyoming_client import synthesize

ROOM_DBFS = -60.0  # a quiet room, as a satellite's microphone hears it (room_noise.py)


async def speak(port: int, text: str, voice: SynthesizeVoice | None = None) -> AudioClip:
    """Our TTS (the server on `port`) says `text`, converted to the satellite format."""
    return (await synthesize(port, text, voice)).speech.to_16k_mono()


def _last_loud_byte(pcm: bytes, threshold: int = 600) -> int:
    """Offset just past the last sample louder than `threshold` (Piper pads with quiet)."""
    for end in range(len(pcm) - WIDTH, -1, -WIDTH):
        if abs(int.from_bytes(pcm[end : end + WIDTH], "little", signed=True)) > threshold:
            return end + WIDTH
    return 0


async def spoken_question(
    port: int, question: str, voice: SynthesizeVoice | None = None
) -> AudioClip:
    """The question alone (a satellite that detects its wake word itself streams what follows
    it), then 2 s of silence; `speech_end` marks its last loud sample."""
    asked = await speak(port, question, voice)
    return AudioClip(asked.audio, speech_end=_last_loud_byte(asked.audio)).with_silence(after=2.0)


async def spoken_request(
    port: int, question: str, voice: SynthesizeVoice | None = None
) -> AudioClip:
    """'Hey Jarvis', a short pause, the question (in `voice`, else the default voice), then
    silence; `speech_end` marks where the question's last loud sample is."""
    wake = (await speak(port, "Hey Jarvis.")).with_silence(before=0.5, after=0.3)
    asked = await speak(port, question, voice)
    asked = AudioClip(asked.audio, speech_end=_last_loud_byte(asked.audio))
    return wake.then(asked).with_silence(after=2.0)


async def said_to_a_satellite(
    port: int,
    wake: str,
    command: str,
    *,
    voice: SynthesizeVoice | None = None,
    wake_voice: SynthesizeVoice | None = None,
    seed: int = 0,
) -> AudioClip:
    """What a satellite's microphone hears: the wake word (`wake`, e.g. "Hey Jarvis."), the
    pause a person makes before a command, the command, in room noise (0.3 s of it before)."""
    said_wake = await speak(port, wake, wake_voice)
    asked = await speak(port, command, voice)
    asked = AudioClip(asked.audio, speech_end=_last_loud_byte(asked.audio))
    return in_room(said_wake.with_silence(after=0.6).then(asked), 0.3, 0.0, ROOM_DBFS, seed)


def wav_clip(data: bytes) -> AudioClip:
    """The audio of a WAV file as HA streams it (placeholder length: all after `data`)."""
    with wave.open(BytesIO(data)) as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
    return AudioClip(data[data.index(b"data") + 8 :], rate, width, channels)


def wav_duration(data: bytes) -> tuple[float, int]:
    """Seconds and peak amplitude of a WAV file's audio.

    HA streams WAV with a placeholder length in the header, so the audio is what follows the
    `data` chunk header, whatever the header says.
    """
    with wave.open(BytesIO(data)) as wav:
        rate, width, channels = wav.getframerate(), wav.getsampwidth(), wav.getnchannels()
    audio = data[data.index(b"data") + 8 :]
    peak = max(
        (
            abs(int.from_bytes(audio[i : i + width], "little", signed=True))
            for i in range(0, len(audio) - width + 1, width)
        ),
        default=0,
    )
    return len(audio) / (rate * width * channels), peak
