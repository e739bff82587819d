"""ecomai: the shop's AI core. Framework-free: imports no rasa, rasa_sdk or sanic."""

__version__ = "0.1.0"
