"""PyTorch adapter: build a ``torch.nn.Module`` on the meta device and describe it as a ModelReport.

The builder runs inside ``torch.device("meta")``, so parameters get shapes but
no memory, and the forward pass runs once on meta tensors of the shapes the
page gives (batch first, PyTorch's own layout). Hooks on every module record
each call's input and output shapes. Which module fed which is read from the
autograd graph: walking back from a module's inputs to the nearest module
outputs sees through functional glue (``out += residual``, ``x.view(...)``) and
in-place modules; without a graph (integer inputs, ``no_grad``) the identity
of the tensors decides. A builder that cannot run on meta (it computes sizes
from tensor values, or loads weights) is run again normally, and the report
says so.

Counts are PyTorch's: ``sum(p.numel() for p in model.parameters())``, each
tensor once however many modules hold it, trainable meaning ``requires_grad``.
Buffers (batch-norm running statistics) are not parameters: they are listed
apart, on the layers and in the totals.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.utils._device
from torch import nn
from torch._C import _len_torch_function_stack
from torch.nn.parameter import is_lazy
from torch.overrides import _pop_mode, _push_mode
from torch.utils._device import DeviceContext

from ..errors import BuildError, not_a_model_error, user_traceback
from ..report import ModelReport, Shape, TensorInfo, Weight
from .build_modes import FULL, SHAPE_ONLY, failed_in_builder, shape_only_or_full
from .tree import HeldTensor, ModelTree, Row, model_report, plain_config

#: Dtype names ``:input-dtype:`` accepts, and the torch dtypes they mean.
_DTYPES = {
    "float32": torch.float32,
    "float": torch.float32,
    "float64": torch.float64,
    "double": torch.float64,
    "float16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "int64": torch.int64,
    "long": torch.int64,
    "int32": torch.int32,
    "int": torch.int32,
    "int16": torch.int16,
    "int8": torch.int8,
    "uint8": torch.uint8,
    "bool": torch.bool,
}

#: Module attributes that are state, not configuration.
_CONFIG_SKIP = {"training", "inplace"}


@dataclass
class _Call:
    #: Order of this call's start and end among all hook events of the trace.
    start: int
    end: int = -1
    input_shapes: list[Shape] = field(default_factory=list)
    output_shapes: list[Shape] = field(default_factory=list)
    output_dtypes: list[str] = field(default_factory=list)
    #: The call's input tensors' autograd nodes at the moment of the call (None: no graph).
    input_nodes: list[Any] = field(default_factory=list)
    input_ids: list[int] = field(default_factory=list)


@dataclass
class _Node:
    """A module where it sits in the model tree (a module held by two parents has two nodes)."""

    module: nn.Module
    path: str
    name: str
    depth: int
    parent: _Node | None
    children: list[_Node] = field(default_factory=list)
    calls: list[_Call] = field(default_factory=list)
    #: A direct parameter or buffer of a container, shown as a row of its own.
    tensor: tuple[str, Any, bool] | None = None  # (name, tensor, is_buffer)

    @functools.cached_property
    def is_container(self) -> bool:
        """Opened into rows when something below it was called (a ModuleList never is
        called itself); a module whose submodules never run (MultiheadAttention's
        ``out_proj``) is one row with all their parameters. Asked after the trace only."""
        return self.tensor is None and any(
            child.calls or child.is_container for child in self.children
        )


def build_report(make_model: Callable[[], Any], request: Any) -> ModelReport:
    """Build the model with ``make_model`` and inspect it (shape-only when it can be).

    Outside inference mode whatever an earlier builder left entered: inference mode is a
    stack of guards that cannot be put back from outside, only overridden.
    """
    with torch.inference_mode(False):
        return _build_report(make_model, request)


def _build_report(make_model: Callable[[], Any], request: Any) -> ModelReport:
    target_text = str(request.target)
    started = time.perf_counter()
    dtype = _dtype(getattr(request, "input_dtype", None))
    shapes = request.input_shapes
    _import_quietly(request.target)

    def build(place: contextlib.AbstractContextManager) -> tuple[nn.Module, _Trace]:
        with place:
            model = _as_module(make_model(), target_text)
        return model, _trace(model, shapes, dtype, target_text)

    (model, trace), _ = shape_only_or_full(
        request.shape_only,
        lambda: build(torch.device("meta")),
        lambda: build(contextlib.nullcontext()),
        lambda error: failed_in_builder(error) and _is_meta_problem(error.message),
    )
    _check_no_lazy_left(model, trace, target_text)
    # where the tensors are, not which build ran: a model without tensors reads as full
    mode = SHAPE_ONLY if _device_of(model).type == "meta" else FULL
    seconds = time.perf_counter() - started
    return model_report(_model_tree(model, trace), target_text, mode, seconds)


def _check_no_lazy_left(model: nn.Module, trace: _Trace, target_text: str) -> None:
    """A lazy module takes its size from its first input: one the forward pass never called
    (a branch on the input's values not taken, or a module not used) has no count."""
    lazy = sorted(
        {
            name.rpartition(".")[0] or name
            for name, tensor in itertools.chain(model.named_parameters(), model.named_buffers())
            if is_lazy(tensor)
        }
    )
    if not lazy:
        return
    modules = ", ".join(f"{name!r} ({type(model.get_submodule(name)).__name__})" for name in lazy)
    inputs = ", ".join(f"{info.shape} {info.dtype}" for info in trace.inputs) or "no inputs"
    raise BuildError(
        "builder",
        f"target {target_text!r}: {modules} never ran in the forward pass on {inputs}, so the "
        "size of its lazy parameters, taken from its first input, is unknown: forward may "
        "choose it by the value of a tensor (a summary is built without data), or not use "
        "it. Give the module its input size (nn.Linear instead of nn.LazyLinear).",
    )


#: Switches of ``torch.backends`` that change what a model computes or which kernels run.
_BACKEND_FLAGS = (
    ("cudnn", "enabled"),
    ("cudnn", "benchmark"),
    ("cudnn", "deterministic"),
    ("mkldnn", "enabled"),
    ("cuda.matmul", "allow_fp16_reduced_precision_reduction"),
    ("cuda.matmul", "allow_bf16_reduced_precision_reduction"),
)
#: Where ``torch.backends`` keeps a float32 precision (PyTorch's newer interface).
_PRECISIONS = (
    "",
    "cuda.matmul",
    "cudnn",
    "cudnn.conv",
    "cudnn.rnn",
    "mkldnn",
    "mkldnn.matmul",
    "mkldnn.conv",
    "mkldnn.rnn",
)
#: Device types whose autocast state is process-wide.
_AUTOCAST_DEVICES = ("cpu", "cuda")


def configuration() -> dict[str, Any]:
    """PyTorch's process-wide state that a builder may change; :func:`configure` puts it
    back, so a ``torch.set_default_dtype(torch.float64)`` in one builder does not double
    the bytes of the next model."""
    return {
        "dtype": torch.get_default_dtype(),
        "device": torch.get_default_device(),
        "grad": torch.is_grad_enabled(),
        "deterministic": (
            torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(),
        ),
        "anomaly": (torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()),
        "seed": torch.initial_seed(),
        "rng": torch.get_rng_state(),
        "threads": torch.get_num_threads(),
        "autocast": [
            (device, torch.is_autocast_enabled(device), torch.get_autocast_dtype(device))
            for device in _AUTOCAST_DEVICES
        ],
        "autocast_cache": torch.is_autocast_cache_enabled(),
        "flags": [(place, name, getattr(_backend(place), name)) for place, name in _BACKEND_FLAGS],
        # the old interface first, then the new one, which is how they agree again afterwards
        "matmul": torch.get_float32_matmul_precision(),
        "tf32": (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32),
        "precisions": [(place, _backend(place).fp32_precision) for place in _PRECISIONS],
    }


def configure(settings: dict[str, Any]) -> None:
    torch.set_default_dtype(settings["dtype"])
    _set_default_device(settings["device"])
    torch.set_grad_enabled(settings["grad"])
    deterministic, warn_only = settings["deterministic"]
    torch.use_deterministic_algorithms(deterministic, warn_only=warn_only)
    torch.set_anomaly_enabled(*settings["anomaly"])
    torch.manual_seed(settings["seed"])
    torch.set_rng_state(settings["rng"])
    torch.set_num_threads(settings["threads"])
    for device_type, enabled, dtype in settings["autocast"]:
        torch.set_autocast_enabled(device_type, enabled)
        torch.set_autocast_dtype(device_type, dtype)
    torch.set_autocast_cache_enabled(settings["autocast_cache"])
    for place, name, value in settings["flags"]:
        setattr(_backend(place), name, value)
    torch.set_float32_matmul_precision(settings["matmul"])
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = settings["tf32"]
    for place, precision in settings["precisions"]:
        _backend(place).fp32_precision = precision


def _set_default_device(device: torch.device) -> None:
    """Make ``device`` the default and end every other. A default set inside a ``with
    torch.device(...)`` block (the shape-only build is one) leaves PyTorch's stack of device
    modes so that clearing the default brings the block's device back; those modes are
    taken off the stack here (PyTorch has no public call for it)."""
    torch.set_default_device(None)
    modes = [_pop_mode() for _ in range(_len_torch_function_stack())]
    for mode in reversed(modes):
        if not isinstance(mode, DeviceContext):
            _push_mode(mode)
    torch.utils._device.CURRENT_DEVICE = None
    if device != torch.device("cpu"):
        torch.set_default_device(device)


def _backend(place: str) -> Any:
    """``torch.backends`` or one of its parts by dotted name (``"cuda.matmul"``)."""
    return functools.reduce(getattr, place.split("."), torch.backends) if place else torch.backends


def _import_quietly(target: Any) -> None:
    """Import the target's module outside the meta device: its module-level tensors (and
    those of the libraries it imports) must be real. Failures are reported by the builder."""
    try:
        importlib.import_module(target.module)
    except Exception:  # noqa: BLE001, S110 - the builder's own import reports it, located
        pass


def _is_meta_problem(message: str) -> bool:
    """The builder or its forward pass needs real tensor values, which meta tensors lack."""
    text = message.lower()
    return "meta" in text or "notimplementederror" in text


def _dtype(name: str | None) -> torch.dtype:
    if name is None:
        return torch.float32
    key = str(name).strip().lower().removeprefix("torch.")
    if key not in _DTYPES:
        raise BuildError(
            "input-shape",
            f"input dtype {name!r} is not one PyTorch knows; use one of "
            + ", ".join(sorted(_DTYPES)),
        )
    return _DTYPES[key]


def _as_module(result: Any, target_text: str) -> nn.Module:
    if isinstance(result, nn.Module):
        return result
    raise not_a_model_error(target_text, result, "torch.nn.Module")


def _device_of(model: nn.Module) -> torch.device:
    for tensor in itertools.chain(model.parameters(), model.buffers()):
        return tensor.device
    return torch.device("meta") if torch.empty(0).device.type == "meta" else torch.device("cpu")


# The trace -----------------------------------------------------------------------------


@dataclass
class _Trace:
    root: _Node
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    #: Node path → paths of the modules (or names of model inputs) that fed it.
    inbound: dict[str, list[str]]
    #: Node path → (source path, number of the source's call from 0) for each feed.
    feeds: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def _trace(
    model: nn.Module, shapes: Sequence[Shape] | None, dtype: torch.dtype, target_text: str
) -> _Trace:
    root = _Node(module=model, path="", name="", depth=-1, parent=None)
    _grow_tree(root)
    nodes = list(_walk(root))
    device = _device_of(model)
    names, tensors = _model_inputs(model, shapes, dtype, device)
    recorder = _Recorder(nodes)
    was_training = model.training
    model.eval()
    try:
        with recorder.hooks(), torch.enable_grad():
            for tensor, name in zip(tensors, names):
                recorder.add_input(tensor, name)
            model(*tensors)
    except BuildError:
        raise
    except Exception as error:  # noqa: BLE001 - the user's module failed on these inputs
        described = ", ".join(_shape_text(t) for t in tensors) or "no inputs"
        raise BuildError(
            "builder",
            f"target {target_text!r}: calling the module on {described} failed:\n"
            f"{user_traceback(error)}",
        ) from None
    finally:
        model.train(was_training)
    if not root.calls:
        raise BuildError("builder", f"target {target_text!r}: the module was never called")
    inbound = recorder.connections()
    inputs = [
        TensorInfo(name=name, shape=tuple(t.shape), dtype=_dtype_name(t.dtype))
        for name, t in zip(names, tensors)
    ]
    last = root.calls[0]
    outputs = [
        TensorInfo(name=name, shape=shape, dtype=dtype_name)
        for name, shape, dtype_name in zip(
            recorder.output_names(), last.output_shapes, last.output_dtypes
        )
    ]
    return _Trace(root=root, inputs=inputs, outputs=outputs, inbound=inbound, feeds=recorder.feeds)


def _shape_text(tensor: torch.Tensor) -> str:
    return f"{tuple(tensor.shape)} {_dtype_name(tensor.dtype)}"


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _grow_tree(node: _Node) -> None:
    """Children in registration order; a container's own parameters and buffers are rows too."""
    if node.tensor is not None:
        return
    children = list(node.module.named_children())
    own: list[tuple[str, Any, tuple | None]] = []
    if children:  # a container's own parameters and buffers are rows of their own
        own += [
            (n, node.module, (n, t, False)) for n, t in node.module.named_parameters(recurse=False)
        ]
        own += [(n, node.module, (n, t, True)) for n, t in node.module.named_buffers(recurse=False)]
    for name, module, tensor in own + [(n, m, None) for n, m in children]:
        child = _Node(
            module=module,
            path=_join(node.path, name),
            name=name,
            depth=node.depth + 1,
            parent=node,
            tensor=tensor,
        )
        node.children.append(child)
        _grow_tree(child)


def _join(path: str, name: str) -> str:
    return f"{path}/{name}" if path else name


def _walk(node: _Node) -> Iterator[_Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _model_inputs(
    model: nn.Module, shapes: Sequence[Shape] | None, dtype: torch.dtype, device: torch.device
) -> tuple[list[str], list[torch.Tensor]]:
    """One tensor of zeros per given shape, named after ``forward``'s parameters."""
    parameters = _forward_parameters(model)
    required = [p.name for p in parameters if p.default is inspect.Parameter.empty]
    if not shapes:
        if required:
            raise BuildError(
                "input-shape",
                f"{type(model).__name__}.forward needs {_count(len(required), 'input')} "
                f"({', '.join(required)}) and a PyTorch module does not know its input shape; "
                "give one with :input-shape: in PyTorch's layout, batch first (for example "
                "':input-shape: (1, 3, 32, 32)', or a list of shapes for several inputs; "
                "':input-dtype: int64' for token ids)",
            )
        return [], []
    tensors = []
    for shape in shapes:
        dims = list(shape)
        if dims and dims[0] is None:
            dims[0] = 1  # an unknown batch: trace one sample
        if any(dim is None or int(dim) < 0 for dim in dims):
            raise BuildError(
                "input-shape",
                f"input shape {tuple(shape)} has an unknown dimension; a PyTorch module is traced "
                "with real sizes, so give every dimension after the batch",
            )
        tensors.append(_input_tensor([int(dim) for dim in dims], dtype, device))
    names = [p.name for p in parameters[: len(tensors)]]
    if len(names) < len(tensors):
        names = ["input"] if len(tensors) == 1 else [f"input_{i + 1}" for i in range(len(tensors))]
    return names, tensors


def _input_tensor(dims: list[int], dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Zeros (valid token ids too); floats get an autograd node so connections can be read."""
    tensor = torch.zeros(dims, dtype=dtype, device=device)
    if dtype.is_floating_point:
        tensor = tensor.requires_grad_(True).clone()  # not a leaf: in-place ops stay legal
    return tensor


def _forward_parameters(model: nn.Module) -> list[inspect.Parameter]:
    try:
        signature = inspect.signature(model.forward)
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p for p in signature.parameters.values() if p.kind in kinds]


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


def _tensors(value: Any, depth: int = 0) -> list[torch.Tensor]:
    """The tensors in a call's arguments or results, in order (tuples, lists, dicts, outputs)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if depth > 8:
        return []
    if isinstance(value, dict):
        return [t for item in value.values() for t in _tensors(item, depth + 1)]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _tensors(item, depth + 1)]
    fields = getattr(value, "__dataclass_fields__", None)
    if fields:
        return [t for name in fields for t in _tensors(getattr(value, name, None), depth + 1)]
    return []


class _Recorder:
    """Forward hooks that record every module call, and what fed what."""

    def __init__(self, nodes: list[_Node]) -> None:
        self.root = nodes[0]
        self.clock = itertools.count()
        self.stack: list[_Node] = []
        #: (module id, parent node id) → node: which placement of a module a call belongs to.
        self.placements: dict[tuple[int, int], _Node] = {}
        self.first_node: dict[int, _Node] = {}
        #: Parameter id → the row of a container's own parameter (a ViT's class token).
        self.parameter_rows: dict[int, list[tuple[int, _Node | str]]] = {}
        for node in nodes:
            if node.tensor is not None:
                self.parameter_rows[id(node.tensor[1])] = [(-1, node)]
                continue
            self.first_node.setdefault(id(node.module), node)
            if node.parent is not None:
                self.placements.setdefault((id(node.module), id(node.parent)), node)
        #: Autograd node id → (end time, producing node) for every call output; inputs too.
        self.by_grad: dict[int, list[tuple[int, _Node | str]]] = defaultdict(list)
        #: Tensor id → (end time, producing node) for outputs without an autograd node.
        self.by_id: dict[int, list[tuple[int, _Node | str]]] = defaultdict(list)
        #: Everything recorded stays alive for the trace, so no id is reused.
        self.keep: list[Any] = []
        self.calls: list[tuple[_Node, _Call]] = []
        #: End time of a call → its number among its module's calls (from 0).
        self.call_number: dict[int, int] = {}
        #: Consumer path → (source path, number of the source's call) it was fed by.
        self.feeds: dict[str, list[tuple[str, int]]] = defaultdict(list)

    def add_input(self, tensor: torch.Tensor, name: str) -> None:
        self._produced(tensor, -1, name)

    def _produced(self, tensor: torch.Tensor, when: int, producer: _Node | str) -> None:
        self.keep.append(tensor)
        if tensor.grad_fn is not None:
            self.keep.append(tensor.grad_fn)
            self.by_grad[id(tensor.grad_fn)].append((when, producer))
        else:
            self.by_id[id(tensor)].append((when, producer))

    @contextlib.contextmanager
    def hooks(self) -> Iterator[None]:
        handles = []
        for module_id, node in self.first_node.items():
            module = node.module
            handles.append(module.register_forward_pre_hook(self._before, with_kwargs=True))
            handles.append(module.register_forward_hook(self._after, with_kwargs=True))
            del module_id
        try:
            yield
        finally:
            for handle in handles:
                handle.remove()

    def _node_for(self, module: nn.Module) -> _Node:
        if not self.stack:
            return self.root if module is self.root.module else self.first_node[id(module)]
        caller = self.stack[-1]
        return self.placements.get((id(module), id(caller)), self.first_node[id(module)])

    def _before(self, module: nn.Module, args: Any, kwargs: Any) -> None:
        node = self._node_for(module)
        inputs = _tensors((args, kwargs))
        call = _Call(
            start=next(self.clock),
            input_shapes=[tuple(t.shape) for t in inputs],
            input_nodes=[t.grad_fn for t in inputs],
            input_ids=[id(t) for t in inputs],
        )
        self.keep.extend(inputs)
        node.calls.append(call)
        self.calls.append((node, call))
        self.stack.append(node)

    def _after(self, module: nn.Module, args: Any, kwargs: Any, output: Any) -> None:
        node = self.stack.pop()
        call = node.calls[-1]
        call.end = next(self.clock)
        self.call_number[call.end] = len(node.calls) - 1
        outputs = _tensors(output)
        call.output_shapes = [tuple(t.shape) for t in outputs]
        call.output_dtypes = [_dtype_name(t.dtype) for t in outputs]
        for tensor in outputs:
            self._produced(tensor, call.end, node)

    def connections(self) -> dict[str, list[str]]:
        inbound: dict[str, list[str]] = defaultdict(list)
        for node, call in self.calls:
            if node.parent is None:
                continue
            for grad, tensor_id in zip(call.input_nodes, call.input_ids):
                for source in self._sources(node, call, grad, tensor_id):
                    if source not in inbound[node.path]:
                        inbound[node.path].append(source)
        return inbound

    def output_names(self) -> list[str]:
        """Names of the model's outputs: the top-level module that made each."""
        root_call = self.root.calls[0]
        names = []
        for index in range(len(root_call.output_shapes)):
            names.append("output" if index == 0 else f"output_{index + 1}")
        return names

    def _sources(self, node: _Node, call: _Call, grad: Any, tensor_id: int) -> list[str]:
        if grad is None:
            found = self._resolve(node, call, self.by_id.get(tensor_id, []))
            return [found] if found else []
        found: list[str] = []
        seen: set[int] = set()
        pending = [grad]
        while pending:
            current = pending.pop()
            if current is None or id(current) in seen:
                continue
            seen.add(id(current))
            producers = self.by_grad.get(id(current))
            if producers:
                source = self._resolve(node, call, producers)
                if source is not None:
                    if source not in found:
                        found.append(source)
                    continue
            variable = getattr(current, "variable", None)  # a leaf: a parameter or constant
            if variable is not None:
                rows = self.parameter_rows.get(id(variable))
                source = self._resolve(node, call, rows) if rows else None
                if source is not None and source not in found:
                    found.append(source)
                continue
            pending.extend(next_node for next_node, _ in current.next_functions)
        return found

    def _resolve(
        self, node: _Node, call: _Call, producers: list[tuple[int, _Node | str]]
    ) -> str | None:
        """The latest producer among the node's siblings, else among its ancestors' siblings."""
        ancestor: _Node | None = node
        while ancestor is not None and ancestor.parent is not None:
            level = ancestor.parent
            best = None
            for when, producer in producers:
                if when >= call.start:
                    continue
                if isinstance(producer, str):
                    if level is self.root and (best is None or when > best[0]):
                        best = (when, producer)
                elif producer.parent is level and producer is not node:
                    if best is None or when > best[0]:
                        best = (when, producer.path)
            if best is not None:
                fed = (best[1], self.call_number.get(best[0], 0))
                if best[0] >= 0 and fed not in self.feeds[node.path]:
                    self.feeds[node.path].append(fed)
                return best[1]
            ancestor = level
        return None


# The model tree --------------------------------------------------------------------------


def _model_tree(model: nn.Module, trace: _Trace) -> ModelTree:
    rows: dict[int, Row] = {}
    for node in _rows(trace):
        rows[id(node)] = _row(node, rows.get(id(node.parent)), trace)
    return ModelTree(
        name=type(model).__name__,
        class_name=type(model).__name__,
        framework="torch",
        framework_version=torch.__version__,
        inputs=trace.inputs,
        outputs=trace.outputs,
        rows=list(rows.values()),
        tensors=[
            *(_held("", p, is_buffer=False) for p in model.parameters()),
            *(_held("", b, is_buffer=True) for b in model.buffers()),
        ],
    )


def _rows(trace: _Trace) -> list[_Node]:
    """The nodes shown as rows: containers open, a leaf's own submodules folded into it
    (MultiheadAttention's ``out_proj`` is not called as a module). A model that is one
    module (an ``nn.LSTM``) is one row."""
    root = trace.root
    if not root.is_container:
        name = type(root.module).__name__.lower()
        node = _Node(module=root.module, path=name, name=name, depth=0, parent=root)
        node.calls = root.calls
        trace.inbound[name] = [info.name for info in trace.inputs]
        return [node]
    found = []
    pending = list(reversed(root.children))
    while pending:
        node = pending.pop()
        found.append(node)
        if node.is_container:
            pending.extend(reversed(node.children))
    return found


def _row(node: _Node, parent: Row | None, trace: _Trace) -> Row:
    """A module, or a container's own parameter or buffer (a ViT's class token), as a row;
    a leaf counts its submodules' tensors too, a container none of its rows' tensors."""
    if node.tensor is not None:  # shown with its shape, as an input
        name, tensor, is_buffer = node.tensor
        shape = tuple(int(dim) for dim in tensor.shape)
        return Row(
            path=node.path,
            name=node.name,
            class_name="Buffer" if is_buffer else "Parameter",
            depth=node.depth,
            parent=parent,
            tensors=[_held(name, tensor, is_buffer)],
            config={"shape": list(shape)},
            inbound=trace.inbound.get(node.path, []),
            feeds=trace.feeds.get(node.path, []),
            standing_shapes=((shape,),),
        )
    module = node.module
    tensors = []
    if not node.is_container:
        tensors += [_held(name, p, is_buffer=False) for name, p in module.named_parameters()]
        tensors += [_held(name, b, is_buffer=True) for name, b in module.named_buffers()]
    return Row(
        path=node.path,
        name=node.name,
        class_name=type(module).__name__,
        depth=node.depth,
        parent=parent,
        calls=node.calls,
        tensors=tensors,
        config=_config(module),
        is_container=node.is_container,
        base_classes=tuple(
            base.__name__
            for base in type(module).__mro__[1:]
            if issubclass(base, nn.Module) and base is not nn.Module
        ),
        inbound=trace.inbound.get(node.path, []),
        feeds=trace.feeds.get(node.path, []),
    )


def _held(name: str, tensor: torch.Tensor, is_buffer: bool) -> HeldTensor:
    """Trainable is PyTorch's ``requires_grad``, for parameters only."""
    weight = Weight(
        name=name,
        shape=tuple(int(dim) for dim in tensor.shape),
        dtype=_dtype_name(tensor.dtype),
        trainable=bool(tensor.requires_grad) if isinstance(tensor, nn.Parameter) else False,
    )
    return HeldTensor(key=id(tensor), weight=weight, is_buffer=is_buffer)


def _config(module: nn.Module) -> dict[str, Any]:
    """The module's plain attributes (sizes, flags), which is what formulas and renderers read."""
    attributes = {
        key: value
        for key, value in vars(module).items()
        if (not key.startswith("_") or key == "_qkv_same_embed_dim") and key not in _CONFIG_SKIP
    }
    config = {key.lstrip("_"): value for key, value in plain_config(attributes).items()}
    for name, parameter in module._parameters.items():  # None where e.g. bias=False
        config[f"has_{name}"] = parameter is not None
    return dict(sorted(config.items()))
