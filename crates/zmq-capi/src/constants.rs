//! Every constant of libzmq 4.3's `zmq.h`, with libzmq's values.
//!
//! cbindgen turns each `pub const` here into a `#define` of `include/zmq.h`,
//! in this order. Items marked `#[cfg(zmq_draft)]` belong to libzmq's draft
//! API: `zmq_draft` is always set for Rust (see build.rs) and only makes
//! cbindgen wrap them in `#ifdef ZMQ_BUILD_DRAFT_API`, as libzmq's header does.
//! The POSIX errnos libzmq defines only where the OS lacks them (ENOTSUP,
//! EADDRINUSE...) come from `<errno.h>` on Linux; the header's preamble
//! (cbindgen.toml) carries libzmq's `#ifndef` fallbacks for them.
//!
//! `ALL` lists every constant by name, so tests can compare the header,
//! libzmq's header and this module.

use std::ffi::c_int;

/// Lists constants as `(name, value)` pairs, taking each value from the
/// `const` item of that name.
macro_rules! named {
    ($($name:ident),* $(,)?) => {
        &[$((stringify!($name), $name as i64)),*]
    };
}

// Version.
pub const ZMQ_VERSION_MAJOR: c_int = 4;
pub const ZMQ_VERSION_MINOR: c_int = 3;
pub const ZMQ_VERSION_PATCH: c_int = 5;

// Errors. A number random enough not to collide with any OS's errno range.
pub const ZMQ_HAUSNUMERO: c_int = 156384712;
/// Native 0MQ error: the operation is not valid in the socket's state.
pub const EFSM: c_int = ZMQ_HAUSNUMERO + 51;
/// Native 0MQ error: the transport does not fit the socket type.
pub const ENOCOMPATPROTO: c_int = ZMQ_HAUSNUMERO + 52;
/// Native 0MQ error: the context was terminated.
pub const ETERM: c_int = ZMQ_HAUSNUMERO + 53;
/// Native 0MQ error: no I/O thread is available.
pub const EMTHREAD: c_int = ZMQ_HAUSNUMERO + 54;

// Context options.
pub const ZMQ_IO_THREADS: c_int = 1;
pub const ZMQ_MAX_SOCKETS: c_int = 2;
pub const ZMQ_SOCKET_LIMIT: c_int = 3;
pub const ZMQ_THREAD_PRIORITY: c_int = 3;
pub const ZMQ_THREAD_SCHED_POLICY: c_int = 4;
pub const ZMQ_MAX_MSGSZ: c_int = 5;
pub const ZMQ_MSG_T_SIZE: c_int = 6;
pub const ZMQ_THREAD_AFFINITY_CPU_ADD: c_int = 7;
pub const ZMQ_THREAD_AFFINITY_CPU_REMOVE: c_int = 8;
pub const ZMQ_THREAD_NAME_PREFIX: c_int = 9;

// Defaults for new contexts.
pub const ZMQ_IO_THREADS_DFLT: c_int = 1;
pub const ZMQ_MAX_SOCKETS_DFLT: c_int = 1023;
pub const ZMQ_THREAD_PRIORITY_DFLT: c_int = -1;
pub const ZMQ_THREAD_SCHED_POLICY_DFLT: c_int = -1;

// Socket types.
pub const ZMQ_PAIR: c_int = 0;
pub const ZMQ_PUB: c_int = 1;
pub const ZMQ_SUB: c_int = 2;
pub const ZMQ_REQ: c_int = 3;
pub const ZMQ_REP: c_int = 4;
pub const ZMQ_DEALER: c_int = 5;
pub const ZMQ_ROUTER: c_int = 6;
pub const ZMQ_PULL: c_int = 7;
pub const ZMQ_PUSH: c_int = 8;
pub const ZMQ_XPUB: c_int = 9;
pub const ZMQ_XSUB: c_int = 10;
pub const ZMQ_STREAM: c_int = 11;

// Deprecated socket type aliases.
pub const ZMQ_XREQ: c_int = ZMQ_DEALER;
pub const ZMQ_XREP: c_int = ZMQ_ROUTER;

