"""Forms of the portal's services pages. They check the shape of the input; the
subscription services (``resting_request``, ``change_order_create``) apply the
business rules, and the portal's shop (``selectors_services.portal_offer``) says
which product this subscription may buy here."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from subscriptions.forms import RestingForm

from .selectors_services import portal_offer


class PortalRestForm(RestingForm):
    """The dates of a resting period: the agents' form, in the subscriber's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].label = _("Pause from")
        self.fields["ends_on"].help_text = _("The first day you have the service again.")


class OfferForm(forms.Form):
    """The product chosen on an add-on or pay-per-view page. A product the portal
    does not sell to this subscription (another category, one it has already,
    one the catalogue refuses) is an error on the field, even when posted by hand."""

    product = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, data=None, *, subscription, kind: str, **kwargs):
        super().__init__(data, **kwargs)
        self.subscription = subscription
        self.kind = kind

    def clean_product(self):
        try:
            return portal_offer(
                subscription=self.subscription,
                kind=self.kind,
                product_id=self.cleaned_data["product"],
            )
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
