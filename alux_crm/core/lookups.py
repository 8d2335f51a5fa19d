"""``field__any=[…]``: ``field = ANY(%s)`` with the list as ONE array parameter.

``field__in=[…]`` spells every value as its own placeholder; for the thousands of ids
of a billing-run chunk that costs more to build and send than the query takes to
run. Registered on every field by ``CoreConfig.ready``.
"""

from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    """Matches rows whose column equals any element of a list (an empty list
    matches nothing)."""

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        values = [self.lhs.output_field.get_db_prep_value(v, connection) for v in value]
        return "%s", [values]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def register() -> None:
    """Make ``__any`` available on every model field (relations keep lookups of
    their own, so they are named too)."""
    Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(AnyOf)
