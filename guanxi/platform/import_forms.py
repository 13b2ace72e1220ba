"""Forms of the import wizard: upload, column mapping. They check shape only; the
import services read the file and validate the rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.platform.import_wizard import TargetChoice
from guanxi.platform.imports.engine import POLICIES
from guanxi.platform.imports.mapping import preset_names
from guanxi.platform.imports.selectors import import_mappings_for

PRESET_LABELS = {
    "hubspot": "HubSpot",
    "salesforce": "Salesforce",
    "zoho": "Zoho CRM",
    "wukong": "悟空CRM",
}
POLICY_LABELS = {
    "skip": _("Skip it"),
    "fill": _("Fill in empty fields"),
    "overwrite": _("Overwrite"),
    "create": _("Create anyway"),
}
POLICY_HELP = {
    "skip": _("A row that matches an existing record (same phone, e-mail or name) is left out."),
    "fill": _(
        "The existing record keeps what it has; only its empty fields get the file's values."
    ),
    "overwrite": _("The file's values replace the existing record's values."),
    "create": _("No duplicate check: every row becomes a new record."),
}
SAVED_SEPARATOR = ":"
BATCH_SIZES = [1, 50, 500, 5000]
DEFAULT_BATCH_SIZE = 500


class ImportUploadForm(forms.Form):
    target = forms.ChoiceField(label=_("Import into"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV, XLSX, XLS or vCard. Chinese encodings (GBK, Big5) are detected."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.txt,.xlsx,.xls,.vcf", "class": "form-control"}
        ),
    )
    preset = forms.ChoiceField(label=_("Exported from"), required=False)
    saved_mapping = forms.ChoiceField(label=_("Saved mapping"), required=False)

    def __init__(self, *args: Any, targets: list[TargetChoice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(choice.key, choice.label) for choice in targets]
        self.fields["preset"].choices = [("", _("Another program or my own sheet"))] + [
            (name, PRESET_LABELS.get(name, name)) for name in preset_names()
        ]
        saved: list[tuple[str, Any]] = [("", _("None: guess from the headers"))]
        for choice in targets:
            names = import_mappings_for(choice.key).values_list("name", flat=True)
            saved += [
                (f"{choice.key}{SAVED_SEPARATOR}{name}", f"{choice.label}: {name}")
                for name in names
            ]
        self.fields["saved_mapping"].choices = saved
        for name in ("target", "preset", "saved_mapping"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        saved = data.get("saved_mapping") or ""
        target = data.get("target")
        if saved and target:
            saved_target, _sep, name = saved.partition(SAVED_SEPARATOR)
            if saved_target != target:
                self.add_error(
                    "saved_mapping", _("This saved mapping is for another kind of record.")
                )
            data["saved_mapping_name"] = name
        else:
            data["saved_mapping_name"] = ""
        return data


class ImportMappingForm(forms.Form):
    """One select per file column (named col_<position>), then the import's options."""

    save_as = forms.CharField(
        label=_("Save this mapping as"),
        required=False,
        max_length=100,
        help_text=_("Give it a name to reuse it for the next file of this kind."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    policy = forms.ChoiceField(
        label=_("When a row matches an existing record"),
        choices=[(policy, POLICY_LABELS[policy]) for policy in POLICIES],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial="skip",
    )
    is_all_or_nothing = forms.BooleanField(
        label=_("All or nothing for the whole file"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_(
            "If any row has an error, nothing at all is imported. "
            "Otherwise only the batches with an error are left out."
        ),
    )

    batch_size = forms.TypedChoiceField(
        label=_("Rows per batch"),
        choices=[(size, str(size)) for size in BATCH_SIZES],
        coerce=int,
        initial=DEFAULT_BATCH_SIZE,
        help_text=_(
            "Each batch is imported completely or not at all, so a row with an error keeps "
            "the other rows of its batch out too (they are listed in the error report). "
            "Smaller batches leave fewer rows out but import more slowly."
        ),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(
        self, *args: Any, headers: list[str], fields: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("— do not import —"))] + [(key, label) for key, label in fields.items()]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                widget=forms.Select(attrs={"class": "form-select", "data-header": header}),
            )

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{index}"] for index in range(len(self.headers))]

    def policy_options(self) -> list[dict[str, Any]]:
        """The policy radios with their explanations, for the template."""
        return [
            {"radio": radio, "help": POLICY_HELP.get(radio.data["value"], "")}
            for radio in self["policy"]
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        mapping = {
            header: data.get(f"col_{index}") or "" for index, header in enumerate(self.headers)
        }
        if not any(mapping.values()):
            raise forms.ValidationError(
                _("Choose a field for at least one column."), code="nothing_mapped"
            )
        data["mapping"] = mapping
        return data


def mapping_initial(mapping: dict[str, str], headers: list[str], **options: Any) -> dict[str, Any]:
    """Initial form values: each column's field, plus policy / is_all_or_nothing / batch_size."""
    initial: dict[str, Any] = {
        f"col_{index}": mapping.get(header, "") for index, header in enumerate(headers)
    }
    initial.update(options)
    return initial
