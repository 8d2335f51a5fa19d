"""How cases look in lists: the colour of each status badge, and the status in the
customer's words for the portal."""

from .choices import CUSTOMER_STATUS_LABELS

CASE_STATUS_COLOURS = {
    "open": "primary",
    "in_progress": "info",
    "waiting": "warning",
    "closed": "secondary",
}


def with_status_colours(cases):
    """Give each case its badge colour (``case.status_colour``) and its status as the
    portal shows it (``case.customer_status``); returns them."""
    for case in cases:
        case.status_colour = CASE_STATUS_COLOURS.get(case.status, "secondary")
        case.customer_status = CUSTOMER_STATUS_LABELS.get(case.status, case.status)
    return cases
