"""Flax adapter: describe a Flax NNX or linen module as a ModelReport, without weight memory.

An NNX builder runs inside ``nnx.eval_shape``, so its variables are shapes and
dtypes only; a linen module is initialised with ``jax.eval_shape(model.init, …)``
from the page's ``:input-shape:``. Both are then called once under
``jax.eval_shape`` with every submodule's ``__call__`` intercepted, which gives
each submodule's output shapes and its number of calls. A builder that needs
real values (it loads weights) is run again normally, and the report says so.

Counts are Flax's: the parameters are ``nnx.Param`` (linen: the ``params``
collection), all trainable; batch statistics (``nnx.BatchStat``, ``batch_stats``)
are state, not parameters, and are listed apart like PyTorch buffers; RNG keys
and counters, caches and intermediates are not counted. A variable two modules
hold (a shared module, a tied embedding) counts once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import flax
import jax
import jax.numpy as jnp
from flax import linen, nnx
from jax.interpreters import partial_eval

from ..errors import BuildError, not_a_model_error, user_traceback
from ..report import ModelReport, Shape, TensorInfo, Weight
from .build_modes import FULL, SHAPE_ONLY, failed_in_builder, shape_only_or_full
from .tree import HeldTensor, ModelTree, Row, model_report, plain_config

#: linen collections counted apart from the parameters (the others are not state to count).
_PARAMS, _BATCH_STATS = "params", "batch_stats"
#: NNX variable types that are neither parameters nor state a reader counts.
_UNCOUNTED = (nnx.RngState, nnx.Cache, nnx.Intermediate)
#: JAX's process-wide settings that a builder may change.
_JAX_SETTINGS = (
    "jax_enable_x64",
    "jax_default_matmul_precision",
    "jax_numpy_rank_promotion",
    "jax_default_prng_impl",
)


def configuration() -> dict[str, Any]:
    """JAX's global settings: a builder's ``jax.config.update("jax_enable_x64", True)`` must
    not double the bytes of the next model."""
    return {name: getattr(jax.config, name) for name in _JAX_SETTINGS}


def configure(settings: dict[str, Any]) -> None:
    for name, value in settings.items():
        jax.config.update(name, value)


def build_report(make_model: Callable[[], Any], request: Any) -> ModelReport:
    """Build the model abstractly when it can be, trace it, and describe it."""
    target_text = str(request.target)
    started = time.perf_counter()
    model, _ = shape_only_or_full(
        request.shape_only,
        lambda: _abstractly(make_model),
        make_model,
        failed_in_builder,
    )
    dtype = jnp.dtype(request.input_dtype or "float32")
    if isinstance(model, nnx.Module):
        graph = _nnx_graph(model, request.input_shapes, dtype, target_text)
        mode = SHAPE_ONLY if _is_abstract(nnx.state(model)) else FULL
    elif isinstance(model, linen.Module):
        graph = _linen_graph(model, request.input_shapes, dtype, target_text)
        mode = SHAPE_ONLY
    else:
        raise not_a_model_error(target_text, model, "flax.nnx.Module or flax.linen.Module")
    return model_report(graph.tree(model), target_text, mode, time.perf_counter() - started)


def _abstractly(make_model: Callable[[], Any]) -> Any:
    """The builder's result, an NNX module made inside ``nnx.eval_shape`` (shapes only);
    anything else (a linen module, which holds no weights) as the builder returned it."""
    others: list[Any] = []

    def build() -> nnx.Module | None:
        result = make_model()
        if isinstance(result, nnx.Module):
            return result
        others.append(result)
        return None

    model = nnx.eval_shape(build)
    return model if model is not None else others[0]


def _is_abstract(state: Any) -> bool:
    return all(isinstance(leaf, jax.ShapeDtypeStruct) for leaf in jax.tree.leaves(state))


# What a trace records ---------------------------------------------------------------------


@dataclass
class _Call:
    input_shapes: list[Shape] = field(default_factory=list)
    output_shapes: list[Shape] = field(default_factory=list)
    output_dtypes: list[str] = field(default_factory=list)


@dataclass
class _Node:
    """A module at its (first) place in the model; ``path`` is its attribute names."""

    path: tuple[str, ...]
    class_name: str
    base_classes: tuple[str, ...]
    config: dict[str, Any]
    calls: list[_Call] = field(default_factory=list)
    #: When it was first called (its rows follow the forward pass); None: never called.
    first_call: int | None = None
    inbound: list[str] = field(default_factory=list)
    feeds: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class _Graph:
    """The traced model: its modules, the tensors each place holds, and its inputs/outputs."""

    nodes: dict[tuple[str, ...], _Node]
    #: (path of the variable, the tensor as counted), each variable once.
    tensors: list[tuple[tuple[str, ...], HeldTensor]]
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]

    def tree(self, model: Any) -> ModelTree:
        name = type(model).__name__
        return ModelTree(
            name=name,
            class_name=name,
            framework="flax",
            framework_version=flax.__version__,
            inputs=self.inputs,
            outputs=self.outputs,
            rows=self._rows(),
            tensors=[tensor for _, tensor in self.tensors],
        )

    def _is_container(self, path: tuple[str, ...]) -> bool:
        """Opened into rows when a module below it was called."""
        return any(
            other[: len(path)] == path and other != path and node.calls
            for other, node in self.nodes.items()
        )

    def _rows(self) -> list[Row]:
        root = self.nodes[()]
        if not self._is_container(()):  # a model that is one layer is one row
            single = root.class_name.lower()
            return [self._row(root, (single,), None, self._held_under(()), False)]
        rows: list[Row] = []
        self._add_rows((), None, rows)
        return rows

    def _add_rows(self, path: tuple[str, ...], parent: Row | None, rows: list[Row]) -> None:
        children = sorted(
            (
                node
                for other, node in self.nodes.items()
                if len(other) > len(path) and _parent_in(other, self.nodes) == path
            ),
            key=lambda node: self._first_call(node.path),
        )
        for variable_path, tensor in self.tensors:
            if _parent_in(variable_path, self.nodes) == path:
                rows.append(_variable_row(variable_path, tensor, parent))
        for node in children:
            container = self._is_container(node.path)
            held = [] if container else self._held_under(node.path)
            row = self._row(node, node.path, parent, held, container)
            rows.append(row)
            if container:
                self._add_rows(node.path, row, rows)

    def _first_call(self, path: tuple[str, ...]) -> tuple[bool, int]:
        """When the module or one below it was first called: rows follow the forward pass."""
        calls = [
            node.first_call
            for other, node in self.nodes.items()
            if other[: len(path)] == path and node.first_call is not None
        ]
        return (not calls, min(calls, default=0))

    def _held_under(self, path: tuple[str, ...]) -> list[HeldTensor]:
        """A leaf's tensors: its own and its submodules', named from it."""
        return [
            _renamed(tensor, variable_path[len(path) :])
            for variable_path, tensor in self.tensors
            if variable_path[: len(path)] == path
        ]

    def _row(
        self,
        node: _Node,
        path: tuple[str, ...],
        parent: Row | None,
        held: list[HeldTensor],
        container: bool,
    ) -> Row:
        return Row(
            path=_text(path),
            name=path[-1],
            class_name=node.class_name,
            depth=parent.depth + 1 if parent is not None else 0,
            parent=parent,
            calls=node.calls,
            tensors=held,
            config=node.config,
            is_container=container,
            base_classes=node.base_classes,
            inbound=node.inbound,
            feeds=node.feeds,
        )


def _variable_row(variable_path: tuple[str, ...], tensor: HeldTensor, parent: Row | None) -> Row:
    """A container's own variable (a position embedding), shown as a row with its shape."""
    shape = tensor.weight.shape
    return Row(
        path=_text(variable_path),
        name=variable_path[-1],
        class_name="BatchStat" if tensor.is_buffer else "Param",
        depth=parent.depth + 1 if parent is not None else 0,
        parent=parent,
        tensors=[_renamed(tensor, variable_path[-1:])],
        config={"shape": list(shape)},
        standing_shapes=((shape,),),
    )


