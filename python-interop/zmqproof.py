"""Proof, from inside a pyzmq process, of which libzmq serves pyzmq's calls.

When the environment names a library in ZMQ_PROVE_LIB (the tests set it
together with LD_PRELOAD), `prove(socket)` opens that library with ctypes and
asks IT for the type of a socket pyzmq created. A libzmq only answers for
sockets it made itself (ours rejects foreign pointers with ENOTSOCK), so the
right answer shows pyzmq's socket came from that library, not merely that
the library was mapped. It also checks that pyzmq's zmq_version() is the
one that library reports. On success it prints one line starting "PROOF";
on failure it exits with status 3.
"""

import ctypes
import os
import sys

import zmq

ZMQ_TYPE = 16


def _fail(message):
    print(f"error: proof failed: {message}", file=sys.stderr, flush=True)
    sys.exit(3)


def prove(socket):
    path = os.environ.get("ZMQ_PROVE_LIB")
    if not path:
        return
    lib = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
    lib.zmq_getsockopt.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_size_t),
    ]
    lib.zmq_getsockopt.restype = ctypes.c_int
    lib.zmq_errno.restype = ctypes.c_int

    value = ctypes.c_int(-1)
    size = ctypes.c_size_t(ctypes.sizeof(value))
    rc = lib.zmq_getsockopt(
        ctypes.c_void_p(socket.underlying), ZMQ_TYPE, ctypes.byref(value), ctypes.byref(size)
    )
    if rc != 0:
        _fail(f"{path} does not know pyzmq's socket (errno {lib.zmq_errno()})")
    if value.value != int(socket.type):
        _fail(f"{path} says socket type {value.value}, pyzmq made {int(socket.type)}")

    major, minor, patch = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    lib.zmq_version(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch))
    theirs = f"{major.value}.{minor.value}.{patch.value}"
    if zmq.zmq_version() != theirs:
        _fail(f"pyzmq reports libzmq {zmq.zmq_version()} but {path} is {theirs}")

    print(
        f"PROOF socket type {value.value} answered by {path}; zmq_version {zmq.zmq_version()}",
        flush=True,
    )
