"""Template filter of the holds partials: may this user open that URL (the access
matrix), so a partial included by another app's page shows only the buttons the
user can use."""

from django import template

from alux_crm.core.access import rule_for

register = template.Library()


@register.filter
def may_open(user, url_name: str) -> bool:
    """``{% if request.user|may_open:"dunning:promise_create" %}``."""
    rule = rule_for(url_name)
    return rule is not None and user is not None and rule.allows(user)
