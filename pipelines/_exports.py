"""Lazy package exports: ``from pipelines.extract import extract_article`` loads only the module
that defines the name, on first use.

Each stage package exports its public names from its ``__init__``, but importing the package
must stay cheap: the crawl's main process reads ``pipelines.extract``'s settings and pool
without ever importing the extractor itself (trafilatura and the reference patterns, ~0.3 s
of start-up that only the extraction workers need).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, exports: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``exports`` maps a name to its submodule."""
    namespace = import_module(package).__dict__

    def get_attribute(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        namespace[name] = value  # the next lookup finds it without this function
        return value

    def names() -> list[str]:
        return sorted({*namespace, *exports})

    return get_attribute, names