def _text(path: Sequence[Any]) -> str:
    return "/".join(str(part) for part in path)


def _renamed(tensor: HeldTensor, name: Sequence[Any]) -> HeldTensor:
    weight = dataclasses.replace(tensor.weight, name=_text(name))
    return HeldTensor(key=tensor.key, weight=weight, is_buffer=tensor.is_buffer)


def _held(key: int, shape: Sequence[int], dtype: Any, is_buffer: bool) -> HeldTensor:
    weight = Weight(
        name="",
        shape=tuple(int(dim) for dim in shape),
        dtype=jnp.dtype(dtype).name,
        trainable=not is_buffer,
    )
    return HeldTensor(key=key, weight=weight, is_buffer=is_buffer)


# Inputs and the traced call -------------------------------------------------------------


def _input_structs(
    call: Callable[..., Any], shapes: Sequence[Shape] | None, dtype: Any, class_name: str
) -> tuple[list[str], list[jax.ShapeDtypeStruct]]:
    """One abstract array per given shape (an unknown batch: one sample), named after the
    call's parameters."""
    parameters = _call_parameters(call)
    if not shapes:
        required = [p.name for p in parameters if p.default is inspect.Parameter.empty]
        if required:
            raise BuildError(
                "input-shape",
                f"{class_name}.__call__ needs {', '.join(required)}, and a Flax module does not "
                "know its input shape; give one with :input-shape: (for example "
                "':input-shape: (1, 28, 28, 1)', a list of shapes for several inputs, and "
                "':input-dtype: int32' for token ids)",
            )
        return [], []
    structs = []
    for shape in shapes:
        dims = [1 if index == 0 and dim is None else dim for index, dim in enumerate(shape)]
        if any(dim is None for dim in dims):
            raise BuildError(
                "input-shape",
                f"input shape {tuple(shape)} has an unknown dimension; a Flax module is traced "
                "with real sizes, so give every dimension after the batch",
            )
        structs.append(jax.ShapeDtypeStruct(tuple(int(dim) for dim in dims), dtype))
    names = [p.name for p in parameters[: len(structs)]]
    if len(names) < len(structs):
        names = ["input"] if len(structs) == 1 else [f"input_{i + 1}" for i in range(len(structs))]
    return names, structs


