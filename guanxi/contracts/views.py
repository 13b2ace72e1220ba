"""Contract pages: list, create/edit, detail with plan, payments, files and the
approval steps, the receivables report and the numbering settings."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from guanxi.contracts import selectors, services
from guanxi.contracts.forms import (
    ContractFilterForm,
    ContractForm,
    FileForm,
    PaymentForm,
    PlanForm,
    SequenceForm,
)
from guanxi.contracts.models import Contract, ContractStatus
from guanxi.contracts.permissions import (
    ADD_CONTRACT,
    APPROVE_CONTRACT,
    CHANGE_CONTRACT,
    DELETE_CONTRACT,
    MANAGE_SEQUENCE,
    RECORD_PAYMENT,
    VIEW_CONTRACT,
)
from guanxi.contracts.services.files import CONTENT_TYPES, file_path, max_file_bytes
from guanxi.contracts.services.sequence import format_number, sequence_current
from guanxi.customers.selectors import customer_get
from guanxi.customers.views.detail import _save_versioned_form
from guanxi.customers.views.pickers import customer_picker_json
from guanxi.platform.exceptions import (
    ApplicationError,
    ConflictError,
    NotFound,
    ValidationError,
)
from guanxi.platform.forms import apply_field_errors
from guanxi.platform.pagination import keyset_page
from guanxi.platform.permissions import has_permission, require_page_permission

PAGE_SIZE = 50
STEPS = ("submit", "approve", "reject", "sign", "finish", "terminate")


def _contract(request: HttpRequest, contract_id: int, action: str = "view") -> Contract:
    try:
        return selectors.contract_get(actor=request.user, contract_id=contract_id, action=action)
    except NotFound as error:
        raise Http404(str(error)) from error


def _owners() -> list[Any]:
    from django.contrib.auth import get_user_model

    return list(
        get_user_model().objects.filter(is_active=True).order_by("display_name", "username")[:500]
    )


def _contacts(customer: Any) -> list[Any]:
    if customer is None:
        return []
    return list(customer.contacts.filter(deleted_at__isnull=True).order_by("name")[:200])


@login_required
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_CONTRACT)
    params = request.GET.copy()
    params.pop("cursor", None)
    form = ContractFilterForm(params or None, owners=selectors.owner_choices(actor=request.user))
    filters = form.to_filter()
    page = keyset_page(
        selectors.with_money(selectors.contract_list(actor=request.user, filters=filters)),
        ordering=selectors.CONTRACT_SORTS["-id"],
        cursor=request.GET.get("cursor") or None,
        size=PAGE_SIZE,
    )
    customer = None
    if filters.customer:
        try:
            customer = customer_get(actor=request.user, customer_id=filters.customer)
        except NotFound:
            customer = None
    context = {
        "form": form,
        "page": page,
        "customer": customer,
        "filter_query": params.urlencode(),
        "is_first_page": not request.GET.get("cursor"),
        "table_id": "contract-table",
        "today": timezone.localdate(),
        "can_add": has_permission(request.user, ADD_CONTRACT),
    }
    template = "contracts/contract_list.html"
    if getattr(request, "htmx", False):
        template += "#contract-table"
    return render(request, template, context)


def _source_of(request: HttpRequest) -> dict[str, Any]:
    """Initial values when the contract is made from a quote (?quote=) or an
    opportunity (?opportunity=) the user can see: customer, title, amount, links."""
    from guanxi.deals.selectors import opportunity_get
    from guanxi.sales.selectors import quote_get

    if request.method != "GET":
        return {}
    try:
        if request.GET.get("quote"):
            quote = quote_get(actor=request.user, quote_id=request.GET["quote"])
            return {
                "quote": quote.pk,
                "opportunity": quote.opportunity_id,
                "customer": quote.customer_id,
                "contact": quote.contact_id,
                "title": quote.title or quote.number,
                "amount": quote.total,
                "currency": quote.currency,
            }
        if request.GET.get("opportunity"):
            opportunity = opportunity_get(
                actor=request.user, opportunity_id=request.GET["opportunity"]
            )
            return {
                "opportunity": opportunity.pk,
                "customer": opportunity.customer_id,
                "contact": opportunity.contact_id,
                "title": opportunity.title,
                "amount": opportunity.amount,
                "currency": opportunity.currency,
            }
    except NotFound:
        return {}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, ADD_CONTRACT)
    today = timezone.localdate()
    initial: dict[str, Any] = {
        "owner": request.user.pk,
        "currency": "CNY",
        "start_on": today,
        "end_on": today + dt.timedelta(days=364),
        "remind_days_before_end": 30,
    }
    source = _source_of(request)
    initial.update(source)
    customer = None
    customer_id = (
        request.POST.get("customer") or request.GET.get("customer") or source.get("customer")
    )
    if customer_id:
        try:
            customer = customer_get(actor=request.user, customer_id=customer_id)
        except NotFound:
            customer = None
    initial["customer"] = getattr(customer, "pk", None)
    form = ContractForm(
        request.POST if request.method == "POST" else None,
        owners=_owners(),
        customer=customer,
        contacts=_contacts(customer),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_create(actor=request.user, **form.service_fields())
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(
                request, _("Contract %(number)s created.") % {"number": contract.number}
            )
            return redirect("contracts:contract_detail", contract_id=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form, "is_create": True})


@login_required
@require_http_methods(["GET", "POST"])
def contract_update(request: HttpRequest, contract_id: int) -> HttpResponse:
    require_page_permission(request, CHANGE_CONTRACT)
    contract = _contract(request, contract_id, action="change")
    owners = _owners()
    contacts = _contacts(contract.customer)

    def build(data: Any) -> ContractForm:
        return ContractForm(data, owners=owners, contacts=contacts, contract=contract)

    form = build(request.POST if request.method == "POST" else None)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict, form = _save_versioned_form(
            request,  # type: ignore[arg-type]
            form,
            lambda valid: services.contract_update(
                actor=request.user,
                contract=contract,
                expected_version=valid.cleaned_data["version"],
                **valid.service_fields(),
            ),
            build,
        )
        if saved:
            messages.success(request, _("Changes saved."))
            return redirect("contracts:contract_detail", contract_id=contract.pk)
    return render(
        request,
        "contracts/contract_form.html",
        {"form": form, "contract": contract, "is_create": False, "conflict": conflict},
    )


def _detail_context(
    request: HttpRequest,
    contract: Contract,
    *,
    payment_form: PaymentForm | None = None,
    file_form: FileForm | None = None,
) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    instalments = selectors.contract_instalments(contract, today=today)
    is_owner = contract.owner_id == user.pk
    can_change = (
        has_permission(user, CHANGE_CONTRACT)
        and selectors.contract_list(actor=user, action="change").filter(pk=contract.pk).exists()
    )
    can_approve = has_permission(user, APPROVE_CONTRACT)
    status = contract.status
    steps = {
        "submit": can_change and status == ContractStatus.DRAFT and (is_owner or can_approve),
        "approve": can_approve
        and status == ContractStatus.IN_APPROVAL
        and not contract.approved_at,
        "reject": can_approve and status == ContractStatus.IN_APPROVAL,
        "sign": can_change and status == ContractStatus.IN_APPROVAL and bool(contract.approved_at),
        "finish": can_change and status == ContractStatus.SIGNED,
        "terminate": can_change
        and status in (ContractStatus.DRAFT, ContractStatus.IN_APPROVAL, ContractStatus.SIGNED),
    }
    can_pay = has_permission(user, RECORD_PAYMENT) and status in (
        ContractStatus.SIGNED,
        ContractStatus.FINISHED,
    )
    if payment_form is None:
        first_open = next((item for item in instalments if item.pay_status != "paid"), None)
        payment_form = PaymentForm(
            instalments=instalments,
            initial={
                "received_on": today,
                "amount": min(first_open.outstanding, contract.outstanding)
                if first_open
                else (contract.outstanding if contract.outstanding > 0 else None),
                "instalment": first_open.pk if first_open else None,
            },
        )
    return {
        "contract": contract,
        "today": today,
        "instalments": instalments,
        "overdue_count": sum(1 for item in instalments if item.pay_status == "overdue"),
        "payments": selectors.contract_payments(contract),
        "files": selectors.contract_files(contract),
        "approvals": selectors.contract_approvals(contract),
        "payment_form": payment_form,
        "file_form": file_form or FileForm(),
        "steps": steps,
        "can_change": can_change,
        "can_edit_plan": can_change
        and status not in (ContractStatus.FINISHED, ContractStatus.TERMINATED),
        "can_pay": can_pay,
        "can_delete": has_permission(user, DELETE_CONTRACT),
        "max_file_mb": max_file_bytes() // (1024 * 1024),
    }


@login_required
@require_GET
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    require_page_permission(request, VIEW_CONTRACT)
    contract = _contract(request, contract_id)
    return render(request, "contracts/contract_detail.html", _detail_context(request, contract))


@login_required
@require_POST
def contract_step(request: HttpRequest, contract_id: int, step: str) -> HttpResponse:
    """submit / approve / reject / sign / finish / terminate from the detail page."""
    if step not in STEPS:
        raise Http404
    require_page_permission(
        request, APPROVE_CONTRACT if step in ("approve", "reject") else CHANGE_CONTRACT
    )
    contract = _contract(
        request, contract_id, action="view" if step in ("approve", "reject") else "change"
    )
    text = (request.POST.get("comment") or "")[:2000]
    calls = {
        "submit": lambda: services.contract_submit(
            actor=request.user, contract=contract, comment=text
        ),
        "approve": lambda: services.contract_approve(
            actor=request.user, contract=contract, comment=text
        ),
        "reject": lambda: services.contract_reject(
            actor=request.user, contract=contract, comment=text
        ),
        "sign": lambda: services.contract_sign(
            actor=request.user, contract=contract, signed_on=request.POST.get("signed_on") or None
        ),
        "finish": lambda: services.contract_finish(actor=request.user, contract=contract),
        "terminate": lambda: services.contract_terminate(
            actor=request.user, contract=contract, reason=text
        ),
    }
    try:
        calls[step]()
    except ValidationError as error:
        details = "; ".join(message for values in error.field_errors.values() for message in values)
        messages.error(request, details or error.message)
    except (ConflictError, ApplicationError) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect("contracts:contract_detail", contract_id=contract.pk)


@login_required
@require_POST
def contract_delete(request: HttpRequest, contract_id: int) -> HttpResponse:
    require_page_permission(request, DELETE_CONTRACT)
    contract = _contract(request, contract_id, action="delete")
    services.contract_delete(actor=request.user, contract=contract)
    messages.success(request, _("Moved to the recycle bin."))
    return redirect("contracts:contract_list")


@login_required
@require_POST
def payment_create(request: HttpRequest, contract_id: int) -> HttpResponse:
    """Record a payment; htmx gets the money section back (plan, payments, totals)."""
    require_page_permission(request, RECORD_PAYMENT)
    contract = _contract(request, contract_id)
    instalments = selectors.contract_instalments(contract)
    form = PaymentForm(request.POST, instalments=instalments)
    is_recorded = False
    if form.is_valid():
        try:
            services.payment_record(actor=request.user, contract=contract, **form.cleaned_data)
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            if not getattr(request, "htmx", False):
                messages.success(request, _("Payment recorded."))
                return redirect("contracts:contract_detail", contract_id=contract.pk)
            form = None  # type: ignore[assignment]
            is_recorded = True
    contract = _contract(request, contract_id)
    context = _detail_context(request, contract, payment_form=form)
    context["is_recorded"] = is_recorded
    if getattr(request, "htmx", False):
        return render(request, "contracts/contract_detail.html#contract-money", context)
    return render(request, "contracts/contract_detail.html", context)


@login_required
@require_POST
def payment_delete(request: HttpRequest, contract_id: int, payment_id: int) -> HttpResponse:
    require_page_permission(request, RECORD_PAYMENT)
    contract = _contract(request, contract_id)
    try:
        payment = selectors.payment_get(
            actor=request.user, contract=contract, payment_id=payment_id
        )
    except NotFound as error:
        raise Http404(str(error)) from error
    services.payment_delete(actor=request.user, payment=payment)
    messages.success(request, _("Payment cancelled."))
    return redirect("contracts:contract_detail", contract_id=contract.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_update(request: HttpRequest, contract_id: int) -> HttpResponse:
    require_page_permission(request, CHANGE_CONTRACT)
    contract = _contract(request, contract_id, action="change")
    instalments = selectors.contract_instalments(contract)
    form = PlanForm(request.POST if request.method == "POST" else None, instalments=instalments)
    if request.method == "POST" and form.is_valid():
        rows = form.instalments()
        try:
            services.payment_plan_set(actor=request.user, contract=contract, instalments=rows)
        except ApplicationError as error:
            _plan_errors(form, error)
        else:
            messages.success(request, _("Payment plan saved."))
            return redirect("contracts:contract_detail", contract_id=contract.pk)
    return render(request, "contracts/plan_form.html", {"form": form, "contract": contract})


def _plan_errors(form: PlanForm, error: ApplicationError) -> None:
    """Service keys "instalments.N.field" count the non-blank rows; map them to form rows."""
    filled = [
        index
        for index in range(form.row_count)
        if form.cleaned_data.get(f"due_on_{index}") is not None
        or form.cleaned_data.get(f"amount_{index}") is not None
    ]
    field_errors = error.field_errors if isinstance(error, ValidationError) else {}
    placed = False
    for key, values in field_errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(filled):
            for message in values:
                form.add_error(f"{parts[2]}_{filled[int(parts[1])]}", message)
        else:
            for message in values:
                form.add_error(None, message)
        placed = True
    if not placed:
        form.add_error(None, error.message)


@login_required
@require_POST
def file_upload(request: HttpRequest, contract_id: int) -> HttpResponse:
    require_page_permission(request, CHANGE_CONTRACT)
    contract = _contract(request, contract_id, action="change")
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.contract_file_attach(
                actor=request.user, contract=contract, name=upload.name, content=upload
            )
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("File attached."))
            return redirect("contracts:contract_detail", contract_id=contract.pk)
    return render(
        request,
        "contracts/contract_detail.html",
        _detail_context(request, contract, file_form=form),
        status=422,
    )


@login_required
@require_POST
def file_attach_quote_pdf(request: HttpRequest, contract_id: int) -> HttpResponse:
    """One click: the PDF of the quote the contract was made from becomes an attachment."""
    require_page_permission(request, CHANGE_CONTRACT)
    contract = _contract(request, contract_id, action="change")
    try:
        services.contract_file_attach_quote_pdf(actor=request.user, contract=contract)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The quote's PDF is attached."))
    return redirect("contracts:contract_detail", contract_id=contract.pk)


@login_required
@require_GET
def file_download(request: HttpRequest, contract_id: int, file_id: int) -> FileResponse:
    require_page_permission(request, VIEW_CONTRACT)
    try:
        item = selectors.contract_file_get(
            actor=request.user, contract_id=contract_id, file_id=file_id
        )
    except NotFound as error:
        raise Http404(str(error)) from error
    path = file_path(item)
    if not path.is_file():
        raise Http404(_("The file is missing from storage."))
    response = FileResponse(
        path.open("rb"),
        as_attachment=request.GET.get("inline") != "1",
        filename=item.name,
        content_type=CONTENT_TYPES.get(item.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def file_delete(request: HttpRequest, contract_id: int, file_id: int) -> HttpResponse:
    require_page_permission(request, CHANGE_CONTRACT)
    _contract(request, contract_id, action="change")
    try:
        item = selectors.contract_file_get(
            actor=request.user, contract_id=contract_id, file_id=file_id
        )
    except NotFound as error:
        raise Http404(str(error)) from error
    services.contract_file_delete(actor=request.user, item=item)
    messages.success(request, _("File removed."))
    return redirect("contracts:contract_detail", contract_id=contract_id)


@login_required
@require_GET
def customer_options(request: HttpRequest) -> JsonResponse:
    """Customers in scope matching `q`, for the contract form's customer picker."""
    require_page_permission(request, ADD_CONTRACT)
    return customer_picker_json(request)


