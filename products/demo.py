"""Demo catalogue for ``seed_demo``: AluxSat's TV, internet and telephony offer in EUR,
with Romanian VAT (19 % until 2025-08-01, 21 % from then), Romanian names and
descriptions, promotions approved by a second Marketing user, loyalty rewards,
standard offers with their limits and three competitors' offers.

Idempotent: rows are found by code (offers by segment and name) and created or
brought up to date, so running it twice changes nothing. Products and promotions go
through the services; prices and VAT rates start in the past, which the services
rightly refuse to people, so they are written directly (like the test factories).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from alux_crm.core import roles as R
from alux_crm.core.models import OrgUnit, User

from . import choices as C
from . import services
from .models import (
    BundleComponent,
    CompetitorOffer,
    MaturityReward,
    PlanPrice,
    PricePlan,
    Product,
    ProductRule,
    Promotion,
    StandardOffer,
    TaxClass,
    TaxRate,
    TvChannel,
)

CURRENCY, COUNTRY = "EUR", "RO"
PRICES_SINCE = date(2024, 1, 1)
VAT_CHANGE = date(2025, 8, 1)
APPROVER, DESIGNER = "marketing", "marketing2"  # the demo login approves; marketing2 designs

# fmt: off
# code, English, Romanian, [(rate, from, until)]
TAX_CLASSES = [
    ("standard", "Standard VAT", "TVA cota standard",
     [("0.19", date(2017, 1, 1), VAT_CHANGE), ("0.21", VAT_CHANGE, None)]),
    ("reduced", "Reduced VAT", "TVA cota redusă",
     [("0.09", date(2017, 1, 1), VAT_CHANGE), ("0.11", VAT_CHANGE, None)]),
]

CHANNELS = {  # genre: [(code, name, HD)]
    "generaliste": [("tvr1", "TVR 1", True), ("tvr2", "TVR 2", True), ("protv", "Pro TV", True),
                    ("antena1", "Antena 1", True), ("kanald", "Kanal D", True),
                    ("prima", "Prima TV", True)],
    "știri": [("antena3", "Antena 3 CNN", True), ("euronews-ro", "Euronews România", True),
              ("b1tv", "B1 TV", False)],
    "muzică": [("kiss-tv", "Kiss TV", True), ("favorit", "Favorit TV", False)],
    "documentare": [("discovery", "Discovery Channel", True),
                    ("natgeo", "National Geographic", True), ("history", "History Channel", True),
                    ("animal-planet", "Animal Planet", True)],
    "lifestyle": [("tlc", "TLC", True), ("travel", "Travel Channel", True),
                  ("food", "Food Network", True)],
    "copii": [("cartoon", "Cartoon Network", True), ("disney", "Disney Channel", True),
              ("nickelodeon", "Nickelodeon", True), ("minimax", "Minimax", True),
              ("jimjam", "JimJam", False)],
    "sport": [("eurosport1", "Eurosport 1", True), ("eurosport2", "Eurosport 2", True),
              ("prima-sport1", "Prima Sport 1", True), ("prima-sport2", "Prima Sport 2", True)],
    "filme": [("hbo", "HBO", True), ("hbo2", "HBO 2", True), ("hbo3", "HBO 3", True),
              ("cinemax", "Cinemax", True), ("film-now", "Film Now", True), ("amc", "AMC", True),
              ("tv1000", "TV1000", True), ("diva", "Diva", True)],
}

BASIC = ["tvr1", "tvr2", "protv", "antena1", "kanald", "prima", "antena3", "euronews-ro",
         "b1tv", "kiss-tv", "favorit"]
FAMILY = [*BASIC, "discovery", "natgeo", "history", "animal-planet", "tlc", "travel", "food",
          "cartoon", "disney"]
PREMIUM = [*FAMILY, "eurosport1", "eurosport2", "prima-sport1", "film-now", "amc"]
# fmt: on


@dataclass
class Spec:
    """A demo product: what it is, its texts, and its prices [(from, amount, resting)]
    per use (standard, sale, rental)."""

    code: str
    category: str
    name_en: str
    name_ro: str
    description_en: str
    description_ro: str
    plans: dict[str, list[tuple[date, str, str | None]]]
    channels: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


def _one(amount: str, resting: str | None = None) -> list:
    return [(PRICES_SINCE, amount, resting)]


def _std(amount: str, resting: str | None = None) -> dict:
    return {C.Acquisition.STANDARD: _one(amount, resting)}


P = C.ProductCategory
A = C.Acquisition
# fmt: off
PRODUCTS = [
    Spec("tv-basic", P.TV_PACKAGE, "TV Basic", "TV Bază",
         "The main Romanian channels: general, news and music.",
         "Principalele canale românești: generaliste, știri și muzică.",
         {A.STANDARD: [(date(2023, 1, 1), "6.00", "1.50"), (date(2025, 1, 1), "6.50", "1.50")]},
         BASIC, {"max_devices": 1}),
    Spec("tv-family", P.TV_PACKAGE, "TV Family", "TV Familie",
         "Basic plus documentaries, lifestyle and cartoons, on two TV sets.",
         "Pachetul Bază plus documentare, lifestyle și desene animate, pe două televizoare.",
         _std("10.00", "2.00"), FAMILY, {"max_devices": 2}),
    Spec("tv-premium", P.TV_PACKAGE, "TV Premium", "TV Premium",
         "Every channel of Family plus sport and films, multi-room on four TV sets.",
         "Toate canalele din Familie plus sport și filme, multi-room pe patru televizoare.",
         _std("15.00", "3.00"), PREMIUM, {"max_devices": 4}),
    Spec("addon-hbo", P.TV_ADDON, "HBO", "HBO", "HBO, HBO 2, HBO 3 and Cinemax.",
         "HBO, HBO 2, HBO 3 și Cinemax.", _std("4.00"), ["hbo", "hbo2", "hbo3", "cinemax"]),
    Spec("addon-sport-extra", P.TV_ADDON, "Sport Extra", "Sport Extra",
         "Eurosport 1 and 2, Prima Sport 1 and 2: football, tennis, cycling.",
         "Eurosport 1 și 2, Prima Sport 1 și 2: fotbal, tenis, ciclism.", _std("5.00"),
         ["eurosport1", "eurosport2", "prima-sport1", "prima-sport2"]),
    Spec("addon-kids", P.TV_ADDON, "Kids", "Copii", "Five channels for children.",
         "Cinci canale pentru copii.", _std("2.50"),
         ["cartoon", "disney", "nickelodeon", "minimax", "jimjam"]),
    Spec("addon-film-plus", P.TV_ADDON, "Film+", "Film+", "Film Now, AMC, TV1000 and Diva.",
         "Film Now, AMC, TV1000 și Diva.", _std("3.00"), ["film-now", "amc", "tv1000", "diva"]),
    Spec("ppv-gala-box", P.PAY_PER_VIEW, "Boxing Night: Champions' Gala",
         "Gala de box: Noaptea Campionilor", "Live from Bucharest, three title fights.",
         "În direct de la București, trei meciuri pentru titlu.", _std("9.99")),
    Spec("ppv-derby", P.PAY_PER_VIEW, "Football: the Bucharest Derby",
         "Fotbal: Derbiul Capitalei", "The derby live, with the pre-match show.",
         "Derbiul în direct, cu emisiunea dinaintea meciului.", _std("5.99")),
    Spec("movie-moromete", P.MOVIE, "The Moromete Family", "Moromeții",
         "Stere Gulea's classic (1987), rented for 48 hours.",
         "Clasicul lui Stere Gulea (1987), închiriat pentru 48 de ore.", _std("2.99"),
         extra={"rental_hours": 48}),
    Spec("movie-filantropica", P.MOVIE, "Philanthropy", "Filantropica",
         "Nae Caranfil's comedy (2002), rented for 48 hours.",
         "Comedia lui Nae Caranfil (2002), închiriată pentru 48 de ore.", _std("3.49"),
         extra={"rental_hours": 48}),
    Spec("movie-nea-marin", P.MOVIE, "Uncle Marin, the Billionaire", "Nea Mărin miliardar",
         "Amza Pellea's comedy (1979), rented for 72 hours.",
         "Comedia cu Amza Pellea (1979), închiriată pentru 72 de ore.", _std("3.99"),
         extra={"rental_hours": 72}),
    Spec("net-300", P.BROADBAND, "Fibre Internet 300 Mbit/s", "Internet fibră 300 Mbit/s",
         "300 Mbit/s down, 100 up, unlimited traffic.",
         "300 Mbit/s download, 100 upload, trafic nelimitat.", _std("7.00", "2.00"),
         extra={"download_mbps": 300, "upload_mbps": 100}),
    Spec("net-500", P.BROADBAND, "Fibre Internet 500 Mbit/s", "Internet fibră 500 Mbit/s",
         "500 Mbit/s down, 200 up, unlimited traffic.",
         "500 Mbit/s download, 200 upload, trafic nelimitat.", _std("9.00", "2.00"),
         extra={"download_mbps": 500, "upload_mbps": 200}),
    Spec("net-1000", P.BROADBAND, "Fibre Internet 1000 Mbit/s", "Internet fibră 1000 Mbit/s",
         "1 Gbit/s down, 500 Mbit/s up, unlimited traffic.",
         "1 Gbit/s download, 500 Mbit/s upload, trafic nelimitat.", _std("12.00", "3.00"),
         extra={"download_mbps": 1000, "upload_mbps": 500}),
    Spec("phone-national", P.TELEPHONY, "Unlimited national calls",
         "Telefonie fixă națională nelimitată",
         "Landline with unlimited calls to every Romanian network.",
         "Telefon fix cu minute nelimitate în toate rețelele din România.", _std("2.50", "1.00")),
    Spec("tp-family", P.TRIPLE_PLAY, "Triple Play Family", "Triple Play Familie",
         "TV Family, 500 Mbit/s internet and national calls in one price.",
         "TV Familie, internet 500 Mbit/s și telefonie națională la un singur preț.",
         _std("19.00", "5.00")),
    Spec("tp-premium", P.TRIPLE_PLAY, "Triple Play Premium", "Triple Play Premium",
         "TV Premium, 1000 Mbit/s internet and national calls in one price.",
         "TV Premium, internet 1000 Mbit/s și telefonie națională la un singur preț.",
         _std("27.00", "7.00")),
    Spec("tv-box", P.TV_BOX, "HD TV box", "Receptor TV HD", "Satellite HD receiver with recording.",
         "Receptor HD prin satelit, cu funcție de înregistrare.",
         {A.SALE: _one("89.00"), A.RENTAL: _one("2.00")}),
    Spec("router", P.ROUTER, "Wi-Fi 6 router", "Router Wi-Fi 6",
         "Dual-band Wi-Fi 6 router, rented.", "Router Wi-Fi 6 dual-band, în chirie.",
         {A.RENTAL: _one("1.50")}),
    Spec("remote", P.REMOTE, "Remote control", "Telecomandă", "Replacement remote for the TV box.",
         "Telecomandă de schimb pentru receptor.", {A.SALE: _one("12.00")}),
    Spec("smart-card", P.SMART_CARD, "Smart card", "Card de acces", "Conditional-access card.",
         "Card de acces condiționat pentru receptor.", {A.SALE: _one("15.00")}),
    Spec("fee-installation", P.INSTALLATION, "Installation", "Instalare",
         "Dish, cabling and set-up by a technician.",
         "Montaj antenă, cablare și configurare de către un tehnician.", _std("30.00")),
    Spec("fee-repair", P.REPAIR, "Repair visit", "Intervenție service",
         "A technician's visit outside warranty.", "Deplasarea unui tehnician în afara garanției.",
         _std("25.00")),
    Spec("fee-reconnection", P.RECONNECTION, "Reconnection", "Reconectare",
         "Restoring a service suspended for non-payment.",
         "Reactivarea unui serviciu suspendat pentru neplată.", _std("10.00")),
    Spec("fee-early-termination", P.EARLY_TERMINATION, "Early termination", "Reziliere anticipată",
         "Ending a contract before its term.", "Încetarea contractului înainte de termen.",
         _std("50.00")),
]
# fmt: on
ADDONS = ["addon-hbo", "addon-sport-extra", "addon-kids", "addon-film-plus"]
BUNDLES = {
    "tp-family": ["tv-family", "net-500", "phone-national"],
    "tp-premium": ["tv-premium", "net-1000", "phone-national"],
}
PRICE_INCREASE = ("tv-family", "11.00", "2.00")  # scheduled from the month after next

RECURRING_KINDS = (C.ProductKind.SERVICE, C.ProductKind.BUNDLE)


def _save_changes(obj, values: dict) -> bool:
    """Set the values that differ and save only them (nothing written when equal)."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=[*changed, "updated_at"] if hasattr(obj, "updated_at") else changed)
    return bool(changed)


