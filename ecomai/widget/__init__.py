"""The shopper widget: static files a shop embeds with one script tag, and the demo shop page.

Framework-free: the Rasa channel (``bot/channel.py``) turns these into HTTP responses.
"""
