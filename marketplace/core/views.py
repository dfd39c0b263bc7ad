"""Small helpers the views of every domain share."""

from flask import flash, render_template

from marketplace.core.errors import DomainError, InvalidDetails, NotFound, NotPermitted


def render_form(template: str, form, **context):
    """Render a form page; a form that came back with errors answers 422 so clients can tell."""
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status


def attach_field_errors(form, error: InvalidDetails) -> None:
    """Show a service's field errors beside the form's fields; one for a field the form lacks goes under the
    first field, so no message is lost."""
    first_field = next(field for name, field in form._fields.items() if name != "csrf_token")
    for name, message in error.field_errors.items():
        target = form._fields.get(name, first_field)
        target.errors = [*target.errors, message]


def flash_refusal(error: DomainError) -> None:
    """Show a business rule's refusal on the page the person goes back to. "Not found" and "not permitted" are
    not refusals to read over: they go on to their error page (404, 403) through the global handler."""
    if isinstance(error, NotFound | NotPermitted):
        raise error
    flash(error.message, "error")


def errors_text(*fields) -> str:
    """A form's field errors as one sentence for a flash message (messages may be lazy strings)."""
    return " ".join(str(error) for field in fields for error in field.errors)


def private_download(content, filename: str, mimetype: str, *, inline: bool = False):
    """A file for one person (a PDF, a CSV, bytes or a stream of lines): never kept by a shared cache or proxy."""
    from flask import Response, stream_with_context

    body = content if isinstance(content, bytes | str) else stream_with_context(content)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def private_file(stored):
    """A file kept in private storage (a `StoredUpload`), for a person already allowed to see it: shown inline,
    never kept by a shared cache or proxy; 404 when the file is gone."""
    from flask import abort, send_file

    from marketplace.core.storage import get_private_storage

    path = get_private_storage().local_path(stored.storage_key)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=stored.content_type, download_name=stored.original_filename,
                         as_attachment=False, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
