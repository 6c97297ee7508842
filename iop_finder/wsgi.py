import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop_finder.settings")

application = get_wsgi_application()

# The offline geocoder's data, read at start rather than during a visitor's first search.
from facilities.geocoding import warm_up  # noqa: E402  (needs the settings above)

warm_up()
# What is read at start stays for the process's life: the cycle collector need not walk it
# again. With the ZIP data in view, its full collections took up to half a second.
gc.freeze()


def freeze_after(requests):
    """Freeze, too, what the first `requests` load (templates compiled, translations, the
    API's serializers): left in the oldest generation, it lengthened every full collection
    to some 12 ms, a few times a minute, in whichever search was running."""
    remaining = requests

    def count_down(**kwargs):
        nonlocal remaining
        remaining -= 1
        if remaining == 0:
            request_finished.disconnect(count_down)
            gc.collect()  # not the garbage those requests left
            gc.freeze()

    request_finished.connect(count_down, weak=False)


freeze_after(20)
