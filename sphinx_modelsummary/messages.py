"""The messages between the engine and a worker: typed values, one encoder, one decoder.

One JSON object per line. The engine sends a :class:`Job`; the worker says
:class:`Started` when it begins it, then answers with the job's
:class:`~sphinx_modelsummary.request.Built` or
:class:`~sphinx_modelsummary.request.Failed`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .report import ModelReport
from .request import BuildRequest, Built, Failed
from .target import parse_target


@dataclass(frozen=True)
class Job:
    """A request to build, with the import path and folder of the process that asks."""

    request: BuildRequest
    sys_path: tuple[str, ...]
    cwd: str


@dataclass(frozen=True)
class Started:
    """The worker has begun the job: its start-up (importing the framework) is over, and the
    builder's timeout runs from here."""


Message = Job | Started | Built | Failed


def encode(message: Message) -> bytes:
    """The message as one line of JSON."""
    if isinstance(message, Job):
        request = message.request
        data: dict[str, Any] = {
            "type": "job",
            "target": str(request.target),
            "input_shapes": request.input_shapes,
            "input_dtype": request.input_dtype,
            "shape_only": request.shape_only,
            "keras_backend": request.keras_backend,
            "sys_path": list(message.sys_path),
            "cwd": message.cwd,
        }
    elif isinstance(message, Started):
        data = {"type": "started"}
    elif isinstance(message, Built):
        data = {
            "type": "built",
            "report": message.report.to_dict(),
            "source_files": list(message.source_files),
        }
    else:
        data = {
            "type": "failed",
            "kind": message.kind,
            "message": message.message,
            "source_files": list(message.source_files),
        }
    return json.dumps(data).encode() + b"\n"


def decode(line: bytes) -> Message:
    """The message that :func:`encode` wrote on this line."""
    data = json.loads(line)
    if data["type"] == "job":
        shapes = data["input_shapes"]
        request = BuildRequest(
            target=parse_target(data["target"]),
            input_shapes=tuple(tuple(shape) for shape in shapes) if shapes else None,
            input_dtype=data["input_dtype"],
            shape_only=data["shape_only"],
            keras_backend=data["keras_backend"],
        )
        return Job(request=request, sys_path=tuple(data["sys_path"]), cwd=data["cwd"])
    if data["type"] == "started":
        return Started()
    if data["type"] == "built":
        report = ModelReport.from_dict(data["report"])
        return Built(report=report, source_files=tuple(data["source_files"]))
    return Failed(data["kind"], data["message"], tuple(data["source_files"]))