// Socket options.
pub const ZMQ_AFFINITY: c_int = 4;
pub const ZMQ_ROUTING_ID: c_int = 5;
pub const ZMQ_SUBSCRIBE: c_int = 6;
pub const ZMQ_UNSUBSCRIBE: c_int = 7;
pub const ZMQ_RATE: c_int = 8;
pub const ZMQ_RECOVERY_IVL: c_int = 9;
pub const ZMQ_SNDBUF: c_int = 11;
pub const ZMQ_RCVBUF: c_int = 12;
pub const ZMQ_RCVMORE: c_int = 13;
pub const ZMQ_FD: c_int = 14;
pub const ZMQ_EVENTS: c_int = 15;
pub const ZMQ_TYPE: c_int = 16;
pub const ZMQ_LINGER: c_int = 17;
pub const ZMQ_RECONNECT_IVL: c_int = 18;
pub const ZMQ_BACKLOG: c_int = 19;
pub const ZMQ_RECONNECT_IVL_MAX: c_int = 21;
pub const ZMQ_MAXMSGSIZE: c_int = 22;
pub const ZMQ_SNDHWM: c_int = 23;
pub const ZMQ_RCVHWM: c_int = 24;
pub const ZMQ_MULTICAST_HOPS: c_int = 25;
pub const ZMQ_RCVTIMEO: c_int = 27;
pub const ZMQ_SNDTIMEO: c_int = 28;
pub const ZMQ_LAST_ENDPOINT: c_int = 32;
pub const ZMQ_ROUTER_MANDATORY: c_int = 33;
pub const ZMQ_TCP_KEEPALIVE: c_int = 34;
pub const ZMQ_TCP_KEEPALIVE_CNT: c_int = 35;
pub const ZMQ_TCP_KEEPALIVE_IDLE: c_int = 36;
pub const ZMQ_TCP_KEEPALIVE_INTVL: c_int = 37;
pub const ZMQ_IMMEDIATE: c_int = 39;
pub const ZMQ_XPUB_VERBOSE: c_int = 40;
pub const ZMQ_ROUTER_RAW: c_int = 41;
pub const ZMQ_IPV6: c_int = 42;
pub const ZMQ_MECHANISM: c_int = 43;
pub const ZMQ_PLAIN_SERVER: c_int = 44;
pub const ZMQ_PLAIN_USERNAME: c_int = 45;
pub const ZMQ_PLAIN_PASSWORD: c_int = 46;
pub const ZMQ_CURVE_SERVER: c_int = 47;
pub const ZMQ_CURVE_PUBLICKEY: c_int = 48;
pub const ZMQ_CURVE_SECRETKEY: c_int = 49;
pub const ZMQ_CURVE_SERVERKEY: c_int = 50;
pub const ZMQ_PROBE_ROUTER: c_int = 51;
pub const ZMQ_REQ_CORRELATE: c_int = 52;
pub const ZMQ_REQ_RELAXED: c_int = 53;
pub const ZMQ_CONFLATE: c_int = 54;
pub const ZMQ_ZAP_DOMAIN: c_int = 55;
pub const ZMQ_ROUTER_HANDOVER: c_int = 56;
pub const ZMQ_TOS: c_int = 57;
pub const ZMQ_CONNECT_ROUTING_ID: c_int = 61;
pub const ZMQ_GSSAPI_SERVER: c_int = 62;
pub const ZMQ_GSSAPI_PRINCIPAL: c_int = 63;
pub const ZMQ_GSSAPI_SERVICE_PRINCIPAL: c_int = 64;
pub const ZMQ_GSSAPI_PLAINTEXT: c_int = 65;
pub const ZMQ_HANDSHAKE_IVL: c_int = 66;
pub const ZMQ_SOCKS_PROXY: c_int = 68;
pub const ZMQ_XPUB_NODROP: c_int = 69;
pub const ZMQ_BLOCKY: c_int = 70;
pub const ZMQ_XPUB_MANUAL: c_int = 71;
pub const ZMQ_XPUB_WELCOME_MSG: c_int = 72;
pub const ZMQ_STREAM_NOTIFY: c_int = 73;
pub const ZMQ_INVERT_MATCHING: c_int = 74;
pub const ZMQ_HEARTBEAT_IVL: c_int = 75;
pub const ZMQ_HEARTBEAT_TTL: c_int = 76;
pub const ZMQ_HEARTBEAT_TIMEOUT: c_int = 77;
pub const ZMQ_XPUB_VERBOSER: c_int = 78;
pub const ZMQ_CONNECT_TIMEOUT: c_int = 79;
pub const ZMQ_TCP_MAXRT: c_int = 80;
pub const ZMQ_THREAD_SAFE: c_int = 81;
pub const ZMQ_MULTICAST_MAXTPDU: c_int = 84;
pub const ZMQ_VMCI_BUFFER_SIZE: c_int = 85;
pub const ZMQ_VMCI_BUFFER_MIN_SIZE: c_int = 86;
pub const ZMQ_VMCI_BUFFER_MAX_SIZE: c_int = 87;
pub const ZMQ_VMCI_CONNECT_TIMEOUT: c_int = 88;
pub const ZMQ_USE_FD: c_int = 89;
pub const ZMQ_GSSAPI_PRINCIPAL_NAMETYPE: c_int = 90;
pub const ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: c_int = 91;
pub const ZMQ_BINDTODEVICE: c_int = 92;

