"""The tensors of a session: the safetensors layout written as views of the tensors
(no copy) and read back strictly, the members they are grouped into, and the JSON tree
whose tensors are moved out into them (and joined back in)."""
from __future__ import annotations

import json
import math
import zipfile
from typing import Any, Callable

import torch

from .. import limits
from .format import CHUNK

_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16",
           torch.bfloat16: "BF16", torch.int64: "I64", torch.int32: "I32",
           torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


class Parts(list):
    """A member's bytes as consecutive buffers, hashed and written one after the other
    without ever being joined (joining 11 MB of tensors cost a third of a save)."""

    @property
    def nbytes(self) -> int:
        return sum(memoryview(part).nbytes for part in self)

    def __bytes__(self) -> bytes:
        return b"".join(self)


def tensors_to_parts(tensors: dict[str, torch.Tensor]) -> Parts:
    """The safetensors format (8-byte header length, JSON header, raw little-endian
    data) as views of the tensors themselves: no copy at all; safetensors.torch.save
    made several (13 ms for 11 MB). Read back by `bytes_to_tensors`, which is strict."""
    header: dict[str, Any] = {}
    chunks: list[memoryview] = []
    offset = 0
    # Widest types first: every tensor then starts aligned to its own item size.
    ordered = sorted(tensors.items(), key=lambda item: -item[1].element_size())
    for name, tensor in ordered:
        tensor = tensor.detach().cpu().contiguous()
        raw = memoryview(tensor.view(-1).view(torch.uint8).numpy()) if tensor.numel() \
            else memoryview(b"")
        header[name] = {"dtype": _DTYPES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + raw.nbytes]}
        chunks.append(raw)
        offset += raw.nbytes
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    return Parts([len(text).to_bytes(8, "little"), text, *chunks])


_FROM_CODE = {code: dtype for dtype, code in _DTYPES.items()}
# A tensors member's JSON header: its names, dtypes, shapes and offsets (about 100 bytes a
# tensor; a member holds about CHUNK bytes of them), parsed within the JSON budget.
MAX_TENSOR_HEADER = 4 * 2**20


def bytes_to_tensors(buffer: bytearray) -> dict[str, torch.Tensor]:
    """Read the safetensors layout strictly: known dtypes only, every tensor inside the
    data and exactly as long as its shape says. Tensors are views into `buffer`."""
    if len(buffer) < 8:
        raise ValueError("too short")
    length = int.from_bytes(buffer[:8], "little")
    header = _tensor_header(length, len(buffer), lambda: bytes(memoryview(buffer)[8:8 + length]))
    base = 8 + length
    return {name: (torch.frombuffer(buffer, dtype=dtype, count=count,
                                    offset=base + begin).reshape(shape)
                   if count else torch.empty(shape, dtype=dtype))
            for name, dtype, shape, begin, count in _tensor_layout(header, len(buffer) - base)}


def _tensor_header(length: int, total: int, read: Callable[[], bytes]) -> Any:
    """The JSON header of a safetensors body of `total` bytes, within its budget."""
    if length > min(total - 8, MAX_TENSOR_HEADER):
        raise ValueError(f"its header of {length:,} bytes is out of range (at most "
                         f"{MAX_TENSOR_HEADER:,})")
    header = limits.loads(read(), MAX_TENSOR_HEADER)
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    return header


def _tensor_layout(header: dict[str, Any], size: int) -> list[tuple]:
    """(name, dtype, shape, begin, count) per tensor, each checked to fit `size` bytes."""
    layout = []
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        dtype = _FROM_CODE[meta["dtype"]]
        shape = [int(d) for d in meta["shape"]]
        begin, end = (int(o) for o in meta["data_offsets"])
        count = math.prod(shape)
        item = torch.empty((), dtype=dtype).element_size()
        if min(shape, default=0) < 0 or not 0 <= begin <= end <= size or \
                end - begin != count * item:
            raise ValueError(f"tensor {name} does not fit its data")
        layout.append((name, dtype, shape, begin, count))
    return layout


def check_tensor_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A safetensors member's header and layout, read from the start of its stream
    before the member is kept: damage in a large member costs its header, not its size."""
    with archive.open(info) as member:
        head = member.read(8)
        if len(head) < 8:
            raise ValueError("too short")
        length = int.from_bytes(head, "little")
        header = _tensor_header(length, info.file_size, lambda: member.read(length))
    _tensor_layout(header, info.file_size - 8 - length)


def tensor_members(tensors: dict[str, torch.Tensor]) -> dict[str, Parts]:
    """Tensors grouped into members of about CHUNK bytes each."""
    groups: list[dict[str, torch.Tensor]] = [{}]
    filled = 0
    for name, tensor in tensors.items():
        size = tensor.numel() * tensor.element_size()
        if filled and filled + size > CHUNK:
            groups.append({})
            filled = 0
        groups[-1][name] = tensor
        filled += size
    return {f"tensors-{i:03d}.safetensors": tensors_to_parts(group)
            for i, group in enumerate(groups)}


# ------------------------------------------------------------- tensors <-> JSON

def split_tensors(value: Any, tensors: dict[str, torch.Tensor], path: str = "s") -> Any:
    """A JSON-able copy of `value` whose tensors are moved into `tensors`."""
    if isinstance(value, torch.Tensor):
        key = path
        tensors[key] = value  # the trainer's state_dict() is already a private copy
        return {"$tensor": key}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"$dict": {k: split_tensors(v, tensors, f"{path}.{k}")
                              for k, v in value.items()}}
        return {"$items": [[split_tensors(k, tensors, f"{path}.k{i}"),
                            split_tensors(v, tensors, f"{path}.{i}")]
                           for i, (k, v) in enumerate(value.items())]}
    if isinstance(value, (tuple, list)) and all(type(v) is int for v in value):
        plain = list(value)  # e.g. Python's RNG state, 625 ints: no walk item by item
        return {"$tuple": plain} if isinstance(value, tuple) else plain
    if isinstance(value, tuple):
        return {"$tuple": [split_tensors(v, tensors, f"{path}.{i}") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [split_tensors(v, tensors, f"{path}.{i}") for i, v in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": repr(value)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__} in a session file")


def join_tensors(value: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(value, list):
        return [join_tensors(v, tensors) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise ValueError("malformed state")
    (tag, body), = value.items()
    if tag == "$tensor":
        return tensors[body]
    if tag == "$dict":
        return {k: join_tensors(v, tensors) for k, v in body.items()}
    if tag == "$items":
        return {join_tensors(k, tensors): join_tensors(v, tensors) for k, v in body}
    if tag == "$tuple":
        return tuple(join_tensors(v, tensors) for v in body)
    if tag == "$float":
        return float(body)
    raise ValueError(f"unknown tag {tag}")