def _upsert(model, lookup: dict, values: dict, create_only: dict | None = None):
    """The row found by ``lookup``, created or brought up to ``values``."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**{**lookup, **values, **(create_only or {})}), True
    _save_changes(obj, values)
    return obj, False


def _tax_classes() -> dict[str, TaxClass]:
    classes = {}
    for code, name_en, name_ro, rates in TAX_CLASSES:
        tax, _new = _upsert(TaxClass, {"code": code}, {"name_en": name_en, "name_ro": name_ro})
        for rate, since, until in rates:
            TaxRate.objects.get_or_create(
                tax_class=tax,
                country=COUNTRY,
                valid_from=since,
                defaults={"rate": Decimal(rate), "valid_to": until},
            )
        classes[code] = tax
    return classes


def _channels() -> dict[str, TvChannel]:
    channels = {}
    for genre, rows in CHANNELS.items():
        for code, name, hd in rows:
            values = {"name": name, "genre": genre, "is_hd": hd}
            channels[code] = _upsert(TvChannel, {"code": code}, values)[0]
    return channels


def _air_time(days_ahead: int, weekday: int, at: time, hours: int) -> dict:
    """The first ``weekday`` at least ``days_ahead`` days from today, at ``at``."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    starts = timezone.make_aware(datetime.combine(day, at))
    return {"air_starts_at": starts, "air_ends_at": starts + timedelta(hours=hours)}