// Message options.
pub const ZMQ_MORE: c_int = 1;
pub const ZMQ_SHARED: c_int = 3;

// Send/recv flags.
pub const ZMQ_DONTWAIT: c_int = 1;
pub const ZMQ_SNDMORE: c_int = 2;

// Security mechanisms.
pub const ZMQ_NULL: c_int = 0;
pub const ZMQ_PLAIN: c_int = 1;
pub const ZMQ_CURVE: c_int = 2;
pub const ZMQ_GSSAPI: c_int = 3;

// RADIO-DISH protocol.
pub const ZMQ_GROUP_MAX_LENGTH: c_int = 255;

// Deprecated options and aliases.
pub const ZMQ_IDENTITY: c_int = ZMQ_ROUTING_ID;
pub const ZMQ_CONNECT_RID: c_int = ZMQ_CONNECT_ROUTING_ID;
pub const ZMQ_TCP_ACCEPT_FILTER: c_int = 38;
pub const ZMQ_IPC_FILTER_PID: c_int = 58;
pub const ZMQ_IPC_FILTER_UID: c_int = 59;
pub const ZMQ_IPC_FILTER_GID: c_int = 60;
pub const ZMQ_IPV4ONLY: c_int = 31;
pub const ZMQ_DELAY_ATTACH_ON_CONNECT: c_int = ZMQ_IMMEDIATE;
pub const ZMQ_NOBLOCK: c_int = ZMQ_DONTWAIT;
pub const ZMQ_FAIL_UNROUTABLE: c_int = ZMQ_ROUTER_MANDATORY;
pub const ZMQ_ROUTER_BEHAVIOR: c_int = ZMQ_ROUTER_MANDATORY;

// Deprecated message options.
pub const ZMQ_SRCFD: c_int = 2;

// GSSAPI principal name types.
pub const ZMQ_GSSAPI_NT_HOSTBASED: c_int = 0;
pub const ZMQ_GSSAPI_NT_USER_NAME: c_int = 1;
pub const ZMQ_GSSAPI_NT_KRB5_PRINCIPAL: c_int = 2;

