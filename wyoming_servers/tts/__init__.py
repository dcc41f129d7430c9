"""Text-to-speech: `python -m wyoming_servers.tts`.

`service` (flags, loading, `info`), `handler` (requests and streams of one connection),
`utterance` (one request's pieces, synthesized in order), `text_pieces` (cutting text),
`synthesizer` (the `Synthesizer` interface an engine implements), `voice_choice` (the voice
for a request, across engines), `piper_voice` and `piper_stream` (Piper), `voices` (Piper
voices from PyPI or files).
"""
