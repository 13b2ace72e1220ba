from django.urls import path

from guanxi.pool import views

app_name = "pool"
urlpatterns = [
    path("", views.pool_list, name="pool_list"),
    path("claim/", views.pool_claim_bulk, name="pool_claim_bulk"),
    path("<str:kind>/<int:record_id>/claim/", views.pool_claim, name="pool_claim"),
    path("<str:kind>/<int:record_id>/release/", views.pool_release, name="pool_release"),
    path("history/", views.pool_history, name="pool_history"),
    path("due/", views.pool_due, name="pool_due"),
    path("rules/", views.pool_rule_list, name="pool_rule_list"),
    path("rules/create/", views.pool_rule_create, name="pool_rule_create"),
    path("rules/<int:rule_id>/", views.pool_rule_update, name="pool_rule_update"),
    path("rules/<int:rule_id>/delete/", views.pool_rule_delete, name="pool_rule_delete"),
]