// Socket monitor events.
pub const ZMQ_EVENT_CONNECTED: c_int = 0x0001;
pub const ZMQ_EVENT_CONNECT_DELAYED: c_int = 0x0002;
pub const ZMQ_EVENT_CONNECT_RETRIED: c_int = 0x0004;
pub const ZMQ_EVENT_LISTENING: c_int = 0x0008;
pub const ZMQ_EVENT_BIND_FAILED: c_int = 0x0010;
pub const ZMQ_EVENT_ACCEPTED: c_int = 0x0020;
pub const ZMQ_EVENT_ACCEPT_FAILED: c_int = 0x0040;
pub const ZMQ_EVENT_CLOSED: c_int = 0x0080;
pub const ZMQ_EVENT_CLOSE_FAILED: c_int = 0x0100;
pub const ZMQ_EVENT_DISCONNECTED: c_int = 0x0200;
pub const ZMQ_EVENT_MONITOR_STOPPED: c_int = 0x0400;
pub const ZMQ_EVENT_ALL: c_int = 0xFFFF;
/// Unspecified system error during the handshake; the value is an errno.
pub const ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: c_int = 0x0800;
/// Handshake (and authentication, if any) succeeded.
pub const ZMQ_EVENT_HANDSHAKE_SUCCEEDED: c_int = 0x1000;
/// Protocol error; the value is one of `ZMQ_PROTOCOL_ERROR_*`.
pub const ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: c_int = 0x2000;
/// Authentication failed; the value is the ZAP status code.
pub const ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: c_int = 0x4000;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED: c_int = 0x10000000;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND: c_int = 0x10000001;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE: c_int = 0x10000002;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE: c_int = 0x10000003;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED: c_int = 0x10000011;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE: c_int = 0x10000012;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO: c_int = 0x10000013;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE: c_int = 0x10000014;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR: c_int = 0x10000015;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY: c_int = 0x10000016;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME: c_int = 0x10000017;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA: c_int = 0x10000018;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC: c_int = 0x11000001;
pub const ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH: c_int = 0x11000002;
pub const ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED: c_int = 0x20000000;
pub const ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY: c_int = 0x20000001;
pub const ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID: c_int = 0x20000002;
pub const ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION: c_int = 0x20000003;
pub const ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE: c_int = 0x20000004;
pub const ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA: c_int = 0x20000005;
pub const ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED: c_int = 0x30000000;

// Polling (zmq_poll).
pub const ZMQ_POLLIN: c_int = 1;
pub const ZMQ_POLLOUT: c_int = 2;
pub const ZMQ_POLLERR: c_int = 4;
pub const ZMQ_POLLPRI: c_int = 8;
pub const ZMQ_POLLITEMS_DFLT: c_int = 16;

// Capabilities (zmq_has).
pub const ZMQ_HAS_CAPABILITIES: c_int = 1;

// Deprecated device types (zmq_device).
pub const ZMQ_STREAMER: c_int = 1;
pub const ZMQ_FORWARDER: c_int = 2;
pub const ZMQ_QUEUE: c_int = 3;

// Integer types come from <stdint.h>.
pub const ZMQ_DEFINED_STDINT: c_int = 1;

// Draft socket types.
#[cfg(zmq_draft)]
pub const ZMQ_SERVER: c_int = 12;
#[cfg(zmq_draft)]
pub const ZMQ_CLIENT: c_int = 13;
#[cfg(zmq_draft)]
pub const ZMQ_RADIO: c_int = 14;
#[cfg(zmq_draft)]
pub const ZMQ_DISH: c_int = 15;
#[cfg(zmq_draft)]
pub const ZMQ_GATHER: c_int = 16;
#[cfg(zmq_draft)]
pub const ZMQ_SCATTER: c_int = 17;
#[cfg(zmq_draft)]
pub const ZMQ_DGRAM: c_int = 18;
#[cfg(zmq_draft)]
pub const ZMQ_PEER: c_int = 19;
#[cfg(zmq_draft)]
pub const ZMQ_CHANNEL: c_int = 20;

