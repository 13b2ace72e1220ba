"""Quotes over the REST API: CRUD with ETag/If-Match, send/accept/reject, convert to
an order, the PDF (rendered on the fly or saved with the quote)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Query, Status

from guanxi.customers.api._common import deleted_get
from guanxi.platform.api_errors import READ_ERRORS, WRITE_ERRORS
from guanxi.platform.api_support import (
    Id,
    IfMatch,
    changes_of,
    expected_version,
    keyset_page_out,
    set_etag,
)
from guanxi.platform.exceptions import NotFound
from guanxi.platform.money_words import amount_in_chinese_capitals
from guanxi.sales import selectors, services
from guanxi.sales.api._common import payload_lines, router
from guanxi.sales.models import Quote, QuotePdf
from guanxi.sales.quote_pdf import quote_pdf_bytes, quote_pdf_filename
from guanxi.sales.quote_schemas import (
    QuoteActionIn,
    QuoteFilter,
    QuoteIn,
    QuoteOut,
    QuotePageOut,
    QuotePatchIn,
    QuotePdfOut,
    QuoteRejectIn,
)

PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The quote as a PDF",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _pdf_out(quote: Quote, document: QuotePdf) -> dict[str, Any]:
    return {
        "id": document.pk,
        "filename": document.filename,
        "size": document.size,
        "sha256": document.sha256,
        "quote_version": document.quote_version,
        "created_at": document.created_at,
        "url": f"/api/v1/quotes/{quote.pk}/pdfs/{document.pk}",
    }


def _quote_out(quote: Quote) -> dict[str, Any]:
    owner = quote.owner
    return {
        "id": quote.pk,
        "version": quote.version,
        "number": quote.number,
        "customer": quote.customer_id,
        "customer_name": quote.customer.name,
        "contact": quote.contact_id,
        "opportunity": quote.opportunity_id,
        "title": quote.title,
        "owner": quote.owner_id,
        "owner_name": str(owner) if owner is not None else None,
        "issued_on": quote.issued_on,
        "valid_until": quote.valid_until,
        "status": quote.status,
        "currency": quote.currency,
        "discount_percent": quote.discount_percent,
        "tax_rate": quote.tax_rate,
        "subtotal": quote.subtotal,
        "discount_amount": quote.discount_amount,
        "tax_amount": quote.tax_amount,
        "total": quote.total,
        "total_in_words": amount_in_chinese_capitals(quote.total),
        "terms": quote.terms,
        "notes": quote.notes,
        "rejection_reason": quote.rejection_reason,
        "sent_at": quote.sent_at,
        "decided_at": quote.decided_at,
        "order": quote.order_id,
        "lines": [
            {
                "id": line.pk,
                "position": line.position,
                "product": line.product_id,
                "product_sku": line.product.sku if line.product is not None else None,
                "description": line.description,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "discount_percent": line.discount_percent,
                "amount": line.amount,
            }
            for line in quote.lines.all()
        ],
        "pdfs": [_pdf_out(quote, document) for document in quote.pdfs.all()],
        "created_at": quote.created_at,
        "updated_at": quote.updated_at,
    }


def _answer(request: HttpRequest, response: HttpResponse, written: Quote) -> dict[str, Any]:
    """The quote as stored, re-read through the selector (with lines and PDFs)."""
    try:
        quote = selectors.quote_get(actor=request.user, quote_id=written.pk)
    except NotFound:
        quote = written
    set_etag(response, quote.version)
    return _quote_out(quote)


@router.get("/quotes", response={200: QuotePageOut, **READ_ERRORS})
def quote_list(request: HttpRequest, filters: Query[QuoteFilter]) -> dict[str, Any]:
    """Quotes of the customers in your scope, newest first by default."""
    qs = selectors.quote_list(
        actor=request.user,
        filters=selectors.QuoteFilter(
            q=filters.q,
            customer=filters.customer,
            owner=filters.owner,
            status=filters.status,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    ).prefetch_related("lines__product", "pdfs")
    return keyset_page_out(
        qs,
        ordering=selectors.QUOTE_SORTS[filters.sort],
        cursor=filters.cursor,
        limit=filters.limit,
        render=_quote_out,
    )


@router.get("/quotes/{quote_id}", response={200: QuoteOut, **READ_ERRORS})
def quote_get(request: HttpRequest, quote_id: Id, response: HttpResponse) -> Any:
    """One quote with its lines and saved PDFs; the ETag carries its version for If-Match."""
    return _answer(request, response, selectors.quote_get(actor=request.user, quote_id=quote_id))


@router.post("/quotes", response={201: QuoteOut, **WRITE_ERRORS})
def quote_create(request: HttpRequest, payload: QuoteIn, response: HttpResponse) -> Status:
    """Create a draft quote with its lines; amounts, discount, tax and total are computed."""
    fields = changes_of(payload, exclude={"customer", "lines"})
    quote = services.quote_create(
        actor=request.user, customer=payload.customer, lines=payload_lines(payload), **fields
    )
    return Status(201, _answer(request, response, quote))


@router.patch("/quotes/{quote_id}", response={200: QuoteOut, **WRITE_ERRORS})
def quote_update(
    request: HttpRequest,
    quote_id: Id,
    payload: QuotePatchIn,
    response: HttpResponse,
    if_match: IfMatch = None,
) -> Any:
    """Change the fields sent (`lines` replaces all lines). Stale `If-Match` -> 409.

    An accepted quote cannot be changed; a sent, rejected or expired one goes back to draft.
    """
    quote = selectors.quote_get(actor=request.user, quote_id=quote_id, action="change")
    updated = services.quote_update(
        actor=request.user,
        quote=quote,
        expected_version=expected_version(if_match, payload.version),
        lines=payload_lines(payload),
        **changes_of(payload, exclude={"version", "lines"}),
    )
    return _answer(request, response, updated)


@router.delete("/quotes/{quote_id}", response={204: None, **WRITE_ERRORS})
def quote_delete(request: HttpRequest, quote_id: Id) -> Status:
    """Move to the recycle bin (restore with POST .../restore)."""
    quote = selectors.quote_get(actor=request.user, quote_id=quote_id, action="delete")
    services.quote_delete(actor=request.user, quote=quote)
    return Status(204, None)


@router.post("/quotes/{quote_id}/restore", response={200: QuoteOut, **WRITE_ERRORS})
def quote_restore(request: HttpRequest, quote_id: Id, response: HttpResponse) -> Any:
    """Bring a quote back from the recycle bin (a live one is answered as it is)."""
    quote = deleted_get(request, Quote, quote_id)
    if quote is not None:
        services.quote_restore(actor=request.user, instance=quote)
    return quote_get(request, quote_id, response)


def _action(
    request: HttpRequest,
    quote_id: int,
    payload: QuoteActionIn | None,
    if_match: str | None,
) -> tuple[Quote, int | None]:
    quote = selectors.quote_get(actor=request.user, quote_id=quote_id, action="change")
    version = expected_version(if_match, payload.version if payload is not None else None)
    return quote, version


@router.post("/quotes/{quote_id}/send", response={200: QuoteOut, **WRITE_ERRORS})
def quote_send(
    request: HttpRequest,
    quote_id: Id,
    response: HttpResponse,
    payload: QuoteActionIn | None = None,
    if_match: IfMatch = None,
) -> Any:
    """Mark a draft quote as sent to the customer."""
    quote, version = _action(request, quote_id, payload, if_match)
    sent = services.quote_send(actor=request.user, quote=quote, expected_version=version)
    return _answer(request, response, sent)


@router.post("/quotes/{quote_id}/accept", response={200: QuoteOut, **WRITE_ERRORS})
def quote_accept(
    request: HttpRequest,
    quote_id: Id,
    response: HttpResponse,
    payload: QuoteActionIn | None = None,
    if_match: IfMatch = None,
) -> Any:
    """The customer accepted a draft or sent quote (refused once its validity has passed)."""
    quote, version = _action(request, quote_id, payload, if_match)
    accepted = services.quote_accept(actor=request.user, quote=quote, expected_version=version)
    return _answer(request, response, accepted)


@router.post("/quotes/{quote_id}/reject", response={200: QuoteOut, **WRITE_ERRORS})
def quote_reject(
    request: HttpRequest,
    quote_id: Id,
    response: HttpResponse,
    payload: QuoteRejectIn | None = None,
    if_match: IfMatch = None,
) -> Any:
    """The customer declined a draft or sent quote; `reason` is kept."""
    quote, version = _action(request, quote_id, payload, if_match)
    rejected = services.quote_reject(
        actor=request.user,
        quote=quote,
        expected_version=version,
        reason=payload.reason if payload is not None else "",
    )
    return _answer(request, response, rejected)


@router.post("/quotes/{quote_id}/convert", response={201: QuoteOut, **WRITE_ERRORS})
def quote_convert(request: HttpRequest, quote_id: Id, response: HttpResponse) -> Status:
    """Turn an accepted quote into an order (`order` in the answer is its id)."""
    quote = selectors.quote_get(actor=request.user, quote_id=quote_id, action="change")
    services.quote_convert_to_order(actor=request.user, quote=quote)
    return Status(201, _answer(request, response, quote))


@router.get(
    "/quotes/{quote_id}/pdf",
    response={200: None, **READ_ERRORS},
    openapi_extra=PDF_RESPONSE,
)
def quote_pdf(request: HttpRequest, quote_id: Id) -> HttpResponse:
    """The quote as a PDF in Chinese, rendered now (totals also in capital numerals)."""
    quote = selectors.quote_get(actor=request.user, quote_id=quote_id)
    response = HttpResponse(quote_pdf_bytes(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{quote_pdf_filename(quote)}"'
    return response


@router.post("/quotes/{quote_id}/pdfs", response={201: QuotePdfOut, **WRITE_ERRORS})
def quote_pdf_save(request: HttpRequest, quote_id: Id) -> Status:
    """Render the PDF now and keep it with the quote (to attach to a contract later)."""
    quote = selectors.quote_get(actor=request.user, quote_id=quote_id, action="change")
    document = services.quote_pdf_save(actor=request.user, quote=quote)
    return Status(201, _pdf_out(quote, document))


@router.get(
    "/quotes/{quote_id}/pdfs/{pdf_id}",
    response={200: None, **READ_ERRORS},
    openapi_extra=PDF_RESPONSE,
)
def quote_pdf_file(request: HttpRequest, quote_id: Id, pdf_id: Id) -> FileResponse:
    """A PDF saved with the quote, byte for byte as it was saved."""
    document = selectors.quote_pdf_get(actor=request.user, quote_id=quote_id, pdf_id=pdf_id)
    try:
        handle = document.file.open("rb")
    except OSError as error:  # the row outlived its file (restored backup without media)
        raise NotFound("quote pdf") from error
    return FileResponse(
        handle,
        as_attachment=True,
        filename=document.filename,
        content_type="application/pdf",
    )
