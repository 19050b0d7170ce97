"""The messages between the grader and its sandbox: JSON with raw NumPy arrays, never pickle.

A message is one frame: a marker, two 4-byte big-endian lengths, a JSON header, then the bytes of
its arrays::

    | MARKER | len(header) | len(body) | header (UTF-8 JSON) | body (the arrays, one after the other) |

(The grader skips bytes that do not start with the marker: what a student's code writes into the
pipe on its own is ignored, not taken for a message.)

The header is a JSON object: the message's own fields (``op`` and plain strings and numbers), a
field ``values`` holding the encoded Python values it carries (arguments, a return value), and a
field ``arrays`` listing the dtype and shape of each array in the body. Values are encoded as JSON
(None, bool, int, float, str, list) and tagged objects for the rest::

    {"$": "tuple", "v": [...]}        {"$": "dict", "k": [...], "v": [...]}
    {"$": "nd", "i": 0}   an ndarray, the body's array 0 (bool, integer, float or complex)
    {"$": "np", "i": 1}   a NumPy scalar, stored as a 0-d array
    {"$": "complex", "re": 1.0, "im": 2.0}
    {"$": "fn", "id": 3}  a function of the grader's, called back through the grader (see main.py)
    {"$": "other", "type": "MyCache"}   anything else: only the name of its type crosses

Decoding checks everything (sizes, nesting, dtypes, shapes against the body's length) and builds
only plain Python values and fresh, writable NumPy arrays: nothing in a message is executed.
"""

from __future__ import annotations

import json
import re
import struct

import numpy as np

MAX_HEADER = 16 * 2**20      # bytes of JSON in one message
MAX_BODY = 64 * 2**20        # bytes of array data in one message (the default; the reader may lower it)
MAX_DEPTH = 40               # nesting of lists, tuples and dicts
MAX_NODES = 200_000          # values in one message
MAX_NDIM = 32
MARKER = b"\x00RNNCOURSE-GRADE\x01"
_PREFIX = struct.Struct(">II")
_DTYPE = re.compile(r"[<|][biufc]\d{1,2}")
_KINDS = "biufc"


class WireError(ValueError):
    """A message that is not valid data (too large, malformed, an unknown tag...)."""


class Unreadable:
    """Stands for a value that could not cross as data: an object of a class of the student's.

    Only the name of its type crosses (``type(value).__name__`` is that name), so a test that
    checks the type says what was returned.
    """

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object>"


_UNREADABLE: dict = {}


def unreadable(type_name: str) -> Unreadable:
    """An :class:`Unreadable` whose class is named ``type_name`` (cleaned: letters, digits, ``_ . < >`` and spaces)."""
    name = re.sub(r"[^\w. <>]", "_", str(type_name))[:60] or "object"
    cls = _UNREADABLE.get(name)
    if cls is None:
        cls = type(name, (Unreadable,), {"__module__": "sandbox"})
        if len(_UNREADABLE) < 512:
            _UNREADABLE[name] = cls
    return cls()


