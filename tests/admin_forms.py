"""Turn an admin form page into the POST data a browser would send back unchanged."""

from django import forms


def _put(data: dict, key: str, field: forms.Field, value) -> None:
    if isinstance(field, forms.BooleanField):
        if value:
            data[key] = "on"
    elif isinstance(field, forms.MultiValueField):
        parts = field.widget.decompress(value) if value else []
        for index in range(len(field.fields)):
            part = parts[index] if index < len(parts) else None
            data[f"{key}_{index}"] = "" if part is None else str(part)
    elif value is None:
        data[key] = ""
    elif isinstance(value, list | tuple):
        data[key] = [str(getattr(v, "pk", v)) for v in value]
    else:
        data[key] = str(getattr(value, "pk", value))


def _form_into(data: dict, form: forms.BaseForm) -> None:
    for name, field in form.fields.items():
        if not field.disabled:
            _put(data, form.add_prefix(name), field, form[name].value())


def admin_form_data(response, **changes) -> dict:
    """The data of the admin change/add page in `response`, with `changes` applied."""
    data = {}
    _form_into(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _form_into(data, formset.management_form)
        for form in formset.forms:
            _form_into(data, form)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