def _call_parameters(call: Callable[..., Any]) -> list[inspect.Parameter]:
    try:
        signature = inspect.signature(call)
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p for p in signature.parameters.values() if p.kind in kinds]


def _arrays(value: Any) -> list[Any]:
    return [leaf for leaf in jax.tree.leaves(value) if hasattr(leaf, "shape")]


class _Recorder:
    """Every module call of one traced forward pass, and which call fed which."""

    def __init__(self, nodes: dict[tuple[str, ...], _Node], inputs: dict[int, str]) -> None:
        self.nodes = nodes
        self.inputs = inputs
        self.clock = itertools.count()
        self.stack: list[tuple[str, ...]] = []
        #: Array id → (end time, producing path, its call number) of every call's outputs.
        self.produced: dict[int, list[tuple[int, tuple[str, ...], int]]] = {}
        #: (end time, path, call number) of every call, to fall back on for glue between calls.
        self.ended: list[tuple[int, tuple[str, ...], int]] = []
        self.keep: list[Any] = []

    def record(self, path: tuple[str, ...], call: Callable[[], Any], args: Any) -> Any:
        """Run one module call, recording its shapes; a module calling its own base class's
        ``__call__`` is one call."""
        if self.stack and self.stack[-1] == path:
            return call()
        node = self.nodes[path]
        inputs = _arrays(args)
        start = next(self.clock)
        if node.first_call is None:
            node.first_call = start
        if path:
            self._connect(node, inputs, start)
        entry = _Call(input_shapes=[tuple(a.shape) for a in inputs])
        node.calls.append(entry)
        self.stack.append(path)
        try:
            output = call()
        finally:
            self.stack.pop()
        outputs = _arrays(output)
        entry.output_shapes = [tuple(a.shape) for a in outputs]
        entry.output_dtypes = [jnp.dtype(a.dtype).name for a in outputs]
        end = next(self.clock)
        number = len(node.calls) - 1
        for array in outputs:
            self.produced.setdefault(id(array), []).append((end, path, number))
        self.ended.append((end, path, number))
        self.keep.extend([*inputs, *outputs])
        return output

    def _connect(self, node: _Node, inputs: list[Any], start: int) -> None:
        """Sources among the node's siblings (or the model's inputs); through glue (``x + y``)
        that hides them, the sibling that ran last."""
        level = _parent_in(node.path, self.nodes)
        found: list[tuple[tuple[str, ...], int] | str] = []
        for array in inputs:
            siblings = [
                (end, path, number)
                for end, path, number in self.produced.get(id(array), [])
                if _parent_in(path, self.nodes) == level and path != node.path
            ]
            if siblings:
                found.append(max(siblings)[1:])
            elif id(array) in self.inputs and not level:
                found.append(self.inputs[id(array)])
        if not found:
            earlier = [
                item
                for item in self.ended
                if _parent_in(item[1], self.nodes) == level and item[1] != node.path
            ]
            if earlier:
                found.append(max(earlier)[1:])
            elif not level and self.inputs:
                found.append(next(iter(self.inputs.values())))
        for source in found:
            name = source if isinstance(source, str) else _text(source[0])
            if name not in node.inbound:
                node.inbound.append(name)
            if not isinstance(source, str) and (name, source[1]) not in node.feeds:
                node.feeds.append((name, source[1]))


