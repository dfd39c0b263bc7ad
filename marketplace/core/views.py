"""Small helpers the views of every domain share."""

from flask import render_template


def render_form(template: str, form, **context):
    """Render a form page; a form that came back with errors answers 422 so clients can tell."""
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status


def errors_text(*fields) -> str:
    """A form's field errors as one sentence for a flash message (messages may be lazy strings)."""
    return " ".join(str(error) for field in fields for error in field.errors)