class _Count:
    def __init__(self):
        self.nodes = 0

    def step(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise WireError(f"more than {MAX_NODES:,} values in one message")
        if depth > MAX_DEPTH:
            raise WireError(f"values nested more than {MAX_DEPTH} deep")


def _array_node(array: np.ndarray, arrays: list, tag: str):
    if array.dtype.kind not in _KINDS:
        return {"$": "other", "type": f"{'ndarray' if tag == 'nd' else 'numpy scalar'} of dtype {array.dtype}"}
    array = np.asarray(array, dtype=array.dtype.newbyteorder("<"), order="C")     # (keeps 0-d arrays 0-d)
    arrays.append(array)
    return {"$": tag, "i": len(arrays) - 1}


def _encode(value, arrays: list, depth: int, count: _Count, function_id):
    count.step(depth)
    if value is None or type(value) in (bool, str):
        return value
    if isinstance(value, np.generic):
        return _array_node(np.asarray(value), arrays, "np")
    if isinstance(value, np.ndarray):
        return _array_node(value.view(np.ndarray), arrays, "nd")
    if type(value) is int:
        return value if -2**63 <= value < 2**63 else {"$": "other", "type": "int wider than 64 bits"}
    if type(value) is float:
        return value
    if type(value) is complex:
        return {"$": "complex", "re": value.real, "im": value.imag}
    if isinstance(value, list):
        return [_encode(v, arrays, depth + 1, count, function_id) for v in list(value)]
    if isinstance(value, tuple):
        return {"$": "tuple", "v": [_encode(v, arrays, depth + 1, count, function_id) for v in tuple(value)]}
    if isinstance(value, dict):
        items = list(dict.items(value))
        return {"$": "dict", "k": [_encode(k, arrays, depth + 1, count, function_id) for k, _ in items],
                "v": [_encode(v, arrays, depth + 1, count, function_id) for _, v in items]}
    if isinstance(value, (int, float, str)):       # subclasses: their plain value
        for kind in (bool, int, float, str):
            if isinstance(value, kind):
                return _encode(kind(value), arrays, depth, count, function_id)
    if callable(value) and function_id is not None:
        return {"$": "fn", "id": function_id(value)}
    return {"$": "other", "type": type(value).__name__}


def pack(message: dict, values: dict | None = None, function_id=None) -> bytes:
    """One frame: ``message``'s fields, plus ``values`` (name -> Python value) encoded as data.

    ``function_id(f) -> int``, if given, lets callables cross as ``{"$": "fn"}`` (the grader's
    side); without it a callable crosses as ``other``. Raises :class:`WireError` when the values
    are too many, too deep or too large.
    """
    arrays: list = []
    count = _Count()
    encoded = {name: _encode(v, arrays, 0, count, function_id) for name, v in (values or {}).items()}
    header = dict(message, values=encoded, arrays=[[a.dtype.str, list(a.shape)] for a in arrays])
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    body_size = sum(a.nbytes for a in arrays)
    if len(head) > MAX_HEADER or body_size > MAX_BODY:
        raise WireError(f"a message of {(len(head) + body_size) / 2**20:.0f} MB is too large")
    return b"".join([MARKER, _PREFIX.pack(len(head), body_size), head] + [a.tobytes() for a in arrays])


def read_frame(read_exact, max_body: int = MAX_BODY, marked: bool = False) -> tuple[bytes, bytearray]:
    """(header bytes, body) of the next frame; ``read_exact(n)`` returns exactly n bytes or raises.

    ``marked``: the marker has already been read (the grader finds it itself, skipping junk).
    """
    if not marked and bytes(read_exact(len(MARKER))) != MARKER:
        raise WireError("a message that does not start with the marker")
    head_size, body_size = _PREFIX.unpack(bytes(read_exact(_PREFIX.size)))
    if head_size > MAX_HEADER:
        raise WireError(f"a message header of {head_size / 2**20:.0f} MB is too large")
    if body_size > max_body:
        raise WireError(f"{body_size / 2**20:.0f} MB of array data in one message is too much "
                        f"(at most {max_body / 2**20:.0f} MB)")
    return bytes(read_exact(head_size)), bytearray(read_exact(body_size)) if body_size else bytearray()


def _arrays(specs, body: bytearray) -> list:
    if not isinstance(specs, list):
        raise WireError("the message lists no arrays")
    arrays, offset = [], 0
    for spec in specs:
        if not (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], str)
                and _DTYPE.fullmatch(spec[0]) and isinstance(spec[1], list) and len(spec[1]) <= MAX_NDIM
                and all(type(n) is int and 0 <= n <= 2**40 for n in spec[1])):
            raise WireError("an array with an invalid dtype or shape")
        try:
            dtype = np.dtype(spec[0])
        except TypeError:
            raise WireError(f"an array of unknown dtype {spec[0]!r}") from None
        if dtype.kind not in _KINDS or dtype.itemsize > 32:
            raise WireError(f"an array of dtype {spec[0]!r}")
        size = 1
        for n in spec[1]:
            size *= n
        nbytes = size * dtype.itemsize
        if offset + nbytes > len(body):
            raise WireError("the array data is shorter than its shapes say")
        arrays.append(np.frombuffer(body, dtype=dtype, count=size, offset=offset).reshape(spec[1]))
        offset += nbytes
    if offset != len(body):
        raise WireError("the array data is longer than its shapes say")
    return arrays


def _decode(node, arrays: list, depth: int, count: _Count, make_function):
    count.step(depth)
    kind = type(node)
    if node is None or kind in (bool, int, float, str):
        return node
    if kind is list:
        return [_decode(v, arrays, depth + 1, count, make_function) for v in node]
    if kind is not dict:
        raise WireError(f"an unexpected JSON value of type {kind.__name__}")
    tag = node.get("$")
    if tag == "tuple" and type(node.get("v")) is list:
        return tuple(_decode(v, arrays, depth + 1, count, make_function) for v in node["v"])
    if tag == "dict" and type(node.get("k")) is list and type(node.get("v")) is list \
            and len(node["k"]) == len(node["v"]):
        keys = [_decode(k, arrays, depth + 1, count, make_function) for k in node["k"]]
        values = [_decode(v, arrays, depth + 1, count, make_function) for v in node["v"]]
        try:
            return dict(zip(keys, values))
        except TypeError:
            raise WireError("a dict key that cannot be a key") from None
    if tag in ("nd", "np") and type(node.get("i")) is int and 0 <= node["i"] < len(arrays):
        array = arrays[node["i"]]
        if tag == "nd":
            return array
        if array.ndim != 0:
            raise WireError("a NumPy scalar that is not 0-d")
        return array[()]
    if tag == "complex" and all(type(node.get(k)) in (int, float) for k in ("re", "im")):
        return complex(node["re"], node["im"])
    if tag == "fn" and type(node.get("id")) is int and make_function is not None:
        return make_function(node["id"])
    if tag == "other" and isinstance(node.get("type"), str):
        return unreadable(node["type"])
    raise WireError(f"an unknown value tag {str(tag)[:40]!r}")


def unpack(head: bytes, body: bytearray, make_function=None) -> tuple[dict, dict]:
    """(message fields, decoded values) of a frame read by :func:`read_frame`.

    ``make_function(id)``, if given, turns ``{"$": "fn"}`` into a callable (the sandbox's side);
    without it such a value is an error. Raises :class:`WireError` for anything that is not valid.
    """
    try:
        header = json.loads(head.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise WireError(f"the message is not JSON ({type(error).__name__})") from None
    if not isinstance(header, dict) or not isinstance(header.get("op"), str):
        raise WireError("the message has no operation")
    arrays = _arrays(header.pop("arrays", None), body)
    values = header.pop("values", {})
    if not isinstance(values, dict):
        raise WireError("the message's values are not named")
    count = _Count()
    try:
        decoded = {str(name): _decode(v, arrays, 0, count, make_function) for name, v in values.items()}
    except RecursionError:
        raise WireError("values nested too deeply") from None
    return header, decoded
