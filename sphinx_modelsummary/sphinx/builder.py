"""``sphinx-build -b modelcheck``: run every model directive's checks, write no pages.

Writes ``modelcheck.json`` (one entry per directive) and ``modelcheck.xml``
(JUnit, one test case per directive) into the output folder for CI, and prints
one line per model.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from xml.etree import ElementTree

from docutils import nodes
from sphinx.builders import Builder
from sphinx.util import logging

from ..report import format_count
from .domain import CheckResult, domain_of

logger = logging.getLogger(__name__)


class ModelCheckBuilder(Builder):
    name = "modelcheck"
    epilog = "Model checks written to %(outdir)s/modelcheck.json and modelcheck.xml."
    allow_parallel = True

    def get_outdated_docs(self) -> Iterable[str]:
        return self.env.found_docs

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        return docname

    def prepare_writing(self, docnames: set[str]) -> None:
        """Nothing to prepare: this builder writes no pages."""

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        """Nothing to write per page: the results were gathered while reading."""

    def finish(self) -> None:
        results = domain_of(self.env).results()
        for result in results:
            logger.info(_line(result))
        os.makedirs(self.outdir, exist_ok=True)
        with open(os.path.join(self.outdir, "modelcheck.json"), "w", encoding="utf-8") as file:
            json.dump(_json(results), file, indent=2, sort_keys=True)
            file.write("\n")
        _junit(results).write(
            os.path.join(self.outdir, "modelcheck.xml"), encoding="utf-8", xml_declaration=True
        )


def _line(result: CheckResult) -> str:
    counts = ", ".join(f"{key} {format_count(value)}" for key, value in result.actual.items())
    verdict = result.status.upper()
    return f"{verdict:5} {result.docname}:{result.lineno} {result.target}" + (
        f" ({counts})" if counts else ""
    )


def _json(results: list[CheckResult]) -> dict:
    entries = [
        {
            "document": result.docname,
            "line": result.lineno,
            "directive": result.directive,
            "target": result.target,
            "expected": result.expected,
            "actual": result.actual,
            "status": result.status,
            "messages": result.messages,
        }
        for result in results
    ]
    statuses = [result.status for result in results]
    return {
        "summary": {
            "total": len(results),
            "ok": statuses.count("ok"),
            "drift": statuses.count("drift"),
            "error": statuses.count("error"),
        },
        "results": entries,
    }


def _junit(results: list[CheckResult]) -> ElementTree.ElementTree:
    statuses = [result.status for result in results]
    suite = ElementTree.Element(
        "testsuite",
        name="modelcheck",
        tests=str(len(results)),
        failures=str(statuses.count("drift")),
        errors=str(statuses.count("error")),
    )
    for result in results:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=result.docname,
            name=f"line {result.lineno}: {result.directive} {result.target}",
        )
        if result.status != "ok":
            tag = "failure" if result.status == "drift" else "error"
            problem = ElementTree.SubElement(case, tag, message=result.messages[0][:200])
            problem.text = "\n".join(result.messages)
    return ElementTree.ElementTree(suite)
