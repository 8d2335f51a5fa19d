"""factory_boy factories of the core (data built through the real models/services)."""

import factory
from django.contrib.auth.models import Group

from alux_crm.core import choices
from alux_crm.core.models import OrgUnit, Partner, User

PASSWORD = "correct-horse-battery"


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    code = factory.Sequence(lambda n: f"unit-{n}")
    kind = choices.OrgUnitKind.DEPARTMENT


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n} SRL")
    code = factory.Sequence(lambda n: f"R-{n:04d}")
    kind = choices.PartnerKind.RETAILER
    email = factory.Sequence(lambda n: f"partner{n}@example.com")


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``role="Sales"`` puts them in that group."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()
