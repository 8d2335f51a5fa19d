"""PDF rendering (contracts, invoices, letters) with WeasyPrint from HTML templates."""

from django.template.loader import render_to_string


def render_pdf(html: str) -> bytes:
    """HTML to PDF. WeasyPrint is imported here: it is slow to import and only the
    processes that render need it."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def render_template_pdf(template: str, context: dict) -> bytes:
    """A Django template rendered to PDF."""
    return render_pdf(render_to_string(template, context))
