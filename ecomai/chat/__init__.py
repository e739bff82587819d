"""Shopper chat over websockets: the sans-I/O protocol, identity tokens, the outbox and
the terminal client. The Rasa channel that serves it lives in ``bot/channel.py``."""
