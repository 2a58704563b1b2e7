//! libzmq 4.3's C ABI over zmq-core: the functions, types and constants of
//! `zmq.h`, one file per API family. `include/zmq.h` is generated from this
//! crate by cbindgen (see tests/header.rs).
//!
//! The C names (`zmq_msg_t`, `zmq_free_fn`...) are kept as they are.
#![allow(non_camel_case_types)]

pub mod constants;
pub mod context;
pub(crate) mod errno;
pub mod message;
pub mod poll;
pub mod socket;
pub mod timers;
pub mod utility;
