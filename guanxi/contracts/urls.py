"""Contracts, payment plans and payments received (回款)."""

from django.urls import path

from guanxi.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.contract_list, name="contract_list"),
    path("create/", views.contract_create, name="contract_create"),
    path("customers/", views.customer_options, name="customer_options"),
    path("receivables/", views.receivables, name="receivables"),
    path("settings/numbering/", views.sequence_settings, name="sequence_settings"),
    path("<int:contract_id>/", views.contract_detail, name="contract_detail"),
    path("<int:contract_id>/update/", views.contract_update, name="contract_update"),
    path("<int:contract_id>/delete/", views.contract_delete, name="contract_delete"),
    path("<int:contract_id>/steps/<slug:step>/", views.contract_step, name="contract_step"),
    path("<int:contract_id>/plan/", views.plan_update, name="plan_update"),
    path("<int:contract_id>/payments/", views.payment_create, name="payment_create"),
    path(
        "<int:contract_id>/payments/<int:payment_id>/delete/",
        views.payment_delete,
        name="payment_delete",
    ),
    path("<int:contract_id>/files/", views.file_upload, name="file_upload"),
    path(
        "<int:contract_id>/files/quote-pdf/",
        views.file_attach_quote_pdf,
        name="file_attach_quote_pdf",
    ),
    path("<int:contract_id>/files/<int:file_id>/", views.file_download, name="file_download"),
    path("<int:contract_id>/files/<int:file_id>/delete/", views.file_delete, name="file_delete"),
]