AIR_TIMES = {
    "ppv-gala-box": lambda: _air_time(10, 5, time(21, 0), 3),  # a Saturday night
    "ppv-derby": lambda: _air_time(17, 6, time(20, 30), 2),  # a Sunday evening
}


def _product(spec: Spec, taxes, channels) -> tuple[Product, bool]:
    fields = {
        "kind": C.CATEGORY_KIND[spec.category],
        "category": spec.category,
        "name_en": spec.name_en,
        "name_ro": spec.name_ro,
        "description_en": spec.description_en,
        "description_ro": spec.description_ro,
        "tax_class": taxes["standard"],
        "sort_order": 10 * (PRODUCTS.index(spec) + 1),
        **spec.extra,
    }
    wanted = [channels[code] for code in spec.channels]
    product = Product.objects.filter(code=spec.code).first()
    if spec.code in AIR_TIMES and (product is None or product.air_ends_at <= timezone.now()):
        fields.update(AIR_TIMES[spec.code]())  # keep an event in the future
    if product is None:
        return services.product_create(code=spec.code, channels=wanted, **fields), True
    changed = {name: value for name, value in fields.items() if getattr(product, name) != value}
    same_channels = {c.pk for c in product.channels.all()} == {c.pk for c in wanted}
    if changed or not same_channels:
        services.product_update(
            product=product, channels=None if same_channels else wanted, **changed
        )
    return product, False


