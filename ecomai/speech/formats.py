"""Which audio container a byte string is, from its first bytes (pure; no decoder).

The chat protocol uses this to refuse non-audio frames at once, before anything is
decoded, and the decoder uses it to pick exactly one demuxer instead of letting FFmpeg
probe its hundreds of formats (less attack surface for bytes from the internet).
"""

from __future__ import annotations

from typing import Mapping

# Containers shoppers' browsers record (webm/opus: Chrome, Firefox, Edge; mp4/aac:
# Safari; ogg/opus: Firefox) plus the files people upload (wav, flac).
SUPPORTED_CONTAINERS = ("webm", "ogg", "wav", "flac", "mp4")
# Recognised but refused, so the shopper hears "format not supported" rather than "not audio".
UNSUPPORTED_CONTAINERS = ("mp3", "aiff", "amr")

# FFmpeg demuxer name for each supported container.
DEMUXERS: Mapping[str, str] = {"webm": "matroska", "ogg": "ogg", "wav": "wav", "flac": "flac", "mp4": "mp4"}


def sniff_container(data: bytes) -> str | None:
    """Name the container of ``data`` from its magic bytes.

    Returns:
        One of ``SUPPORTED_CONTAINERS`` or ``UNSUPPORTED_CONTAINERS``, or None when the
        bytes look like no audio container at all.
    """
    head = data[:16]
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: Matroska / WebM
        return "webm"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith((b"RIFF", b"RF64")) and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"fLaC"):
        return "flac"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"  # an ID3 tag or an MPEG audio frame sync
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head.startswith(b"#!AMR"):
        return "amr"
    return None
