"""The save desk's call list (the retention hook of BIL-7): a Gold or Platinum account
a disconnection run would have cut waits here. The agent who called marks it saved
(it stays connected; its dunning goes on) or releases it for disconnection (the next
disconnection run that selects it disconnects it)."""

from django.db import transaction
from django.utils.translation import gettext as _

from alux_crm.core.errors import InvalidTransition

from ..choices import SaveDeskStatus
from ..models import SaveDeskEntry

RESOLUTIONS = (SaveDeskStatus.SAVED, SaveDeskStatus.RELEASED)


@transaction.atomic
def save_desk_resolve(*, entry: SaveDeskEntry, status: str, note: str = "", actor=None):
    """Close an open entry as saved or released for disconnection, with a note."""
    entry = SaveDeskEntry.objects.select_for_update().get(pk=entry.pk)
    if status not in RESOLUTIONS:
        raise InvalidTransition(_("An entry is either saved or released for disconnection."))
    if entry.status != SaveDeskStatus.OPEN:
        raise InvalidTransition(
            _("This call was already handled (%(status)s).")
            % {"status": entry.get_status_display().lower()}
        )
    entry.status = status
    entry.note = note.strip()
    entry.handled_by = actor
    entry.save(update_fields=["status", "note", "handled_by", "updated_at"])
    return entry
