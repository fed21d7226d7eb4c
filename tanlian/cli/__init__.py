"""The ``tanlian`` command line (typer + rich): data in and out, computations, the server.

:mod:`tanlian.cli.app` holds the Typer app and the shared options; each sibling module is one
command group that registers its commands on it. Importing this package registers them all.
"""

from tanlian.cli import (  # noqa: F401  (register commands)
    accounts,
    audit,
    brightway,
    data,
    lca,
    pact,
    reduction,
    serve,
    store,
)
from tanlian.cli.app import app

__all__ = ["app"]
