"""Rasa glue: the only place (with actions/) that imports Rasa. Thin adapters over ecomai."""

from bot import speedups

speedups.install()
