"""The support-staff console: a login-protected aiohttp web app and JSON API over the
conversation log (``ecomai console``), usable while the bot is down."""
