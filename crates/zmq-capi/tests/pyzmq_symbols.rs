//! Every zmq_* symbol that pyzmq's backend imports is exported by our
//! libzmq.so. The list is `nm -D --undefined-only` of
//! zmq/backend/cython/_zmq.cpython-311-x86_64-linux-gnu.so from the pyzmq
//! 27.3.0 cp311 manylinux wheel; recheck it when pyzmq moves.

mod common;

use std::ffi::CString;

const PYZMQ_IMPORTS: &[&str] = &[
    "zmq_bind",
    "zmq_close",
    "zmq_connect",
    "zmq_ctx_destroy",
    "zmq_ctx_get",
    "zmq_ctx_new",
    "zmq_ctx_set",
    "zmq_curve_keypair",
    "zmq_curve_public",
    "zmq_disconnect",
    "zmq_errno",
    "zmq_getsockopt",
    "zmq_has",
    "zmq_msg_close",
    "zmq_msg_copy",
    "zmq_msg_data",
    "zmq_msg_get",
    "zmq_msg_gets",
    "zmq_msg_init",
    "zmq_msg_init_data",
    "zmq_msg_init_size",
    "zmq_msg_recv",
    "zmq_msg_send",
    "zmq_msg_set",
    "zmq_msg_size",
    "zmq_poll",
    "zmq_proxy",
    "zmq_proxy_steerable",
    "zmq_recv",
    "zmq_setsockopt",
    "zmq_socket",
    "zmq_socket_monitor",
    "zmq_strerror",
    "zmq_unbind",
    "zmq_version",
];

#[test]
fn our_library_exports_every_symbol_pyzmq_imports() {
    let path = common::cdylib();
    let c_path = CString::new(path.to_str().expect("UTF-8 path")).expect("no NUL");
    // SAFETY: dlopen of our own cdylib, whose initialisers are Rust's
    // (none with side effects); the handle is closed below.
    let handle = unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    assert!(!handle.is_null(), "dlopen({}) failed", path.display());
    let missing: Vec<&str> = PYZMQ_IMPORTS
        .iter()
        .copied()
        .filter(|name| {
            let c_name = CString::new(*name).expect("no NUL");
            // SAFETY: `handle` is live; dlsym only looks the name up.
            unsafe { libc::dlsym(handle, c_name.as_ptr()) }.is_null()
        })
        .collect();
    // SAFETY: `handle` came from dlopen and is not used afterwards.
    unsafe { libc::dlclose(handle) };
    assert!(
        missing.is_empty(),
        "{} does not export these symbols pyzmq imports: {missing:?}",
        path.display()
    );
}
