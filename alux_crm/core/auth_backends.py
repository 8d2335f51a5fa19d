"""The authentication backend of every login: Django's ``ModelBackend`` whose
``get_user`` (run on every request of a logged-in user) loads the user, the names
of their roles and the links named in ``AUTH_USER_SELECT_RELATED`` in one query,
instead of one for the user, one for the roles and one per link."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef


class UserBackend(ModelBackend):
    """``ModelBackend`` with a one-query ``get_user``: the roles come as an array
    (``User.role_names`` reads it) and the partner and portal account rows joined."""

    def get_user(self, user_id):
        role_names = Group.objects.filter(user=OuterRef("pk")).values("name")
        user = (
            get_user_model()
            ._default_manager.filter(pk=user_id)
            .select_related(*settings.AUTH_USER_SELECT_RELATED)
            .annotate(role_name_list=ArraySubquery(role_names))
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user._role_names = frozenset(user.role_name_list)
        return user
