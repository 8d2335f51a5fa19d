"""Root URL configuration. Every URL name here is declared in core/access.py."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from alux_crm.core import api as core_api
from alux_crm.core import views as core_views
from alux_crm.core.health import healthz
from billing import api as billing_api
from customers import api as customers_api
from dunning.api import engine as dunning_engine_api
from dunning.api import holds as holds_api
from dunning.api import runs as dunning_runs_api
from portal import api as portal_api
from products import api as products_api
from subscriptions import api as subscriptions_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("partners", core_api.PartnerViewSet, basename="partner")
router.register("customers", customers_api.CustomerViewSet, basename="customer")
router.register("billing-accounts", customers_api.BillingAccountViewSet, basename="billing-account")
router.register("products", products_api.ProductViewSet, basename="product")
router.register("price-plans", products_api.PricePlanViewSet, basename="price-plan")
router.register("promotions", products_api.PromotionViewSet, basename="promotion")
router.register("subscriptions", subscriptions_api.SubscriptionViewSet, basename="subscription")
router.register("invoices", billing_api.InvoiceViewSet, basename="invoice")
router.register("payments", billing_api.PaymentViewSet, basename="payment")
router.register("billing-runs", billing_api.BillingRunViewSet, basename="billing-run")
router.register("credit-notes", billing_api.CreditNoteViewSet, basename="credit-note")
# --- collections API (dunning/api/<part>.py): engine, runs, holds ---
router.register(  # runs
    "disconnection-runs", dunning_runs_api.ServiceRunViewSet, basename="disconnection-run"
)
router.register(
    "dunning/accounts", dunning_engine_api.DunningAccountViewSet, basename="dunning-account"
)
router.register("promises-to-pay", holds_api.PromiseToPayViewSet, basename="promise-to-pay")
# --- portal API (portal/api.py): the subscriber's own objects only ---
router.register("portal/invoices", portal_api.PortalInvoiceViewSet, basename="portal-invoice")
router.register("portal/payments", portal_api.PortalPaymentViewSet, basename="portal-payment")
router.register(
    "portal/subscriptions", portal_api.PortalSubscriptionViewSet, basename="portal-subscription"
)
router.register("portal/requests", portal_api.PortalRequestViewSet, basename="portal-request")
api_urls = [
    *router.urls,
    path("portal/me/", portal_api.PortalMeView.as_view(), name="portal-me"),  # portal API
    path("quotes/price", products_api.QuotePriceView.as_view(), name="quote-price"),
    path("vouchers/redeem", billing_api.VoucherRedeemView.as_view(), name="voucher-redeem"),
]

auth_urls = [
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("two-factor/", core_views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/setup/", core_views.two_factor_setup, name="two_factor_setup"),
]

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    *auth_urls,
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("alux_crm.core.urls")),
    path("", include("customers.urls")),
    path("", include("products.urls")),
    path("", include("subscriptions.urls")),
    path("", include("billing.urls")),
    path("", include("dunning.urls")),
    path("", include("portal.urls")),
    path("", include("cases.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_urls, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

admin.site.site_header = "AluxSat CRM"
admin.site.site_title = "AluxSat CRM"
admin.site.login = core_views.LoginView.as_view()
