"""Read a rendered HTML form the way a browser submits it (for admin tests through the UI)."""

from bs4 import BeautifulSoup


def rendered_form(html: str | bytes, form_id: str) -> dict[str, list[str]]:
    """The fields ``<form id=form_id>`` would submit as it stands: inputs (checked boxes and
    radios only), selected options and textareas; no submit buttons or disabled controls."""
    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    if form is None:
        raise LookupError(form_id)
    data: dict[str, list[str]] = {}
    for control in form.find_all(["input", "select", "textarea"]):
        name = control.get("name")
        if not name or control.has_attr("disabled"):
            continue
        if control.name == "input":
            kind = control.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"} and not control.has_attr("checked"):
                continue
            value = control.get("value", "on" if kind in {"checkbox", "radio"} else "")
            data.setdefault(name, []).append(value)
        elif control.name == "select":
            chosen = control.find_all("option", selected=True)
            if not chosen and not control.has_attr("multiple"):
                chosen = control.find_all("option")[:1]
            for option in chosen:
                data.setdefault(name, []).append(option.get("value", option.get_text()))
        else:
            # A browser drops the one newline that follows <textarea>; html.parser keeps it.
            text = control.get_text()
            data.setdefault(name, []).append(text[1:] if text.startswith("\n") else text)
    return data


def hidden_input(html: str | bytes, form_id: str, name: str):
    """The ``<input>`` named ``name`` in ``<form id=form_id>``, or None."""
    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    return form.find("input", attrs={"name": name}) if form is not None else None
