from django.urls import path

from guanxi.customers.views import detail, duplicates, exports, lists, settings

app_name = "customers"
urlpatterns = [
    # lists, search, bulk actions, saved views (views/lists.py)
    path("", lists.customer_list, name="customer_list"),
    path("search/", lists.search, name="search"),
    path("export.csv", exports.customer_export, name="customer_export"),
    # exports through jobs (views/exports.py)
    path("export/<str:fmt>/", exports.customer_export_job, name="customer_export_job"),
    path("contacts/export/<str:fmt>/", exports.contact_export_job, name="contact_export_job"),
    path(
        "<int:customer_id>/export.pdf",
        exports.customer_profile_export,
        name="customer_profile_export",
    ),
    path("exports/<str:job_id>/download/", exports.export_download, name="export_download"),
    path("bulk/", lists.customer_bulk_action, name="customer_bulk_action"),
    path("contacts/", lists.contact_list, name="contact_list"),
    path("views/save/", lists.saved_view_create, name="saved_view_create"),
    path("views/<int:saved_view_id>/delete/", lists.saved_view_delete, name="saved_view_delete"),
    # one customer: form, 360 page and what hangs off it (views/detail.py)
    path("create/", detail.customer_create, name="customer_create"),
    path("<int:customer_id>/", detail.customer_detail, name="customer_detail"),
    path("<int:customer_id>/update/", detail.customer_update, name="customer_update"),
    path("<int:customer_id>/delete/", detail.customer_delete, name="customer_delete"),
    path("<int:customer_id>/transfer/", detail.customer_transfer, name="customer_transfer"),
    path("<int:customer_id>/panels/", detail.customer_panels, name="customer_panels"),
    path("<int:customer_id>/timeline/", detail.customer_timeline, name="customer_timeline"),
    path("<int:customer_id>/history/", detail.customer_history, name="customer_history"),
    path("<int:customer_id>/contacts/create/", detail.contact_create, name="contact_create"),
    path(
        "<int:customer_id>/interactions/create/",
        detail.interaction_create,
        name="interaction_create",
    ),
    path("contacts/<int:contact_id>/update/", detail.contact_update, name="contact_update"),
    path("contacts/<int:contact_id>/delete/", detail.contact_delete, name="contact_delete"),
    path(
        "interactions/<int:interaction_id>/update/",
        detail.interaction_update,
        name="interaction_update",
    ),
    path(
        "interactions/<int:interaction_id>/done/", detail.interaction_done, name="interaction_done"
    ),
    path(
        "interactions/<int:interaction_id>/delete/",
        detail.interaction_delete,
        name="interaction_delete",
    ),
    # duplicate finder and merge (views/duplicates.py)
    path("duplicates/", duplicates.duplicate_list, name="duplicate_list"),
    path("duplicates/find/", duplicates.duplicate_find, name="duplicate_find"),
    path(
        "duplicates/<int:pair_id>/dismiss/",
        duplicates.duplicate_dismiss,
        name="duplicate_dismiss",
    ),
    path("duplicates/<int:pair_id>/merge/", duplicates.customer_merge, name="customer_merge"),
    path("merges/<int:merge_id>/undo/", duplicates.customer_merge_undo, name="customer_merge_undo"),
    path(
        "duplicates/contacts/<int:pair_id>/dismiss/",
        duplicates.contact_duplicate_dismiss,
        name="contact_duplicate_dismiss",
    ),
    path(
        "duplicates/contacts/<int:pair_id>/merge/",
        duplicates.contact_merge_view,
        name="contact_merge",
    ),
    path(
        "contact-merges/<int:merge_id>/undo/",
        duplicates.contact_merge_undo_view,
        name="contact_merge_undo",
    ),
    # tags and custom fields (views/settings.py)
    path("tags/", settings.tag_list, name="tag_list"),
    path("tags/create/", settings.tag_create, name="tag_create"),
    path("tags/<int:tag_id>/update/", settings.tag_update, name="tag_update"),
    path("tags/<int:tag_id>/delete/", settings.tag_delete, name="tag_delete"),
    path("tag-groups/create/", settings.tag_group_create, name="tag_group_create"),
    path("custom-fields/", settings.custom_field_list, name="custom_field_list"),
    path("custom-fields/create/", settings.custom_field_create, name="custom_field_create"),
    path(
        "custom-fields/<int:custom_field_id>/update/",
        settings.custom_field_update,
        name="custom_field_update",
    ),
]