def _parent_in(path: tuple[str, ...], nodes: dict[tuple[str, ...], _Node]) -> tuple[str, ...]:
    above = path[:-1]
    while above and above not in nodes:
        above = above[:-1]
    return above


def _traced(target_text: str, described: str, run: Callable[[], Any]) -> Any:
    try:
        return run()
    except BuildError:
        raise
    except Exception as error:  # noqa: BLE001 - the user's module failed on these inputs
        raise BuildError(
            "builder",
            f"target {target_text!r}: calling the module on {described} failed:\n"
            f"{user_traceback(error)}",
        ) from None


def _described(structs: Sequence[jax.ShapeDtypeStruct]) -> str:
    return ", ".join(f"{s.shape} {jnp.dtype(s.dtype).name}" for s in structs) or "no inputs"


def _output_infos(root: _Node) -> list[TensorInfo]:
    if not root.calls:
        return []
    call = root.calls[0]
    return [
        TensorInfo(name="output" if index == 0 else f"output_{index + 1}", shape=shape, dtype=dt)
        for index, (shape, dt) in enumerate(zip(call.output_shapes, call.output_dtypes))
    ]


def _input_infos(names: list[str], structs: list[jax.ShapeDtypeStruct]) -> list[TensorInfo]:
    return [
        TensorInfo(name=name, shape=tuple(s.shape), dtype=jnp.dtype(s.dtype).name)
        for name, s in zip(names, structs)
    ]


def _bases(cls: type, stop: type) -> tuple[str, ...]:
    """Base classes nearest first, up to the framework's module class (not included)."""
    return tuple(
        base.__name__ for base in cls.__mro__[1:] if issubclass(base, stop) and base is not stop
    )


# NNX --------------------------------------------------------------------------------------


def _nnx_graph(
    model: nnx.Module, shapes: Sequence[Shape] | None, dtype: Any, target_text: str
) -> _Graph:
    nodes: dict[tuple[str, ...], _Node] = {}
    tensors: list[tuple[tuple[str, ...], HeldTensor]] = []
    for path, value in _graph_items(model):
        if isinstance(value, nnx.Module):
            nodes[path] = _nnx_node(path, value)
        elif isinstance(value, nnx.Variable) and not isinstance(value, _UNCOUNTED):
            array = value.get_value()
            if hasattr(array, "shape"):
                is_buffer = not isinstance(value, nnx.Param)
                tensors.append((path, _held(id(value), array.shape, array.dtype, is_buffer)))
    names, structs = _input_structs(model.__call__, shapes, dtype, type(model).__name__)
    graphdef, state = nnx.split(model)

    def forward(state: Any, *arrays: Any) -> Any:
        merged = nnx.merge(graphdef, state)
        modules = [(path, v) for path, v in _graph_items(merged) if isinstance(v, nnx.Module)]
        places = {id(value): path for path, value in modules}
        recorder = _Recorder(nodes, {id(a): n for a, n in zip(arrays, names)})
        with _intercepting(places, recorder, {type(value) for _, value in modules}):
            return merged(*arrays)

    _traced(target_text, _described(structs), lambda: jax.eval_shape(forward, state, *structs))
    return _Graph(nodes, tensors, _input_infos(names, structs), _output_infos(nodes[()]))


