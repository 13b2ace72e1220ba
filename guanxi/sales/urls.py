from django.urls import path

from guanxi.sales.views import orders, products

app_name = "sales"
urlpatterns = [
    path("products/", products.product_list, name="product_list"),
    path("products/create/", products.product_create, name="product_create"),
    path("products/<int:product_id>/update/", products.product_update, name="product_update"),
    path("products/<int:product_id>/delete/", products.product_delete, name="product_delete"),
    path("price-lists/", products.price_list_list, name="price_list_list"),
    path("price-lists/create/", products.price_list_create, name="price_list_create"),
    path(
        "price-lists/<int:price_list_id>/update/",
        products.price_list_update,
        name="price_list_update",
    ),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/create/", orders.order_create, name="order_create"),
    path("orders/export.csv", orders.order_export, name="order_export"),
    path("orders/line-price/", orders.order_line_price, name="order_line_price"),
    path("orders/customers/", orders.customer_options, name="customer_options"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/update/", orders.order_update, name="order_update"),
    path("orders/<int:order_id>/delete/", orders.order_delete, name="order_delete"),
]
