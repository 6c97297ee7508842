from django.conf import settings

from facilities.models import Facility

DEMO_SOURCE = "import:demo"


def site(request):
    """What every page shows: the crisis line and, while demo listings are live, a notice."""
    return {
        "crisis_line": settings.CRISIS_LINE,
        "showing_demo_data": lambda: (
            Facility.objects.published().filter(source=DEMO_SOURCE).exists()
        ),
    }
