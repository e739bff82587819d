"""Recommendations: a small Recommender interface and its implementations."""
