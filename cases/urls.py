"""URLs of the agents' case pages; every name is declared in core/access.py."""

from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("cases/<int:pk>/attachment/", views.case_attachment, name="case_attachment"),
]
