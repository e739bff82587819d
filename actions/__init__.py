"""rasa_sdk custom actions: each one reads slots, makes one ecomai call and replies."""
