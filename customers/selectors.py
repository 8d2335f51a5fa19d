"""Reads of the customers app, scoped to what the asking user may see.

Staff see every customer; a partner user (retailer, installer) sees only the
customers of their own partner. Another's customer is a 404.
"""

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone
from pghistory.models import Events

from alux_crm.core import trees
from alux_crm.core.selectors import (
    HISTORY_HIDDEN_FIELDS,
    annotate_history,
    is_partner_user,
    operator_settings,
)

from .models import Address, BillingAccount, Communication, Customer
from .validation import phone_search_forms

SEARCH_LIMIT = 10


def customer_list(*, user) -> QuerySet[Customer]:
    """Customers the user may see, with the columns lists need."""
    qs = Customer.objects.select_related("serving_agent", "partner")
    if is_partner_user(user):
        return qs.filter(partner_id=user.partner_id) if user.partner_id else qs.none()
    return qs


def customer_get(*, user, pk: int) -> Customer:
    """One customer the user may see, or 404."""
    return get_object_or_404(customer_list(user=user).select_related("parent"), pk=pk)


def possible_duplicates(*, data: dict, exclude_pk: int | None = None) -> QuerySet[Customer]:
    """Customers sharing an ID, VAT or registration number, a phone or an e-mail with
    ``data`` (already normalised by ``services.clean_customer_data``)."""
    condition = Q()
    for field in ("id_number", "vat_number", "registration_number", "phone", "email"):
        value = data.get(field)
        if value:
            condition |= Q(**{field: value})
    if not condition:
        return Customer.objects.none()
    qs = Customer.objects.filter(condition)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("number")


def customer_subtree_ids(*, root: Customer) -> list[int]:
    """``root`` and every branch/department below it, at any depth."""
    return trees.subtree_ids(Customer, root.pk)


def customer_ancestors(*, customer: Customer) -> list[Customer]:
    """The organisation chain above the customer, top first."""
    return trees.ancestors(Customer, customer.pk)


def billing_account_subtree_ids(*, root: BillingAccount) -> list[int]:
    """``root`` and every account below it."""
    return trees.subtree_ids(BillingAccount, root.pk)


def paying_account(*, account: BillingAccount) -> BillingAccount:
    """The account that receives the invoice for ``account``'s charges: itself if it
    pays, otherwise its nearest paying ancestor (BIL-8)."""
    if account.is_paying:
        return account
    ids = trees.ancestor_ids(BillingAccount, account.pk)
    ancestors = BillingAccount.objects.in_bulk(ids)
    for ancestor_id in reversed(ids):  # nearest first
        if ancestors[ancestor_id].is_paying:
            return ancestors[ancestor_id]
    raise ValueError(f"Billing account {account.number} has no paying ancestor.")


@dataclass
class TreeNode:
    """A node of a tree view with its children."""

    item: object
    children: list["TreeNode"]
    depth: int


def _build_tree(items: list, root_ids: set[int]) -> list[TreeNode]:
    by_parent: dict[int | None, list] = {}
    for item in items:
        by_parent.setdefault(item.parent_id, []).append(item)

    def build(item, depth):
        return TreeNode(item, [build(c, depth + 1) for c in by_parent.get(item.pk, [])], depth)

    return [build(item, 0) for item in items if item.pk in root_ids]


def customer_billing_tree(*, customer: Customer) -> list[TreeNode]:
    """The customer's billing accounts as a tree (accounts of branches included)."""
    ids = customer_subtree_ids(root=customer)
    accounts = list(
        BillingAccount.objects.filter(customer_id__in=ids)
        .select_related("customer", "billing_address")
        .order_by("number")
    )
    present = {a.pk for a in accounts}
    roots = {a.pk for a in accounts if a.parent_id not in present}
    return _build_tree(accounts, roots)


def customer_org_tree(*, customer: Customer) -> list[TreeNode]:
    """The organisation tree below ``customer`` (branches, departments)."""
    ids = customer_subtree_ids(root=customer)
    nodes = list(Customer.objects.filter(pk__in=ids).order_by("display_name"))
    return _build_tree(nodes, {customer.pk})


def current_addresses(*, customer: Customer) -> list[Address]:
    """The customer's addresses valid today, one per kind."""
    return list(customer.addresses.valid_on(timezone.localdate()).order_by("kind"))


def billing_account_list(*, user) -> QuerySet[BillingAccount]:
    """Billing accounts of the customers the user may see."""
    qs = BillingAccount.objects.select_related("customer", "parent")
    if is_partner_user(user):
        return qs.filter(customer__partner_id=user.partner_id) if user.partner_id else qs.none()
    return qs


def billing_account_get(*, user, pk: int) -> BillingAccount:
    """One billing account the user may see, or 404."""
    return get_object_or_404(billing_account_list(user=user), pk=pk)


CUSTOMER_HISTORY_HIDDEN = HISTORY_HIDDEN_FIELDS | {"display_name", "version"}


