"""Cases (CAS-1, the minimal shape of the portal's information requests)."""

import pytest
from django.db import IntegrityError

from cases.choices import CaseStatus
from cases.models import Case
from cases.services import case_create, case_reply
from portal.models import PortalAccount
from tests.core.factories import UserFactory
from tests.customers import factories as CF

pytestmark = pytest.mark.django_db


def test_cases_are_numbered_and_a_customer_reply_reopens_a_waiting_case():
    customer = CF.person()
    first = case_create(
        customer=customer, kind="information", channel="portal", subject="Q", description="?"
    )
    second = case_create(
        customer=customer, kind="billing", channel="phone", subject="Bill", description="Why?"
    )
    assert first.number.startswith("CS-") and second.number != first.number
    assert int(second.number[3:]) == int(first.number[3:]) + 1
    Case.objects.filter(pk=first.pk).update(status=CaseStatus.WAITING_CUSTOMER)
    first.refresh_from_db()
    case_reply(case=first, text="Here is the photo.", from_customer=True)
    first.refresh_from_db()
    assert first.status == CaseStatus.OPEN
    assert [r.text for r in first.replies.all()] == ["Here is the photo."]


def test_a_customer_has_one_portal_login():
    customer = CF.person()
    PortalAccount.objects.create(user=UserFactory(), customer=customer)
    with pytest.raises(IntegrityError):
        PortalAccount.objects.create(user=UserFactory(), customer=customer)
