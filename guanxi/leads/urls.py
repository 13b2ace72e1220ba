"""线索: lead entry, assignment rules and conversion."""

from django.urls import path

from guanxi.leads import views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="lead_list"),
    path("create/", views.lead_create, name="lead_create"),
    path("<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("<int:lead_id>/update/", views.lead_update, name="lead_update"),
    path("<int:lead_id>/follow-ups/", views.lead_activity_create, name="lead_activity_create"),
    path("<int:lead_id>/disqualify/", views.lead_disqualify, name="lead_disqualify"),
    path("<int:lead_id>/convert/", views.lead_convert, name="lead_convert"),
    path("<int:lead_id>/delete/", views.lead_delete, name="lead_delete"),
    path("customers/", views.customer_options, name="customer_options"),
    path("assignment-rules/", views.assignment_rule_list, name="assignment_rule_list"),
    path(
        "assignment-rules/<int:team_id>/",
        views.assignment_rule_edit,
        name="assignment_rule_edit",
    ),
]