def _plans(product: Product, spec: Spec) -> None:
    for acquisition, prices in spec.plans.items():
        recurring = product.kind in RECURRING_KINDS or acquisition == A.RENTAL
        suffix = {A.STANDARD: "", A.SALE: " (sale)", A.RENTAL: " (rental)"}[acquisition]
        suffix_ro = {A.STANDARD: "", A.SALE: " (vânzare)", A.RENTAL: " (închiriere)"}[acquisition]
        plan, _new = _upsert(
            PricePlan,
            {"code": f"{product.code}-{acquisition}"},
            {
                "product": product,
                "name_en": f"{spec.name_en}{suffix}",
                "name_ro": f"{spec.name_ro}{suffix_ro}",
                "charge": C.Charge.RECURRING if recurring else C.Charge.ONE_TIME,
                "acquisition": acquisition,
                "is_active": True,
            },
        )
        for index, (since, amount, resting) in enumerate(prices):
            until = prices[index + 1][0] if index + 1 < len(prices) else None
            PlanPrice.objects.get_or_create(
                plan=plan,
                currency=CURRENCY,
                valid_from=since,
                defaults={
                    "amount": Decimal(amount),
                    "resting_amount": Decimal(resting) if resting else None,
                    "valid_to": until,
                },
            )


def _schedule_price_increase(products: dict[str, Product]) -> None:
    """One package gets dearer from the month after next ("scheduled" on its page)."""
    code, amount, resting = PRICE_INCREASE
    plan = products[code].price_plans.get(acquisition=A.STANDARD)
    today = timezone.localdate()
    if plan.prices.filter(currency=CURRENCY, valid_from__gt=today).exists():
        return
    services.plan_price_schedule(
        plan=plan,
        currency=CURRENCY,
        amount=Decimal(amount),
        resting_amount=Decimal(resting),
        valid_from=(today + relativedelta(months=2)).replace(day=1),
    )


