"""rasa_sdk custom actions: each one reads slots, makes one ecomai call and replies.

`rasa run actions --actions actions` imports this package before it serves, which is
the only start-up hook rasa_sdk has. With ``ECOMAI_WARM_UP=1`` (``ecomai serve`` sets it
for the action server) the shop's services are built here, so the server answers its
health check only once the first shopper's search will not wait for the catalog to be
embedded. Tests import the package without it.
"""

import os

if os.environ.get("ECOMAI_WARM_UP") == "1":
    from actions.base import shop

    shop().warm_up()
