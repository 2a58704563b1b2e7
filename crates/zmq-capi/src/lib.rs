//! libzmq 4.3's C ABI over zmq-core.
