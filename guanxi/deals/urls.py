from django.urls import path

from guanxi.deals.views import board, opportunities, pipelines

app_name = "deals"
urlpatterns = [
    path("", board.opportunity_board, name="opportunity_board"),
    path("opportunities/", opportunities.opportunity_list, name="opportunity_list"),
    path("opportunities/create/", opportunities.opportunity_create, name="opportunity_create"),
    path("opportunities/customers/", opportunities.customer_options, name="customer_options"),
    path(
        "opportunities/<int:opportunity_id>/",
        opportunities.opportunity_detail,
        name="opportunity_detail",
    ),
    path(
        "opportunities/<int:opportunity_id>/update/",
        opportunities.opportunity_update,
        name="opportunity_update",
    ),
    path(
        "opportunities/<int:opportunity_id>/move/",
        board.opportunity_move,
        name="opportunity_move",
    ),
    path(
        "opportunities/<int:opportunity_id>/win/",
        opportunities.opportunity_win,
        name="opportunity_win",
    ),
    path(
        "opportunities/<int:opportunity_id>/lose/",
        opportunities.opportunity_lose,
        name="opportunity_lose",
    ),
    path(
        "opportunities/<int:opportunity_id>/reopen/",
        opportunities.opportunity_reopen,
        name="opportunity_reopen",
    ),
    path(
        "opportunities/<int:opportunity_id>/delete/",
        opportunities.opportunity_delete,
        name="opportunity_delete",
    ),
    path("pipelines/", pipelines.pipeline_list, name="pipeline_list"),
    path("pipelines/create/", pipelines.pipeline_create, name="pipeline_create"),
    path("pipelines/<int:pipeline_id>/", pipelines.pipeline_update, name="pipeline_update"),
]
