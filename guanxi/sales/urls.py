from django.urls import path

from guanxi.sales.views import orders, products, quotes

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
    path("quotes/", quotes.quote_list, name="quote_list"),
    path("quotes/create/", quotes.quote_create, name="quote_create"),
    path("quotes/customers/", quotes.quote_customer_options, name="quote_customer_options"),
    path("quotes/contacts/", quotes.quote_contact_options, name="quote_contact_options"),
    path("quotes/<int:quote_id>/", quotes.quote_detail, name="quote_detail"),
    path("quotes/<int:quote_id>/update/", quotes.quote_update, name="quote_update"),
    path("quotes/<int:quote_id>/delete/", quotes.quote_delete, name="quote_delete"),
    path("quotes/<int:quote_id>/send/", quotes.quote_send, name="quote_send"),
    path("quotes/<int:quote_id>/accept/", quotes.quote_accept, name="quote_accept"),
    path("quotes/<int:quote_id>/reject/", quotes.quote_reject, name="quote_reject"),
    path("quotes/<int:quote_id>/convert/", quotes.quote_convert, name="quote_convert"),
    path("quotes/<int:quote_id>/pdf/", quotes.quote_pdf, name="quote_pdf"),
    path("quotes/<int:quote_id>/pdfs/", quotes.quote_pdf_save, name="quote_pdf_save"),
    path(
        "quotes/<int:quote_id>/pdfs/<int:pdf_id>/",
        quotes.quote_pdf_file,
        name="quote_pdf_file",
    ),
]
