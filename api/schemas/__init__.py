"""Response models of the API, by domain, with the functions that shape results into them.

The CLI's ``--json`` output uses the same shaping functions, so both print the same keys.
"""