def _graph_items(model: nnx.Module) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every node of the model's graph once (a shared one at its first place), at a path of
    names (a list's items are numbered)."""
    for path, value in nnx.iter_graph(model):
        yield tuple(str(part) for part in path), value


def _nnx_node(path: tuple[str, ...], module: nnx.Module) -> _Node:
    attributes = {key: value for key, value in vars(module).items() if not key.startswith("_")}
    config = plain_config(attributes)
    for key, value in attributes.items():
        if isinstance(value, nnx.Variable):
            config[f"has_{key}"] = True
        elif value is None:
            config[f"has_{key}"] = False
    return _Node(
        path=path,
        class_name=type(module).__name__,
        base_classes=_bases(type(module), nnx.Module),
        config=dict(sorted(config.items())),
    )


@contextlib.contextmanager
def _intercepting(
    places: dict[int, tuple[str, ...]], recorder: _Recorder, classes: set[type]
) -> Iterator[None]:
    """Every ``__call__`` of these classes records, for the modules at a known place."""
    owners = {
        base
        for cls in classes
        for base in cls.__mro__[
            : next((i + 1 for i, base in enumerate(cls.__mro__) if "__call__" in vars(base)), 0)
        ][-1:]
    }
    originals = {owner: vars(owner)["__call__"] for owner in owners}

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            path = places.get(id(self))
            if path is None:
                return original(self, *args, **kwargs)
            return recorder.record(path, lambda: original(self, *args, **kwargs), (args, kwargs))

        return call

    try:
        for owner, original in originals.items():
            owner.__call__ = wrap(original)
        yield
    finally:
        for owner, original in originals.items():
            owner.__call__ = original


# linen ------------------------------------------------------------------------------------


def _linen_graph(
    model: linen.Module, shapes: Sequence[Shape] | None, dtype: Any, target_text: str
) -> _Graph:
    if not shapes:
        raise BuildError(
            "input-shape",
            f"target {target_text!r}: a linen module ({type(model).__name__}) has no weights "
            "until it is initialised with inputs; give their shape with :input-shape: (for "
            "example ':input-shape: (1, 28, 28, 1)', a list of shapes for several inputs, and "
            "':input-dtype: int32' for token ids)",
        )
    names, structs = _input_structs(model.__call__, shapes, dtype, type(model).__name__)
    nodes: dict[tuple[str, ...], _Node] = {(): _linen_node((), model)}

    def interceptor(next_fun: Callable[..., Any], args: Any, kwargs: Any, context: Any) -> Any:
        module = context.module
        if context.method_name != "__call__" or _in_lifted_init((args, kwargs)):
            return next_fun(*args, **kwargs)
        path = tuple(module.path)
        if path not in nodes:
            nodes[path] = _linen_node(path, module)
        return recorder.record(path, lambda: next_fun(*args, **kwargs), (args, kwargs))

    def initialise(*arrays: Any) -> Any:
        rngs = {"params": jax.random.key(0), "dropout": jax.random.key(1)}
        recorder.inputs = {id(a): n for a, n in zip(arrays, names)}
        with linen.intercept_methods(interceptor):
            return model.init(rngs, *arrays)

    recorder = _Recorder(nodes, {})
    variables = _traced(
        target_text, _described(structs), lambda: jax.eval_shape(initialise, *structs)
    )
    leaves = [
        (path, leaf, collection == _BATCH_STATS)
        for collection in (_PARAMS, _BATCH_STATS)
        for path, leaf in _leaves(variables.get(collection, {}))
    ]
    tensors = [
        (path, _held(number, leaf.shape, leaf.dtype, is_buffer))
        for number, (path, leaf, is_buffer) in enumerate(leaves)
    ]
    return _Graph(nodes, tensors, _input_infos(names, structs), _output_infos(nodes[()]))


def _in_lifted_init(arguments: Any) -> bool:
    """A lifted transform (``nn.scan`` in an ``nn.RNN``) first runs its body in a pass of its
    own that only creates the variables, on partial-evaluation tracers: not a call."""
    return any(isinstance(array, partial_eval.JaxprTracer) for array in _arrays(arguments))


def _leaves(tree: Any) -> list[tuple[tuple[str, ...], Any]]:
    flat = jax.tree_util.tree_flatten_with_path(tree)[0]
    return [(tuple(str(key.key) for key in path), leaf) for path, leaf in flat]


def _linen_node(path: tuple[str, ...], module: linen.Module) -> _Node:
    fields = {
        name: getattr(module, name, None)
        for name in module.__dataclass_fields__
        if name not in ("parent", "name")
    }
    return _Node(
        path=path,
        class_name=type(module).__name__,
        base_classes=_bases(type(module), linen.Module),
        config=dict(sorted(plain_config(fields).items())),
    )