// Draft socket options.
#[cfg(zmq_draft)]
pub const ZMQ_ZAP_ENFORCE_DOMAIN: c_int = 93;
#[cfg(zmq_draft)]
pub const ZMQ_LOOPBACK_FASTPATH: c_int = 94;
#[cfg(zmq_draft)]
pub const ZMQ_METADATA: c_int = 95;
#[cfg(zmq_draft)]
pub const ZMQ_MULTICAST_LOOP: c_int = 96;
#[cfg(zmq_draft)]
pub const ZMQ_ROUTER_NOTIFY: c_int = 97;
#[cfg(zmq_draft)]
pub const ZMQ_XPUB_MANUAL_LAST_VALUE: c_int = 98;
#[cfg(zmq_draft)]
pub const ZMQ_SOCKS_USERNAME: c_int = 99;
#[cfg(zmq_draft)]
pub const ZMQ_SOCKS_PASSWORD: c_int = 100;
#[cfg(zmq_draft)]
pub const ZMQ_IN_BATCH_SIZE: c_int = 101;
#[cfg(zmq_draft)]
pub const ZMQ_OUT_BATCH_SIZE: c_int = 102;
#[cfg(zmq_draft)]
pub const ZMQ_WSS_KEY_PEM: c_int = 103;
#[cfg(zmq_draft)]
pub const ZMQ_WSS_CERT_PEM: c_int = 104;
#[cfg(zmq_draft)]
pub const ZMQ_WSS_TRUST_PEM: c_int = 105;
#[cfg(zmq_draft)]
pub const ZMQ_WSS_HOSTNAME: c_int = 106;
#[cfg(zmq_draft)]
pub const ZMQ_WSS_TRUST_SYSTEM: c_int = 107;
#[cfg(zmq_draft)]
pub const ZMQ_ONLY_FIRST_SUBSCRIBE: c_int = 108;
#[cfg(zmq_draft)]
pub const ZMQ_RECONNECT_STOP: c_int = 109;
#[cfg(zmq_draft)]
pub const ZMQ_HELLO_MSG: c_int = 110;
#[cfg(zmq_draft)]
pub const ZMQ_DISCONNECT_MSG: c_int = 111;
#[cfg(zmq_draft)]
pub const ZMQ_PRIORITY: c_int = 112;

// Draft ZMQ_RECONNECT_STOP values.
#[cfg(zmq_draft)]
pub const ZMQ_RECONNECT_STOP_CONN_REFUSED: c_int = 0x1;
#[cfg(zmq_draft)]
pub const ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED: c_int = 0x2;
#[cfg(zmq_draft)]
pub const ZMQ_RECONNECT_STOP_AFTER_DISCONNECT: c_int = 0x3;

// Draft context options.
#[cfg(zmq_draft)]
pub const ZMQ_ZERO_COPY_RECV: c_int = 10;

// Draft ZMQ_ROUTER_NOTIFY values.
#[cfg(zmq_draft)]
pub const ZMQ_NOTIFY_CONNECT: c_int = 1;
#[cfg(zmq_draft)]
pub const ZMQ_NOTIFY_DISCONNECT: c_int = 2;

// Draft monitor events and versions.
#[cfg(zmq_draft)]
pub const ZMQ_EVENT_PIPES_STATS: c_int = 0x10000;
#[cfg(zmq_draft)]
pub const ZMQ_CURRENT_EVENT_VERSION: c_int = 1;
#[cfg(zmq_draft)]
pub const ZMQ_CURRENT_EVENT_VERSION_DRAFT: c_int = 2;
#[cfg(zmq_draft)]
pub const ZMQ_EVENT_ALL_V1: c_int = ZMQ_EVENT_ALL;
#[cfg(zmq_draft)]
pub const ZMQ_EVENT_ALL_V2: c_int = ZMQ_EVENT_ALL_V1 | ZMQ_EVENT_PIPES_STATS;

