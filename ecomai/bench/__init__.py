"""Benchmarks behind `ecomai bench ...`: our component and a named peer, side by side, JSON out."""
