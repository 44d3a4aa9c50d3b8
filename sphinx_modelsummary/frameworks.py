"""One record per framework: everything the package asks about a framework, in one place.

A framework is documented by three things: its record here, its adapter module
(``adapters/<adapter>.py``, the only code that imports the framework) and its
layer-knowledge module (``formulas/<knowledge>.py``), plus an install extra in
``pyproject.toml``. Everything that asks "which framework?" reads the records:
the framework detection below, the worker processes (one per framework and
environment), the cache key (the installed versions), the default allowlist
(the model zoos) and ``model-compare`` across frameworks (layer names that mean
the same layer). This module imports no framework and no other part of the package
but the static source analysis, so anything may import it.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from types import MappingProxyType

from packaging.requirements import InvalidRequirement, Requirement

from .errors import BuildError, is_user_file, no_module_error
from .sources import find_module, imports_by_level, package_places
from .target import Target

#: Keras layer names (lower case, without 1D/2D/3D) and the PyTorch names of the same layer.
_KERAS_AS_TORCH = MappingProxyType(
    {
        "dense": "linear",
        "batchnormalization": "batchnorm",
        "layernormalization": "layernorm",
        "groupnormalization": "groupnorm",
        "averagepooling": "avgpool",
        "maxpooling": "maxpool",
        "globalaveragepooling": "adaptiveavgpool",
        "globalmaxpooling": "adaptivemaxpool",
        "convolution": "conv",
        "simplernn": "rnn",
    }
)
#: Keras 3 and Keras 2 versions come with TensorFlow's, and any of them changes a report.
_TENSORFLOW = ("tensorflow", "tensorflow-cpu")


@dataclass(frozen=True)
class Framework:
    """What the package knows about one framework, apart from its adapter and its layers."""

    #: ``report.framework`` and the ``:framework:`` option's value.
    name: str
    #: How the docs and messages name it.
    title: str
    #: The module under ``adapters/`` that builds its models.
    adapter: str
    #: The module under ``formulas/`` with its layer knowledge.
    knowledge: str
    #: Top-level packages whose import says a builder uses this framework (it and its zoos).
    roots: tuple[str, ...]
    #: Its distribution: what ``pip install`` needs when the framework cannot be imported, and
    #: what an installed library that declares it as a dependency is built on.
    install: str
    #: Distributions whose versions change its reports: they key the cache.
    distributions: tuple[str, ...]
    #: Model libraries a page may call without allowing them in ``conf.py``.
    zoos: tuple[str, ...] = ()
    #: Environment variables its worker process starts with.
    environment: Mapping[str, str] = field(default_factory=dict)
    #: Whether the request's ``keras_backend`` picks the worker (and its ``KERAS_BACKEND``).
    per_keras_backend: bool = False
    #: Its layer names (lower case, no 1D/2D/3D) → the shared name ``model-compare`` pairs by
    #: (another framework's name for the same layer; the names of all frameworks share one table).
    same_layers: Mapping[str, str] = field(default_factory=dict)

    def worker_key(self, keras_backend: str | None) -> tuple[str, str | None]:
        """Which worker builds a request: one per framework (and per Keras backend)."""
        return self.name, keras_backend if self.per_keras_backend else None

    def worker_environment(self, keras_backend: str | None) -> dict[str, str]:
        """The variables the worker of :meth:`worker_key` starts with."""
        environment = dict(self.environment)
        if self.per_keras_backend and keras_backend:
            environment["KERAS_BACKEND"] = keras_backend
        return environment


#: Every framework, in the order that decides for a module importing several (Keras on the
#: torch backend imports torch too; tf_keras comes with TensorFlow, which Keras 3 also needs).
FRAMEWORKS: tuple[Framework, ...] = (
    Framework(
        name="tf_keras",
        title="Keras 2 (tf_keras)",
        adapter="tf_keras",
        knowledge="tf_keras",
        roots=("tf_keras",),
        install="tf-keras",
        distributions=("tf-keras", *_TENSORFLOW),
        zoos=("tf_keras.applications",),
        environment=MappingProxyType({"TF_USE_LEGACY_KERAS": "1"}),
        same_layers=_KERAS_AS_TORCH,
    ),
    Framework(
        name="keras",
        title="Keras 3",
        adapter="keras3",
        knowledge="keras3",
        roots=("keras", "keras_hub", "keras_nlp", "keras_cv"),
        install="keras",
        distributions=("keras", *_TENSORFLOW, "jax", "torch"),
        zoos=("keras.applications", "keras_hub", "keras_nlp", "keras_cv"),
        per_keras_backend=True,
        same_layers=_KERAS_AS_TORCH,
    ),
    Framework(
        name="torch",
        title="PyTorch",
        adapter="torch",
        knowledge="torch",
        # transformers declares no framework (its extras do); its models are PyTorch since v5
        roots=("torch", "torchvision", "torchaudio", "timm", "transformers"),
        install="torch",
        distributions=("torch",),
        zoos=("torchvision.models", "timm"),
    ),
    Framework(
        name="flax",
        title="Flax (NNX and linen)",
        adapter="flax",
        knowledge="flax",
        roots=("flax",),
        install="flax",
        distributions=("flax", "jax", "jaxlib"),
        same_layers=MappingProxyType({"dense": "linear", "embed": "embedding"}),
    ),
)
NAMES: tuple[str, ...] = tuple(framework.name for framework in FRAMEWORKS)
_BY_NAME = {framework.name: framework for framework in FRAMEWORKS}
_SHARED_NAMES = {
    name: shared for record in FRAMEWORKS for name, shared in record.same_layers.items()
}
_BY_ROOT = {root: framework.name for framework in FRAMEWORKS for root in framework.roots}
#: TensorFlow alone means tf.keras, which is Keras 2 or Keras 3 (see :func:`_keras_of_tensorflow`).
_TENSORFLOW_ROOT = "tensorflow"
#: How many declared dependencies deep an installed library is searched for a framework.
_DEPENDENCY_DEPTH = 4


def record_of(name: str) -> Framework:
    """The record of ``name`` (one of :data:`NAMES`)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise BuildError("framework", f"no adapter for the framework {name!r}") from None


