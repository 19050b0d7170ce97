"""The data format between the grader and its sandbox: what crosses, and what is refused.

Values cross as JSON plus raw NumPy arrays (rnncourse/grade/child/wire.py); the grader decodes
only plain Python values and fresh arrays of numbers, and checks every size, dtype and shape.
"""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from rnncourse.grade.child import wire


def reader(data: bytes):
    """``read_exact(n)`` over ``data``."""
    data = memoryview(data)

    def read_exact(n):
        nonlocal data
        chunk, data = bytes(data[:n]), data[n:]
        if len(chunk) < n:
            raise EOFError
        return chunk

    return read_exact


def roundtrip(value):
    head, body = wire.read_frame(reader(wire.pack({"op": "result"}, {"value": value})))
    return wire.unpack(head, body)[1]["value"]


def test_values_cross_as_they_were():
    value = {"a": (np.arange(6, dtype=np.float32).reshape(2, 3), [1, 2.5, None, True, "s"]),
             3: np.float64(0.25), "c": complex(1, 2), "big": np.zeros((0, 4)), "b": np.array([True, False])}
    back = roundtrip(value)
    assert back.keys() == value.keys() and isinstance(back["a"], tuple) and isinstance(back["a"][1], list)
    assert back["a"][0].dtype == np.float32 and np.array_equal(back["a"][0], value["a"][0])
    assert back["a"][0].flags.writeable
    assert back[3] == 0.25 and isinstance(back[3], np.float64) and back["c"] == 1 + 2j
    assert back["big"].shape == (0, 4) and back["b"].dtype == bool
    big_endian = np.arange(3, dtype=">i4")
    assert np.array_equal(roundtrip(big_endian), big_endian)


def test_objects_cross_as_the_name_of_their_type_only():
    class Secret:
        def __reduce__(self):                 # pickle would call this: the wire never does
            raise AssertionError("pickled")

    back = roundtrip([Secret(), np.array(["text"]), np.array([Secret()], dtype=object), lambda: 1])
    assert [type(v).__name__ for v in back] == ["Secret", "ndarray of dtype <U4", "ndarray of dtype object",
                                                "function"]
    assert all(isinstance(v, wire.Unreadable) for v in back)


def test_functions_cross_only_when_the_grader_sends_them():
    sent = []
    frame = wire.pack({"op": "call"}, {"args": [len]}, function_id=lambda f: sent.append(f) or 0)
    head, body = wire.read_frame(reader(frame))
    made = wire.unpack(head, body, make_function=lambda number: ("stub", number))[1]
    assert sent == [len] and made == {"args": [("stub", 0)]}
    with pytest.raises(wire.WireError, match="unknown value tag"):      # the grader accepts none
        wire.unpack(head, body)


def frame(header: dict, body: bytes = b"") -> tuple[bytes, bytearray]:
    return json.dumps(header).encode(), bytearray(body)


@pytest.mark.parametrize("header, body, problem", [
    ({"op": "result", "arrays": [["|O8", [1]]], "values": {"v": {"$": "nd", "i": 0}}}, b"\0" * 8, "invalid dtype"),
    ({"op": "result", "arrays": [["<f8", [2]]], "values": {}}, b"\0" * 8, "shorter"),
    ({"op": "result", "arrays": [["<f8", [1]]], "values": {}}, b"\0" * 16, "longer"),
    ({"op": "result", "arrays": [], "values": {"v": {"$": "nd", "i": 3}}}, b"", "unknown value tag"),
    ({"op": "result", "arrays": [], "values": {"v": {"$": "pickle", "data": "gASV"}}}, b"", "unknown value tag"),
    ({"op": "result", "arrays": [], "values": {"v": {"$": "fn", "id": 0}}}, b"", "unknown value tag"),
    ({"arrays": [], "values": {}}, b"", "no operation"),
])
def test_invalid_messages_are_refused(header, body, problem):
    with pytest.raises(wire.WireError, match=problem):
        wire.unpack(*frame(header, body))


def test_nesting_and_sizes_are_bounded():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="nested"):
        wire.pack({"op": "result"}, {"value": deep})
    with pytest.raises(wire.WireError, match="nested"):
        wire.unpack(json.dumps({"op": "r", "arrays": [], "values": {"v": json.loads("[" * 100 + "]" * 100)}}).encode(),
                    bytearray())
    with pytest.raises(wire.WireError, match="too large"):
        wire.pack({"op": "result"}, {"value": np.zeros(wire.MAX_BODY // 8 + 1)})
    with pytest.raises(wire.WireError, match="too much"):
        wire.read_frame(reader(wire.MARKER + struct.pack(">II", 10, 2**30)))
    with pytest.raises(wire.WireError, match="marker"):
        wire.read_frame(reader(b"junk" + wire.pack({"op": "result"})))