def _structure(products: dict[str, Product]) -> None:
    """Add-ons need a TV package; triple-play bundles hold TV, internet and a phone line."""
    for code in ADDONS:
        ProductRule.objects.get_or_create(
            product=products[code],
            kind=C.RuleKind.REQUIRES,
            target_product=None,
            target_category=P.TV_PACKAGE,
        )
    for bundle, parts in BUNDLES.items():
        for part in parts:
            BundleComponent.objects.get_or_create(
                bundle=products[bundle], component=products[part], defaults={"quantity": 1}
            )


# --- marketing: promotions, rewards, offer limits, competitors --------------------------------
def _marketing_users() -> tuple[User, User | None]:
    """The designer (a second Marketing user, made here, who cannot log in) and the
    approver: the demo login ``marketing`` (four eyes). Without it promotions stay
    drafts; with it, the demo's Marketing user finds one draft awaiting approval."""
    designer = User.objects.filter(username=DESIGNER).first()
    if designer is None:
        designer = User(
            username=DESIGNER,
            first_name="Laura",
            last_name="Enache",
            email=f"{DESIGNER}@aluxsat.example",
            org_unit=OrgUnit.objects.filter(code="marketing").first(),
        )
        designer.set_unusable_password()
        designer.save()
        designer.groups.add(Group.objects.get(name=R.MARKETING))
    return designer, User.objects.filter(username=APPROVER).first()


def _promotion_specs(today: date) -> list[tuple[dict, list[str], list[dict], bool]]:
    """(fields, product codes in scope, eligibility rules, approve?) of each promotion."""
    E, K, S = C.EligibilityKind, C.DiscountKind, C.Stacking
    day = timedelta(days=1)
    # fmt: off
    return [
        ({"code": "black-friday-tv", "priority": 200, "stacking": S.EXCLUSIVE,
          "name_en": "Black Friday: 50 % off TV packages for 6 months",
          "name_ro": "Black Friday: 50 % reducere la pachetele TV timp de 6 luni",
          "description_en": "New customers only; alone on the package.",
          "description_ro": "Doar pentru clienți noi; nu se cumulează pe pachet.",
          "discount_kind": K.PERCENTAGE, "value": Decimal("50"), "duration_months": 6,
          "categories": [P.TV_PACKAGE], "valid_from": today - 7 * day,
          "valid_to": today + 30 * day},
         [], [{"kind": E.NEW_CUSTOMER, "values": ["30"]}], True),
        ({"code": "triple-play-net-3-luni", "stacking": S.STACKABLE,
          "name_en": "Triple play: internet free for 3 months",
          "name_ro": "Triple play: internet gratuit 3 luni",
          "description_en": "With a TV package and a phone line, the first three months of "
                            "internet are free.",
          "description_ro": "Cu un pachet TV și o linie de telefon, primele trei luni de "
                            "internet sunt gratuite.",
          "discount_kind": K.FREE_MONTHS, "value": Decimal("3"), "categories": [P.BROADBAND],
          "valid_from": today - 60 * day},
         [], [{"kind": E.BASKET_CATEGORY, "values": [P.TV_PACKAGE]},
              {"kind": E.BASKET_CATEGORY, "values": [P.TELEPHONY]}], True),
        ({"code": "sport-extra-iarna", "stacking": S.STACKABLE,
          "name_en": "Winter sport: Sport Extra 30 % off for 3 months",
          "name_ro": "Sport de iarnă: Sport Extra cu 30 % reducere 3 luni",
          "description_en": "For residential customers, from next month.",
          "description_ro": "Pentru clienții rezidențiali, de luna viitoare.",
          "discount_kind": K.PERCENTAGE, "value": Decimal("30"), "duration_months": 3,
          "valid_from": today + 30 * day, "valid_to": today + 120 * day},
         ["addon-sport-extra"], [{"kind": E.CATEGORY, "values": ["residential"]}],
         False),  # a draft awaiting approval
    ]
    # fmt: on


def _promotions(products: dict[str, Product], designer: User, approver: User | None) -> None:
    """Created once (an approved promotion is frozen: what was approved is what sold)."""
    for fields, codes, rules, approve in _promotion_specs(timezone.localdate()):
        if Promotion.objects.filter(code=fields["code"]).exists():
            continue
        promotion = services.promotion_create(
            actor=designer, products=[products[code] for code in codes], **fields
        )
        for rule in rules:
            promotion.eligibility_rules.create(**rule)
        if approve and approver is not None:
            services.promotion_approve(promotion=promotion, actor=approver)