def cache_distributions() -> tuple[str, ...]:
    """Every distribution whose version keys the cache, each once."""
    return tuple(dict.fromkeys(d for record in FRAMEWORKS for d in record.distributions))


def model_zoos() -> tuple[str, ...]:
    return tuple(zoo for record in FRAMEWORKS for zoo in record.zoos)


def shared_layer_name(layer_name: str) -> str:
    """The name ``model-compare`` pairs layers of two frameworks by (``dense`` → ``linear``)."""
    return _SHARED_NAMES.get(layer_name, layer_name)


def framework_of(target: Target) -> str:
    """The framework the target builds with, found without importing anything: from the
    target's package when it is a framework or a zoo, else from the nearest imports of the
    target's module and of the project modules it imports; an installed library that is
    neither (``sentence_transformers``, ``diffusers``) tells by the framework it declares as
    a dependency."""
    root = target.module.split(".")[0]
    if root in _BY_ROOT:
        return _BY_ROOT[root]
    missing = find_module(target.module)[1]
    if missing:
        raise no_module_error(str(target), target.module, missing)
    for roots in imports_by_level(target.module, _tells):
        found = {_framework_of_root(root) for root in roots}
        for name in (*NAMES, _TENSORFLOW_ROOT):
            if name in found:
                return _keras_of_tensorflow() if name == _TENSORFLOW_ROOT else name
    titles = [_BY_NAME[name].title for name in sorted(NAMES)]
    raise BuildError(
        "framework",
        f"target {str(target)!r}: cannot tell which framework it builds with: neither "
        f"{target.module!r} nor the project modules it imports import one of "
        f"{', '.join(sorted({*_BY_ROOT, _TENSORFLOW_ROOT}))} or a library installed with one; "
        f"sphinx-modelsummary documents {', '.join(titles[:-1])} and {titles[-1]} models",
    )


def _tells(root: str) -> bool:
    return _framework_of_root(root) is not None


@functools.cache
def _framework_of_root(root: str) -> str | None:
    """The framework a top-level package means (TensorFlow as itself), None for none."""
    if root in _BY_ROOT or root == _TENSORFLOW_ROOT:
        return _BY_ROOT.get(root, root)
    if root in sys.stdlib_module_names:
        return None
    places = package_places(root)
    if not places or any(is_user_file(place) for place in places):
        return None  # not installed, or the project's own: its imports tell
    return _built_on(root)


def _built_on(root: str) -> str | None:
    """The framework an installed package's distribution depends on, nearest first, read
    from the dependencies it declares (its optional extras aside)."""
    telling = {_normal(record.install): record.name for record in FRAMEWORKS}
    telling |= {_normal(name): _TENSORFLOW_ROOT for name in _TENSORFLOW}
    pending = deque((name, 0) for name in _distributions_of(root))
    seen: set[str] = set()
    found: list[str] = []
    while pending and not found:
        depth = pending[0][1]
        while pending and pending[0][1] == depth:  # one level of dependencies at a time
            name, _ = pending.popleft()
            if _normal(name) in seen:
                continue
            seen.add(_normal(name))
            if _normal(name) in telling:
                found.append(telling[_normal(name)])
            elif depth < _DEPENDENCY_DEPTH:
                pending.extend((required, depth + 1) for required in _requirements(name))
    return next((name for name in (*NAMES, _TENSORFLOW_ROOT) if name in found), None)


def _distributions_of(root: str) -> list[str]:
    """The installed distributions that provide the top-level package ``root``."""
    try:
        return [metadata.distribution(root).metadata["Name"]]
    except metadata.PackageNotFoundError:
        return _packages_distributions().get(root, [])


@functools.cache
def _packages_distributions() -> Mapping[str, list[str]]:
    """Every installed top-level package and its distributions (read once: it scans them all)."""
    return metadata.packages_distributions()


def _requirements(distribution: str) -> Iterator[str]:
    """The distributions ``distribution`` always requires (not those of its extras)."""
    try:
        declared = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        return
    for text in declared:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            yield requirement.name


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _keras_of_tensorflow() -> str:
    """What ``tf.keras`` is: Keras 2 (tf_keras) when ``TF_USE_LEGACY_KERAS`` says so, as
    TensorFlow itself decides, else Keras 3."""
    legacy = os.environ.get("TF_USE_LEGACY_KERAS") in ("true", "True", "1")
    return "tf_keras" if legacy else "keras"