/// Every integer constant above, by name.
pub const ALL: &[(&str, i64)] = named![
    ZMQ_VERSION_MAJOR,
    ZMQ_VERSION_MINOR,
    ZMQ_VERSION_PATCH,
    ZMQ_HAUSNUMERO,
    EFSM,
    ENOCOMPATPROTO,
    ETERM,
    EMTHREAD,
    ZMQ_IO_THREADS,
    ZMQ_MAX_SOCKETS,
    ZMQ_SOCKET_LIMIT,
    ZMQ_THREAD_PRIORITY,
    ZMQ_THREAD_SCHED_POLICY,
    ZMQ_MAX_MSGSZ,
    ZMQ_MSG_T_SIZE,
    ZMQ_THREAD_AFFINITY_CPU_ADD,
    ZMQ_THREAD_AFFINITY_CPU_REMOVE,
    ZMQ_THREAD_NAME_PREFIX,
    ZMQ_IO_THREADS_DFLT,
    ZMQ_MAX_SOCKETS_DFLT,
    ZMQ_THREAD_PRIORITY_DFLT,
    ZMQ_THREAD_SCHED_POLICY_DFLT,
    ZMQ_PAIR,
    ZMQ_PUB,
    ZMQ_SUB,
    ZMQ_REQ,
    ZMQ_REP,
    ZMQ_DEALER,
    ZMQ_ROUTER,
    ZMQ_PULL,
    ZMQ_PUSH,
    ZMQ_XPUB,
    ZMQ_XSUB,
    ZMQ_STREAM,
    ZMQ_XREQ,
    ZMQ_XREP,
    ZMQ_AFFINITY,
    ZMQ_ROUTING_ID,
    ZMQ_SUBSCRIBE,
    ZMQ_UNSUBSCRIBE,
    ZMQ_RATE,
    ZMQ_RECOVERY_IVL,
    ZMQ_SNDBUF,
    ZMQ_RCVBUF,
    ZMQ_RCVMORE,
    ZMQ_FD,
    ZMQ_EVENTS,
    ZMQ_TYPE,
    ZMQ_LINGER,
    ZMQ_RECONNECT_IVL,
    ZMQ_BACKLOG,
    ZMQ_RECONNECT_IVL_MAX,
    ZMQ_MAXMSGSIZE,
    ZMQ_SNDHWM,
    ZMQ_RCVHWM,
    ZMQ_MULTICAST_HOPS,
    ZMQ_RCVTIMEO,
    ZMQ_SNDTIMEO,
    ZMQ_LAST_ENDPOINT,
    ZMQ_ROUTER_MANDATORY,
    ZMQ_TCP_KEEPALIVE,
    ZMQ_TCP_KEEPALIVE_CNT,
    ZMQ_TCP_KEEPALIVE_IDLE,
    ZMQ_TCP_KEEPALIVE_INTVL,
    ZMQ_IMMEDIATE,
    ZMQ_XPUB_VERBOSE,
    ZMQ_ROUTER_RAW,
    ZMQ_IPV6,
    ZMQ_MECHANISM,
    ZMQ_PLAIN_SERVER,
    ZMQ_PLAIN_USERNAME,
    ZMQ_PLAIN_PASSWORD,
    ZMQ_CURVE_SERVER,
    ZMQ_CURVE_PUBLICKEY,
    ZMQ_CURVE_SECRETKEY,
    ZMQ_CURVE_SERVERKEY,
    ZMQ_PROBE_ROUTER,
    ZMQ_REQ_CORRELATE,
    ZMQ_REQ_RELAXED,
    ZMQ_CONFLATE,
    ZMQ_ZAP_DOMAIN,
    ZMQ_ROUTER_HANDOVER,
    ZMQ_TOS,
    ZMQ_CONNECT_ROUTING_ID,
    ZMQ_GSSAPI_SERVER,
    ZMQ_GSSAPI_PRINCIPAL,
    ZMQ_GSSAPI_SERVICE_PRINCIPAL,
    ZMQ_GSSAPI_PLAINTEXT,
    ZMQ_HANDSHAKE_IVL,
    ZMQ_SOCKS_PROXY,
    ZMQ_XPUB_NODROP,
    ZMQ_BLOCKY,
    ZMQ_XPUB_MANUAL,
    ZMQ_XPUB_WELCOME_MSG,
    ZMQ_STREAM_NOTIFY,
    ZMQ_INVERT_MATCHING,
    ZMQ_HEARTBEAT_IVL,
    ZMQ_HEARTBEAT_TTL,
    ZMQ_HEARTBEAT_TIMEOUT,
    ZMQ_XPUB_VERBOSER,
    ZMQ_CONNECT_TIMEOUT,
    ZMQ_TCP_MAXRT,
    ZMQ_THREAD_SAFE,
    ZMQ_MULTICAST_MAXTPDU,
    ZMQ_VMCI_BUFFER_SIZE,
    ZMQ_VMCI_BUFFER_MIN_SIZE,
    ZMQ_VMCI_BUFFER_MAX_SIZE,
    ZMQ_VMCI_CONNECT_TIMEOUT,
    ZMQ_USE_FD,
    ZMQ_GSSAPI_PRINCIPAL_NAMETYPE,
    ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE,
    ZMQ_BINDTODEVICE,
    ZMQ_MORE,
    ZMQ_SHARED,
    ZMQ_DONTWAIT,
    ZMQ_SNDMORE,
    ZMQ_NULL,
    ZMQ_PLAIN,
    ZMQ_CURVE,
    ZMQ_GSSAPI,
    ZMQ_GROUP_MAX_LENGTH,
    ZMQ_IDENTITY,
    ZMQ_CONNECT_RID,
    ZMQ_TCP_ACCEPT_FILTER,
    ZMQ_IPC_FILTER_PID,
    ZMQ_IPC_FILTER_UID,
    ZMQ_IPC_FILTER_GID,
    ZMQ_IPV4ONLY,
    ZMQ_DELAY_ATTACH_ON_CONNECT,
    ZMQ_NOBLOCK,
    ZMQ_FAIL_UNROUTABLE,
    ZMQ_ROUTER_BEHAVIOR,
    ZMQ_SRCFD,
    ZMQ_GSSAPI_NT_HOSTBASED,
    ZMQ_GSSAPI_NT_USER_NAME,
    ZMQ_GSSAPI_NT_KRB5_PRINCIPAL,
    ZMQ_EVENT_CONNECTED,
    ZMQ_EVENT_CONNECT_DELAYED,
    ZMQ_EVENT_CONNECT_RETRIED,
    ZMQ_EVENT_LISTENING,
    ZMQ_EVENT_BIND_FAILED,
    ZMQ_EVENT_ACCEPTED,
    ZMQ_EVENT_ACCEPT_FAILED,
    ZMQ_EVENT_CLOSED,
    ZMQ_EVENT_CLOSE_FAILED,
    ZMQ_EVENT_DISCONNECTED,
    ZMQ_EVENT_MONITOR_STOPPED,
    ZMQ_EVENT_ALL,
    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
    ZMQ_EVENT_HANDSHAKE_SUCCEEDED,
    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH,
    ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED,
    ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND,
    ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE,
    ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY,
    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME,
    ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA,
    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC,
    ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH,
    ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED,
    ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY,
    ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID,
    ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION,
    ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE,
    ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA,
    ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED,
    ZMQ_POLLIN,
    ZMQ_POLLOUT,
    ZMQ_POLLERR,
    ZMQ_POLLPRI,
    ZMQ_POLLITEMS_DFLT,
    ZMQ_HAS_CAPABILITIES,
    ZMQ_STREAMER,
    ZMQ_FORWARDER,
    ZMQ_QUEUE,
    ZMQ_DEFINED_STDINT,
    ZMQ_SERVER,
    ZMQ_CLIENT,
    ZMQ_RADIO,
    ZMQ_DISH,
    ZMQ_GATHER,
    ZMQ_SCATTER,
    ZMQ_DGRAM,
    ZMQ_PEER,
    ZMQ_CHANNEL,
    ZMQ_ZAP_ENFORCE_DOMAIN,
    ZMQ_LOOPBACK_FASTPATH,
    ZMQ_METADATA,
    ZMQ_MULTICAST_LOOP,
    ZMQ_ROUTER_NOTIFY,
    ZMQ_XPUB_MANUAL_LAST_VALUE,
    ZMQ_SOCKS_USERNAME,
    ZMQ_SOCKS_PASSWORD,
    ZMQ_IN_BATCH_SIZE,
    ZMQ_OUT_BATCH_SIZE,
    ZMQ_WSS_KEY_PEM,
    ZMQ_WSS_CERT_PEM,
    ZMQ_WSS_TRUST_PEM,
    ZMQ_WSS_HOSTNAME,
    ZMQ_WSS_TRUST_SYSTEM,
    ZMQ_ONLY_FIRST_SUBSCRIBE,
    ZMQ_RECONNECT_STOP,
    ZMQ_HELLO_MSG,
    ZMQ_DISCONNECT_MSG,
    ZMQ_PRIORITY,
    ZMQ_RECONNECT_STOP_CONN_REFUSED,
    ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED,
    ZMQ_RECONNECT_STOP_AFTER_DISCONNECT,
    ZMQ_ZERO_COPY_RECV,
    ZMQ_NOTIFY_CONNECT,
    ZMQ_NOTIFY_DISCONNECT,
    ZMQ_EVENT_PIPES_STATS,
    ZMQ_CURRENT_EVENT_VERSION,
    ZMQ_CURRENT_EVENT_VERSION_DRAFT,
    ZMQ_EVENT_ALL_V1,
    ZMQ_EVENT_ALL_V2,
];