@login_required
@require_GET
def receivables(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, VIEW_CONTRACT)
    owners = selectors.owner_choices(actor=request.user)
    owner_id = None
    if owners is not None and (request.GET.get("owner") or "").isdigit():
        owner_id = int(request.GET["owner"])
    report = selectors.receivables_report(actor=request.user, owner_id=owner_id)
    if request.GET.get("format") == "csv":
        return _receivables_csv(report)
    return render(
        request,
        "contracts/receivables.html",
        {"report": report, "owners": owners, "owner_id": owner_id},
    )


def _safe_cell(value: Any) -> Any:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _receivables_csv(report: selectors.ReceivablesReport) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="receivables-{report.today:%Y%m%d}.csv"'
    )
    response.write("\ufeff")  # Excel opens UTF-8 Chinese text correctly with a BOM
    writer = csv.writer(response)
    header = [
        _("Not due"),
        _("1–30 days"),
        _("31–60 days"),
        _("61–90 days"),
        _("> 90 days"),
        _("Total"),
    ]
    for title, rows in ((_("Customer"), report.by_customer), (_("Owner"), report.by_owner)):
        writer.writerow([title, *header])
        for row in rows:
            writer.writerow([_safe_cell(row.label), *row.bucket_list(), row.total])
        writer.writerow([_("Total"), *report.totals.bucket_list(), report.totals.total])
        writer.writerow([])
    return response


@login_required
@require_http_methods(["GET", "POST"])
def sequence_settings(request: HttpRequest) -> HttpResponse:
    require_page_permission(request, MANAGE_SEQUENCE)
    sequence = sequence_current()
    form = SequenceForm(request.POST if request.method == "POST" else None, sequence=sequence)
    if request.method == "POST" and form.is_valid():
        try:
            services.sequence_update(
                actor=request.user,
                pattern=form.cleaned_data["pattern"],
                reset=form.cleaned_data["reset"],
                expected_version=form.cleaned_data["version"],
            )
        except ApplicationError as error:
            apply_field_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("contracts:sequence_settings")
    pattern = form.data.get("pattern") if form.is_bound else sequence.pattern
    try:
        example = format_number(
            str(pattern or ""), day=timezone.localdate(), value=sequence.last_value + 1
        )
    except (ValueError, TypeError):
        example = ""
    return render(
        request,
        "contracts/sequence_settings.html",
        {"form": form, "sequence": sequence, "example": example},
    )


def contract_url(contract: Contract) -> str:
    return reverse("contracts:contract_detail", args=[contract.pk])
