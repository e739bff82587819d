"""ecomai: the shop's AI core. Framework-free: imports no rasa, rasa_sdk or sanic."""

import os

# torch's OpenMP threads spin while they wait; when another process holds a core (a
# second server, a benchmark peer, CI) that made fine-tuning 10x slower here (6.8 s vs
# 0.65 s a step). Passive waiting costs little when the machine is idle. It must be set
# before torch loads, hence here; the Makefile and ecomai.service set it for Rasa too.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
