import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop_finder.settings")

application = get_wsgi_application()

# The offline geocoder's data, read at start rather than during a visitor's first search.
from facilities.geocoding import warm_up  # noqa: E402  (needs the settings above)

warm_up()
# What is read at start stays for the process's life: the cycle collector need not walk it
# again. With the ZIP data in view, its full collections took up to half a second.
gc.freeze()
