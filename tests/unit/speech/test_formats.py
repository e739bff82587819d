from __future__ import annotations

import pytest

from ecomai.speech.formats import DEMUXERS, SUPPORTED_CONTAINERS, sniff_container
from tests.unit.speech.conftest import fixture_bytes


@pytest.mark.parametrize(("head", "container"), [
    (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81", "webm"), (b"OggS\x00\x02", "ogg"), (b"RIFF\x24\x00\x00\x00WAVEfmt ", "wav"),
    (b"fLaC\x00\x00\x00\x22", "flac"), (b"\x00\x00\x00\x20ftypM4A ", "mp4"), (b"ID3\x04\x00", "mp3"),
    (b"\xff\xfb\x90\x64", "mp3"), (b"FORM\x00\x00\x00\x10AIFF", "aiff"), (b"#!AMR\n", "amr"),
])
def test_magic_bytes_name_the_container(head: bytes, container: str) -> None:
    assert sniff_container(head + b"\0" * 32) == container


@pytest.mark.parametrize("data", [b"", b"hello there", b"RIFF\x24\x00\x00\x00AVI LIST", b"{\"type\":\"text\"}", b"\x89PNG\r\n"])
def test_non_audio_is_none(data: bytes) -> None:
    assert sniff_container(data) is None


def test_committed_fixture_is_wav_and_every_supported_container_has_a_demuxer() -> None:
    assert sniff_container(fixture_bytes("where_is_my_order.wav")) == "wav"
    assert set(DEMUXERS) == set(SUPPORTED_CONTAINERS)
