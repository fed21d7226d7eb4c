"""Product carbon labels from published PACT footprints: ``content`` (the documented label
object), ``qr`` (QR code to the public label page), ``svg``, ``html`` (public page and the PDF's
source), ``pdf`` (weasyprint, CJK fonts embedded), ``render`` (format dispatch)."""