/// Names of the draft constants in `ALL`: `zmq.h` defines them only when
/// the includer defines `ZMQ_BUILD_DRAFT_API`.
pub const DRAFT: &[&str] = &[
    "ZMQ_SERVER",
    "ZMQ_CLIENT",
    "ZMQ_RADIO",
    "ZMQ_DISH",
    "ZMQ_GATHER",
    "ZMQ_SCATTER",
    "ZMQ_DGRAM",
    "ZMQ_PEER",
    "ZMQ_CHANNEL",
    "ZMQ_ZAP_ENFORCE_DOMAIN",
    "ZMQ_LOOPBACK_FASTPATH",
    "ZMQ_METADATA",
    "ZMQ_MULTICAST_LOOP",
    "ZMQ_ROUTER_NOTIFY",
    "ZMQ_XPUB_MANUAL_LAST_VALUE",
    "ZMQ_SOCKS_USERNAME",
    "ZMQ_SOCKS_PASSWORD",
    "ZMQ_IN_BATCH_SIZE",
    "ZMQ_OUT_BATCH_SIZE",
    "ZMQ_WSS_KEY_PEM",
    "ZMQ_WSS_CERT_PEM",
    "ZMQ_WSS_TRUST_PEM",
    "ZMQ_WSS_HOSTNAME",
    "ZMQ_WSS_TRUST_SYSTEM",
    "ZMQ_ONLY_FIRST_SUBSCRIBE",
    "ZMQ_RECONNECT_STOP",
    "ZMQ_HELLO_MSG",
    "ZMQ_DISCONNECT_MSG",
    "ZMQ_PRIORITY",
    "ZMQ_RECONNECT_STOP_CONN_REFUSED",
    "ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED",
    "ZMQ_RECONNECT_STOP_AFTER_DISCONNECT",
    "ZMQ_ZERO_COPY_RECV",
    "ZMQ_NOTIFY_CONNECT",
    "ZMQ_NOTIFY_DISCONNECT",
    "ZMQ_EVENT_PIPES_STATS",
    "ZMQ_CURRENT_EVENT_VERSION",
    "ZMQ_CURRENT_EVENT_VERSION_DRAFT",
    "ZMQ_EVENT_ALL_V1",
    "ZMQ_EVENT_ALL_V2",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_drafts_are_listed() {
        let names: HashSet<&str> = ALL.iter().map(|(n, _)| *n).collect();
        assert_eq!(names.len(), ALL.len(), "a name appears twice in ALL");
        for d in DRAFT {
            assert!(names.contains(d), "{d} is in DRAFT but not in ALL");
        }
    }

    #[test]
    fn errnos_sit_above_hausnumero() {
        assert_eq!(EFSM, 156384763);
        assert_eq!(ETERM, 156384765);
        assert_eq!(ZMQ_EVENT_ALL_V2, 0x1FFFF);
    }
}