def customer_history(customer: Customer, *, limit: int = 300) -> list:
    """History of the customer and of its addresses, billing accounts and
    communications, newest first (not of its branches: they have their own page).
    Two queries whatever the number of records (events, then their users)."""
    own = Customer._meta.label
    events = list(
        Events.objects.references(customer)
        .filter(~Q(pgh_obj_model=own) | Q(pgh_obj_id=str(customer.pk)))
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    return annotate_history(events, hidden=CUSTOMER_HISTORY_HIDDEN)


def communication_list(*, customer: Customer) -> QuerySet[Communication]:
    """The customer's contacts, newest first, with agent and attachments."""
    return customer.communications.select_related("agent").prefetch_related("attachments")


# --- global search ---------------------------------------------------------------------
@dataclass(frozen=True)
class SearchHit:
    """One search result: what matched and where to go."""

    kind: str  # "customer" or "billing_account"
    title: str
    subtitle: str
    url: str
    rank: int  # lower is better: 0 exact, 1 prefix, 2 similar


NUMBER_PATTERN = re.compile(r"^(C|BA)-?\d+$", re.I)


def _customer_hit(customer: Customer, rank: int, matched: str) -> SearchHit:
    details = [customer.number, customer.phone, customer.email, matched]
    return SearchHit(
        kind="customer",
        title=customer.display_name,
        subtitle=" · ".join(dict.fromkeys(d for d in details if d)),
        url=customer.get_absolute_url(),
        rank=rank,
    )


def search(*, user, query: str, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Global search (CUS-6): customer and billing-account numbers, phone in any
    format, e-mail, ID/VAT/registration number and name. Exact and prefix matches
    come first, then similar names (pg_trgm).

    Each kind of text takes only the branches that can match it, and every branch
    is an index lookup with no ORDER BY (results are ranked here): at a million
    customers the default ordering made PostgreSQL walk the date index instead.
    """
    text = " ".join((query or "").split())
    if len(text) < 2:
        return []
    customers = (
        customer_list(user=user)
        .select_related(None)
        .only("id", "number", "kind", "display_name", "phone", "email")
        .order_by()
    )
    hits: dict[tuple[str, int], SearchHit] = {}

    def add(items, rank, matched="", kind="customer"):
        for item in items:
            key = (kind, item.pk)
            if key in hits and hits[key].rank <= rank:
                continue
            if kind == "customer":
                hits[key] = _customer_hit(item, rank, matched)
            else:
                hits[key] = SearchHit(
                    kind="billing_account",
                    title=f"{item.number} · {item.name}",
                    subtitle=item.customer.display_name,
                    url=item.customer.get_absolute_url(),
                    rank=rank,
                )

    def ranked():
        return sorted(hits.values(), key=lambda h: (h.rank, h.title))[:limit]

    upper = text.upper().replace(" ", "")
    number = NUMBER_PATTERN.match(upper)
    if number:
        prefix, digits = re.match(r"^(C|BA)-?(\d+)$", upper).groups()
        wanted = f"{prefix}-{int(digits):06d}"
        if prefix == "C":
            add(customers.filter(number=wanted), 0, "customer number")
        else:
            accounts = billing_account_list(user=user).filter(number=wanted).order_by()
            add(accounts, 0, kind="billing_account")
        return ranked()
    if "@" in text:
        email = text.lower().replace(" ", "")
        add(customers.filter(email=email)[:limit], 0)
        add(customers.filter(email__startswith=email)[:limit], 1)
        return ranked()
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4 and len(digits) >= len(upper) - 3:
        for e164 in phone_search_forms(text, operator_settings().country):
            add(customers.filter(phone=e164)[:limit], 0, "phone")
        add(customers.filter(Q(id_number=upper) | Q(vat_number=upper))[:limit], 0, "ID number")
        if not hits:
            add(_phone_digits(customers, digits.lstrip("0") or digits, limit), 1, "phone")
        return ranked()
    if len(upper) >= 4 and any(ch.isdigit() for ch in upper):
        add(
            customers.filter(
                Q(id_number=upper) | Q(vat_number=upper) | Q(registration_number=text)
            )[:limit],
            0,
            "ID/VAT number",
        )
    name_prefix = customers.annotate(lower_name=Lower("display_name")).filter(
        lower_name__startswith=text.lower()
    )
    add(name_prefix[:limit], 1)
    if not hits and len(text) >= 3:
        add(_similar_names(customers, text, limit), 2)
    return ranked()


def _phone_digits(customers: QuerySet[Customer], digits: str, limit: int) -> list[Customer]:
    """Customers whose phone contains ``digits`` (the trigram index; the planner
    otherwise prefers a full scan for such a pattern)."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        return list(customers.filter(phone__ilike=f"%{digits}%")[:limit])


# pg_trgm's default word-similarity threshold (0.6) misses simple typos such as two
# swapped letters ("Popsecu" for "Popescu" scores 0.375).
WORD_SIMILARITY_THRESHOLD = 0.35


def _similar_names(customers: QuerySet[Customer], text: str, limit: int) -> list[Customer]:
    from django.contrib.postgres.search import TrigramWordSimilarity
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(WORD_SIMILARITY_THRESHOLD)],
            )
        return list(
            customers.filter(display_name__trigram_word_similar=text)
            .annotate(similarity=TrigramWordSimilarity(text, "display_name"))
            .order_by("-similarity")[:limit]
        )
