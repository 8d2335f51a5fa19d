"""``ilike`` lookup: PostgreSQL ILIKE, which pg_trgm GIN indexes serve directly
(Django's ``icontains`` wraps both sides in UPPER(), which a plain trigram index
on the column does not serve)."""

from django.db.models import CharField, EmailField, Lookup


@CharField.register_lookup
class ILike(Lookup):
    """``field__ilike="ion%"`` → ``field ILIKE 'ion%'`` (the caller writes the wildcards)."""

    lookup_name = "ilike"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


EmailField.register_lookup(ILike)


def like_escape(text: str) -> str:
    """Escape LIKE wildcards typed by a user, for use with the ``ilike`` lookup."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
