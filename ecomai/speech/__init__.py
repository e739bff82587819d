"""Spoken messages: audio decoding and limits, Whisper weights from local files only,
and transcription off the caller's thread.

This package's ``__init__`` imports nothing heavy: the chat protocol reads
``ecomai.speech.formats`` (pure byte sniffing) without pulling in torch or PyAV.
"""
