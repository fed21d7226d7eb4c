"""PACT (WBCSD Partnership for Carbon Transparency) Technical Specifications v3.0 (and v2.3 views).

``units`` (declared units), ``geography``, ``decimals`` (decimal strings), ``model_v3`` /
``model_v2`` (pydantic models of the ProductFootprint), ``validation`` (spec rules → errors),
``build`` (a solved product → a v3 document), ``publish`` (ids, immutability, deprecation),
``v2`` (derived v2.3 views), ``filters`` (ListFootprints criteria), ``importer`` (supplier
footprints in), ``client`` (talking to a partner's host).
"""