# fmt: off
REWARDS = [
    {"code": "fidelitate-12-luni", "reward_kind": C.RewardKind.PERCENTAGE,
     "value": Decimal("10"), "after_months": 12, "is_active": True,
     "name_en": "Loyalty: 10 % off after 12 months",
     "name_ro": "Fidelitate: 10 % reducere după 12 luni",
     "description_en": "For ever, on every monthly service, from the 13th month.",
     "description_ro": "Pe viață, la toate serviciile lunare, din luna a 13-a."},
    {"code": "credit-fidelitate-24-luni", "reward_kind": C.RewardKind.CREDIT,
     "value": Decimal("20.00"), "after_months": 24, "is_active": True,
     "name_en": "Loyalty credit of 20 EUR after 24 months",
     "name_ro": "Credit de fidelitate de 20 EUR după 24 de luni",
     "description_en": "Taken off the invoice of the 25th month.",
     "description_ro": "Se scade din factura lunii a 25-a."},
]
# segment, English, Romanian, max discount %, min monthly price, term, products offered
STANDARD_OFFERS = [
    ("mass", "Residential standard offer", "Ofertă standard rezidențială", "15", "10.00", 24,
     ["tv-basic", "tv-family", "tv-premium", "net-300", "net-500", "net-1000",
      "phone-national", "tp-family", "tp-premium"]),
    ("sme", "SME standard offer", "Ofertă standard IMM", "20", "25.00", 24,
     ["net-500", "net-1000", "phone-national", "tp-premium"]),
    ("corporate", "Corporate standard offer", "Ofertă standard corporate", "25", "100.00", 36,
     ["net-1000", "phone-national", "tp-premium"]),
]
# operator, offer, what it includes, monthly, one-time (VAT included), term
COMPETITORS = [
    ("Digi", "Fiberlink 1000 + TV Digital", "Internet fibră 1000 Mbit/s, 150 de canale TV, "
     "telefonie fixă", "14.50", "0.00", 12),
    ("Orange", "Love Fibră 1 Gbps + TV", "Internet fibră 1 Gbit/s, TV cu 140 de canale, "
     "minute naționale nelimitate", "27.00", "0.00", 24),
    ("Vodafone", "Fibră 1000 + TV Digital", "Internet fibră 1000 Mbit/s, 120 de canale TV, "
     "router inclus", "22.50", "25.00", 24),
]
# fmt: on


def _rewards_offers_competitors(products: dict[str, Product]) -> None:
    for reward in REWARDS:  # no scope: every recurring line
        _upsert(MaturityReward, {"code": reward["code"]}, reward)
    for segment, name_en, name_ro, max_off, min_price, term, offered in STANDARD_OFFERS:
        limits = f"max. {max_off} % reducere, minimum {min_price} EUR pe lună"
        values = {"name_ro": name_ro, "currency": CURRENCY, "term_months": term}
        values |= {"max_discount_percent": Decimal(max_off), "valid_from": date(2025, 1, 1)}
        values |= {"min_monthly_price": Decimal(min_price), "description_ro": f"Limite: {limits}."}
        values["description_en"] = f"Limits: {max_off} % off at most, {min_price} EUR a month."
        offer, _new = _upsert(StandardOffer, {"segment": segment, "name_en": name_en}, values)
        offer.products.set([products[code] for code in offered])
    for operator, name, components, monthly, one_time, term in COMPETITORS:
        values = {"components": components, "currency": CURRENCY, "term_months": term}
        values |= {"monthly_price": Decimal(monthly), "one_time_price": Decimal(one_time)}
        values["source"] = f"Site-ul public {operator}, pagina de oferte"
        seen = {"captured_on": timezone.localdate() - timedelta(days=14)}
        _upsert(CompetitorOffer, {"operator": operator, "name": name}, values, create_only=seen)


def seed_catalogue() -> int:
    """Create or refresh the demo catalogue; returns how many products were new (0 on a
    second run)."""
    with transaction.atomic():
        taxes = _tax_classes()
        channels = _channels()
        products, created = {}, 0
        for spec in PRODUCTS:
            product, new = _product(spec, taxes, channels)
            _plans(product, spec)
            products[spec.code] = product
            created += new
        _structure(products)
        _schedule_price_increase(products)
        designer, approver = _marketing_users()
        _promotions(products, designer, approver)
        _rewards_offers_competitors(products)
    return created
