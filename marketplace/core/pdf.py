"""What every PDF the application draws with reportlab shares."""


def paragraph_text(text) -> str:
    """Text for a reportlab Paragraph, which reads a little markup: &, < and > are written as entities."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
