//! Gives the shared library libzmq's SONAME so binaries linked against
//! Debian's libzmq.so.5 load ours unchanged, and sets the `zmq_draft` cfg.
//!
//! `zmq_draft` is always on for Rust: it marks libzmq's draft API so that
//! cbindgen (whose config maps it to `ZMQ_BUILD_DRAFT_API`) wraps those
//! items in `#ifdef ZMQ_BUILD_DRAFT_API`, as libzmq's own header does.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(zmq_draft)");
    println!("cargo::rustc-cfg=zmq_draft");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libzmq.so.5");
}
