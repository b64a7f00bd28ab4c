"""A web worker made ready before it takes its first request (decision 163).

A new gunicorn worker compiled every template, filled the URL resolver and read both languages'
catalogues on the requests it served first: at a million cases the load test's first twenty
seconds had a p95 of 1.1 s against 0.16 s once warm, and gunicorn recycles each worker after
`max_requests`. `warm_up()` does that work at the worker's start (gunicorn's `post_worker_init`
hook, deploy/gunicorn.conf.py), touching no database, cache or broker, so a worker that cannot
reach them starts as before and answers with the outage page. Nothing it meets stops a worker: a
template that cannot be compiled is logged and left to the page that asks for it, as before, and
the hook logs any other failure and lets the worker serve cold (gunicorn stops the whole server
when a worker fails to boot)."""

from __future__ import annotations

import gc
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation

__all__ = ["settle", "warm_up"]

# New objects the collector waits for before its first generation's collection (Python's: 700).
YOUNG_OBJECTS = 10_000

log = logging.getLogger(__name__)


def _template_names(directory: Path) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*.html"))


def warm_up() -> float:
    """Compile this project's templates, fill the URL resolver, read each language's catalogue;
    returns the seconds it took."""
    started = time.perf_counter()
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module and the URL configuration
    for code, _name in settings.LANGUAGES:
        # Activating a language reads its catalogues; the resolver keeps its names per language.
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018
    engine = engines["django"]
    for directory in engine.template_dirs:
        if not Path(directory).is_relative_to(settings.BASE_DIR) or ".venv" in Path(directory).parts:
            continue  # a library's templates are compiled when a page first asks for one
        for name in _template_names(Path(directory)):
            try:
                engine.get_template(name)
            except (TemplateDoesNotExist, TemplateSyntaxError):  # a fragment that is not a template
                log.debug("not compiled at warm-up: %s", name)
            except Exception:  # unreadable, not UTF-8...: that page answers 500 as it would have
                log.exception("template not compiled at warm-up: %s", name)
    return time.perf_counter() - started


def settle() -> None:
    """Leave what the worker has built so far (modules, compiled templates, URL patterns, the
    catalogues) out of the garbage collector's reckoning, and let it run less often (decision 165).

    Python's collector walks every tracked object in a full collection; a warm worker holds
    hundreds of thousands that live as long as it does, so a full collection, falling inside one
    request in a few, added 100-200 ms to it (the filled case page's p95, measured in process).
    `gc.freeze()` moves what exists now out of every collection; the larger first threshold
    (`URA_GC_YOUNG_OBJECTS`, 10,000) makes collections rarer, each finding what a request left.
    Nothing is kept longer than its references: reference counting frees almost everything, the
    collector only cycles."""
    gc.collect()
    gc.freeze()
    young = int(os.environ.get("URA_GC_YOUNG_OBJECTS", str(YOUNG_OBJECTS)))
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, old)
