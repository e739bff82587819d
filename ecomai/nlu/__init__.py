"""Our NLU: a fine-tuned BERT-style encoder with intent and sentiment heads.

Serving needs ``ecomai.nlu.model`` only; ``ecomai.nlu.train`` (optimiser, progress bars,
calibration fitting) is imported just by training. Nothing here imports Rasa.
"""
