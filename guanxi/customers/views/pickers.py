"""The customer picker's search answer, shared by every form that picks a customer
(tasks, orders, quotes, opportunities, contracts, lead conversion). Each app's view
checks its own permission first, then answers with this."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from guanxi.customers.selectors import CustomerFilter, customer_list

CUSTOMER_PICKER_LIMIT = 20


def customer_picker_json(request: HttpRequest, *, action: str = "view") -> JsonResponse:
    """Customers the user may `action` whose name, pinyin, phone… match `q`, as Tom
    Select options; no query, no options."""
    query = (request.GET.get("q") or "").strip()[:100]
    if not query:
        return JsonResponse({"items": []})
    customers = customer_list(actor=request.user, filters=CustomerFilter(q=query), action=action)
    items = [{"value": c.pk, "text": c.name} for c in customers[:CUSTOMER_PICKER_LIMIT]]
    return JsonResponse({"items": items})
