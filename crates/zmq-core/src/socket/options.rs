//! Socket options with libzmq's numbers, defaults and validation. Values
//! come in and go out as raw bytes, exactly as zmq_setsockopt passes them.

use crate::crypto::{PublicKey, SecretKey, KEY_LEN};
use crate::error::{Error, Result};
use crate::link::ConnOptions;
use crate::link::ZapHandle;
use crate::transport::filter::{AcceptFilters, IpMask};
use crate::transport::socks::SocksProxy;
use crate::transport::tcp::TcpSettings;
use crate::zmtp::mechanism::Security;
use crate::SocketType;
use bytes::Bytes;

/// ZMQ_ROUTING_ID, numbered as in zmq.h.
pub const ROUTING_ID: i32 = 5;
/// ZMQ_SUBSCRIBE, numbered as in zmq.h.
pub const SUBSCRIBE: i32 = 6;
/// ZMQ_UNSUBSCRIBE, numbered as in zmq.h.
pub const UNSUBSCRIBE: i32 = 7;
/// ZMQ_RCVMORE, numbered as in zmq.h.
pub const RCVMORE: i32 = 13;
/// ZMQ_FD, numbered as in zmq.h.
pub const FD: i32 = 14;
/// ZMQ_EVENTS, numbered as in zmq.h.
pub const EVENTS: i32 = 15;
/// ZMQ_TYPE, numbered as in zmq.h.
pub const TYPE: i32 = 16;
/// ZMQ_LINGER, numbered as in zmq.h.
pub const LINGER: i32 = 17;
/// ZMQ_RECONNECT_IVL, numbered as in zmq.h.
pub const RECONNECT_IVL: i32 = 18;
/// ZMQ_BACKLOG, numbered as in zmq.h.
pub const BACKLOG: i32 = 19;
/// ZMQ_RECONNECT_IVL_MAX, numbered as in zmq.h.
pub const RECONNECT_IVL_MAX: i32 = 21;
/// ZMQ_MAXMSGSIZE, numbered as in zmq.h.
pub const MAXMSGSIZE: i32 = 22;
/// ZMQ_SNDHWM, numbered as in zmq.h.
pub const SNDHWM: i32 = 23;
/// ZMQ_RCVHWM, numbered as in zmq.h.
pub const RCVHWM: i32 = 24;
/// ZMQ_RCVTIMEO, numbered as in zmq.h.
pub const RCVTIMEO: i32 = 27;
/// ZMQ_SNDTIMEO, numbered as in zmq.h.
pub const SNDTIMEO: i32 = 28;
/// ZMQ_LAST_ENDPOINT, numbered as in zmq.h.
pub const LAST_ENDPOINT: i32 = 32;
/// ZMQ_ROUTER_MANDATORY, numbered as in zmq.h.
pub const ROUTER_MANDATORY: i32 = 33;
/// ZMQ_IPV6, numbered as in zmq.h.
pub const IPV6: i32 = 42;
/// ZMQ_XPUB_VERBOSE, numbered as in zmq.h.
pub const XPUB_VERBOSE: i32 = 40;
/// ZMQ_HANDSHAKE_IVL, numbered as in zmq.h.
pub const HANDSHAKE_IVL: i32 = 66;
/// ZMQ_PROBE_ROUTER, numbered as in zmq.h.
pub const PROBE_ROUTER: i32 = 51;
/// ZMQ_REQ_CORRELATE, numbered as in zmq.h.
pub const REQ_CORRELATE: i32 = 52;
/// ZMQ_ROUTER_HANDOVER, numbered as in zmq.h.
pub const ROUTER_HANDOVER: i32 = 56;
/// ZMQ_CONNECT_ROUTING_ID, numbered as in zmq.h.
pub const CONNECT_ROUTING_ID: i32 = 61;
/// ZMQ_XPUB_NODROP, numbered as in zmq.h.
pub const XPUB_NODROP: i32 = 69;
/// ZMQ_XPUB_MANUAL, numbered as in zmq.h.
pub const XPUB_MANUAL: i32 = 71;
/// ZMQ_XPUB_WELCOME_MSG, numbered as in zmq.h.
pub const XPUB_WELCOME_MSG: i32 = 72;
/// ZMQ_INVERT_MATCHING, numbered as in zmq.h.
pub const INVERT_MATCHING: i32 = 74;
/// ZMQ_XPUB_VERBOSER, numbered as in zmq.h.
pub const XPUB_VERBOSER: i32 = 78;
/// ZMQ_STREAM_NOTIFY, numbered as in zmq.h.
pub const STREAM_NOTIFY: i32 = 73;
/// ZMQ_ONLY_FIRST_SUBSCRIBE, numbered as in zmq.h.
pub const ONLY_FIRST_SUBSCRIBE: i32 = 108;
/// ZMQ_REQ_RELAXED, numbered as in zmq.h.
pub const REQ_RELAXED: i32 = 53;
/// ZMQ_SNDBUF, numbered as in zmq.h.
pub const SNDBUF: i32 = 11;
/// ZMQ_RCVBUF, numbered as in zmq.h.
pub const RCVBUF: i32 = 12;
/// ZMQ_TCP_KEEPALIVE, numbered as in zmq.h.
pub const TCP_KEEPALIVE: i32 = 34;
/// ZMQ_TCP_KEEPALIVE_CNT, numbered as in zmq.h.
pub const TCP_KEEPALIVE_CNT: i32 = 35;
/// ZMQ_TCP_KEEPALIVE_IDLE, numbered as in zmq.h.
pub const TCP_KEEPALIVE_IDLE: i32 = 36;
/// ZMQ_TCP_KEEPALIVE_INTVL, numbered as in zmq.h.
pub const TCP_KEEPALIVE_INTVL: i32 = 37;
/// ZMQ_IMMEDIATE, numbered as in zmq.h.
pub const IMMEDIATE: i32 = 39;
/// ZMQ_AFFINITY, numbered as in zmq.h.
pub const AFFINITY: i32 = 4;
/// ZMQ_RATE, numbered as in zmq.h.
pub const RATE: i32 = 8;
/// ZMQ_RECOVERY_IVL, numbered as in zmq.h.
pub const RECOVERY_IVL: i32 = 9;
/// ZMQ_MULTICAST_HOPS, numbered as in zmq.h.
pub const MULTICAST_HOPS: i32 = 25;
/// ZMQ_IPV4ONLY, numbered as in zmq.h.
pub const IPV4ONLY: i32 = 31;
/// ZMQ_MECHANISM, numbered as in zmq.h.
pub const MECHANISM: i32 = 43;
/// ZMQ_THREAD_SAFE, numbered as in zmq.h.
pub const THREAD_SAFE: i32 = 81;
/// ZMQ_MULTICAST_MAXTPDU, numbered as in zmq.h.
pub const MULTICAST_MAXTPDU: i32 = 84;
/// ZMQ_LOOPBACK_FASTPATH, numbered as in zmq.h.
pub const LOOPBACK_FASTPATH: i32 = 94;
/// ZMQ_TCP_ACCEPT_FILTER, numbered as in zmq.h.
pub const TCP_ACCEPT_FILTER: i32 = 38;
/// ZMQ_SOCKS_PROXY, numbered as in zmq.h.
pub const SOCKS_PROXY: i32 = 68;
/// ZMQ_SOCKS_USERNAME, numbered as in zmq.h.
pub const SOCKS_USERNAME: i32 = 99;
/// ZMQ_SOCKS_PASSWORD, numbered as in zmq.h.
pub const SOCKS_PASSWORD: i32 = 100;
/// ZMQ_IPC_FILTER_PID, numbered as in zmq.h.
pub const IPC_FILTER_PID: i32 = 58;
/// ZMQ_IPC_FILTER_UID, numbered as in zmq.h.
pub const IPC_FILTER_UID: i32 = 59;
/// ZMQ_IPC_FILTER_GID, numbered as in zmq.h.
pub const IPC_FILTER_GID: i32 = 60;
/// ZMQ_MULTICAST_LOOP, numbered as in zmq.h.
pub const MULTICAST_LOOP: i32 = 96;
/// ZMQ_USE_FD, numbered as in zmq.h.
pub const USE_FD: i32 = 89;
/// ZMQ_CONFLATE, numbered as in zmq.h.
pub const CONFLATE: i32 = 54;
/// ZMQ_TOS, numbered as in zmq.h.
pub const TOS: i32 = 57;
/// ZMQ_CONNECT_TIMEOUT, numbered as in zmq.h.
pub const CONNECT_TIMEOUT: i32 = 79;
/// ZMQ_TCP_MAXRT, numbered as in zmq.h.
pub const TCP_MAXRT: i32 = 80;
/// ZMQ_BINDTODEVICE, numbered as in zmq.h.
pub const BINDTODEVICE: i32 = 92;
/// ZMQ_HEARTBEAT_IVL, numbered as in zmq.h.
pub const HEARTBEAT_IVL: i32 = 75;
/// ZMQ_HEARTBEAT_TTL, numbered as in zmq.h.
pub const HEARTBEAT_TTL: i32 = 76;
/// ZMQ_HEARTBEAT_TIMEOUT, numbered as in zmq.h.
pub const HEARTBEAT_TIMEOUT: i32 = 77;
/// ZMQ_PLAIN_SERVER, numbered as in zmq.h.
pub const PLAIN_SERVER: i32 = 44;
/// ZMQ_PLAIN_USERNAME, numbered as in zmq.h.
pub const PLAIN_USERNAME: i32 = 45;
/// ZMQ_PLAIN_PASSWORD, numbered as in zmq.h.
pub const PLAIN_PASSWORD: i32 = 46;
/// ZMQ_CURVE_SERVER, numbered as in zmq.h.
pub const CURVE_SERVER: i32 = 47;
/// ZMQ_CURVE_PUBLICKEY, numbered as in zmq.h.
pub const CURVE_PUBLICKEY: i32 = 48;
/// ZMQ_CURVE_SECRETKEY, numbered as in zmq.h.
pub const CURVE_SECRETKEY: i32 = 49;
/// ZMQ_CURVE_SERVERKEY, numbered as in zmq.h.
pub const CURVE_SERVERKEY: i32 = 50;
/// ZMQ_ZAP_DOMAIN, numbered as in zmq.h.
pub const ZAP_DOMAIN: i32 = 55;
/// ZMQ_ZAP_ENFORCE_DOMAIN, numbered as in zmq.h.
pub const ZAP_ENFORCE_DOMAIN: i32 = 93;

/// ZMQ_MECHANISM's values.
const NULL: i32 = 0;
const PLAIN: i32 = 1;
const CURVE: i32 = 2;

/// A CURVE key as an option value: 32 raw bytes, or 40 Z85 characters
/// (with or without a terminating NUL, as libzmq takes them).
fn curve_key(value: &[u8]) -> Result<[u8; KEY_LEN]> {
    let text = match value.len() {
        KEY_LEN => return Ok(value.try_into().expect("32 bytes")),
        Z85_KEY_LEN => value,
        41 if value[40] == 0 => &value[..40],
        _ => return Err(Error::Invalid),
    };
    let key = crate::z85::decode(text).ok_or(Error::Invalid)?;
    Ok(key.try_into().expect("40 Z85 characters make 32 bytes"))
}

/// Characters in a Z85 key.
const Z85_KEY_LEN: usize = 40;

/// A CURVE key read back: 32 raw bytes into a 32-byte buffer, or Z85 with
/// its NUL into a 41-byte one; any other size is EINVAL.
fn put_curve_key(buf: &mut [u8], key: &[u8; KEY_LEN]) -> Result<usize> {
    match buf.len() {
        KEY_LEN => put(buf, key),
        n if n == Z85_KEY_LEN + 1 => {
            let mut text = crate::z85::encode(key).expect("32 bytes encode");
            text.push(0);
            put(buf, &text)
        }
        _ => Err(Error::Invalid),
    }
}

/// Reads an `int` option value (must be exactly 4 bytes).
pub fn int_value(value: &[u8]) -> Result<i32> {
    let bytes: [u8; 4] = value.try_into().map_err(|_| Error::Invalid)?;
    Ok(i32::from_ne_bytes(bytes))
}

/// An `int` option that must be above zero.
fn positive(value: &[u8]) -> Result<i32> {
    match int_value(value)? {
        v if v > 0 => Ok(v),
        _ => Err(Error::Invalid),
    }
}

/// An `int` option where -1 means "none" or "the OS default".
fn at_least_minus_one(value: &[u8]) -> Result<i32> {
    let v = int_value(value)?;
    if v < -1 {
        return Err(Error::Invalid);
    }
    Ok(v)
}

/// A string option as libzmq returns it: with a terminating NUL.
fn with_nul(value: &[u8]) -> Vec<u8> {
    let mut s = value.to_vec();
    s.push(0);
    s
}

/// Writes an option value into a caller's buffer, returning its length.
pub fn put(buf: &mut [u8], value: &[u8]) -> Result<usize> {
    let dst = buf.get_mut(..value.len()).ok_or(Error::Invalid)?;
    dst.copy_from_slice(value);
    Ok(value.len())
}

#[derive(Clone, Debug)]
pub(crate) struct Options {
    pub socket_type: SocketType,
    pub sndhwm: i32,
    pub rcvhwm: i32,
    pub linger: i32,
    pub routing_id: Bytes,
    pub rcvtimeo: i32,
    pub sndtimeo: i32,
    pub reconnect_ivl: i32,
    pub reconnect_ivl_max: i32,
    pub maxmsgsize: i64,
    pub ipv6: bool,
    /// Pending connections a listener queues (listen(2)'s backlog).
    pub backlog: i32,
    pub handshake_ivl: i32,
    pub heartbeat_ivl: i32,
    pub heartbeat_ttl: i32,
    pub heartbeat_timeout: i32,
    pub tcp: TcpSettings,
    pub connect_timeout: i32,
    /// ZMQ_IMMEDIATE: queue messages only for completed connections.
    pub immediate: bool,
    /// ZMQ_CONNECT_ROUTING_ID, for the next connect only.
    pub connect_routing_id: Option<Bytes>,
    /// ZMQ_CONFLATE: keep only the newest message in each pipe.
    pub conflate: bool,
    /// ZMQ_AFFINITY: which I/O threads serve new connections (bit i:
    /// thread i; 0: any).
    pub affinity: u64,
    /// ZMQ_INVERT_MATCHING as set, for reading back (XPUB and SUB act on
    /// it; other types keep it, as libzmq does).
    pub invert_matching: bool,
    /// The multicast options: validated and kept, though no multicast
    /// transport (pgm, epgm, norm) is built.
    pub multicast: Multicast,
    /// ZMQ_LOOPBACK_FASTPATH: kept for reading back (Windows only in
    /// libzmq; nothing to do here).
    pub loopback_fastpath: bool,
    /// ZMQ_SOCKS_PROXY (`host:port`, empty: none) and the proxy's
    /// ZMQ_SOCKS_USERNAME / ZMQ_SOCKS_PASSWORD, for tcp connects.
    pub socks_proxy: Bytes,
    pub socks_username: Bytes,
    pub socks_password: Bytes,
    /// ZMQ_STREAM_NOTIFY: a STREAM socket hears of connections and
    /// disconnections as empty messages (libzmq's default: on).
    pub stream_notify: bool,
    /// ZMQ_USE_FD: a listening descriptor the next tcp or ipc bind adopts
    /// instead of making one (-1: none).
    pub use_fd: i32,
    /// ZMQ_TCP_ACCEPT_FILTER and ZMQ_IPC_FILTER_*: who the listeners bound
    /// from now on admit (set only, as libzmq).
    pub accept: AcceptFilters,
    pub last_endpoint: String,
    /// ZMQ_MECHANISM as the security options last set it, and the
    /// greeting's as-server role (ZMQ_PLAIN_SERVER).
    pub mechanism: i32,
    pub as_server: bool,
    pub plain_username: Bytes,
    pub plain_password: Bytes,
    pub zap_domain: Bytes,
    pub zap_enforce_domain: bool,
    /// ZMQ_CURVE_PUBLICKEY, ZMQ_CURVE_SECRETKEY (wiped on drop) and
    /// ZMQ_CURVE_SERVERKEY; zeros until set, as libzmq's.
    pub curve_public: PublicKey,
    pub curve_secret: SecretKey,
    pub curve_server: PublicKey,
}

/// ZMQ_RATE (kbit/s), ZMQ_RECOVERY_IVL (ms), ZMQ_MULTICAST_HOPS,
/// ZMQ_MULTICAST_MAXTPDU (bytes) and ZMQ_MULTICAST_LOOP, with libzmq's
/// defaults (kept for reading back: no multicast transport is built).
#[derive(Clone, Debug)]
pub(crate) struct Multicast {
    pub rate: i32,
    pub recovery_ivl: i32,
    pub hops: i32,
    pub max_tpdu: i32,
    pub looped: bool,
}

impl Options {
    pub fn new(socket_type: SocketType) -> Options {
        Options {
            socket_type,
            sndhwm: 1000,
            rcvhwm: 1000,
            // As libzmq: a closing subscriber does not wait to send its
            // subscriptions.
            linger: match socket_type {
                SocketType::Sub | SocketType::XSub => 0,
                _ => -1,
            },
            routing_id: Bytes::new(),
            rcvtimeo: -1,
            sndtimeo: -1,
            reconnect_ivl: 100,
            reconnect_ivl_max: 0,
            maxmsgsize: -1,
            ipv6: false,
            backlog: 100,
            handshake_ivl: 30_000,
            heartbeat_ivl: 0,
            heartbeat_ttl: 0,
            heartbeat_timeout: -1,
            tcp: TcpSettings::default(),
            connect_timeout: 0,
            immediate: false,
            connect_routing_id: None,
            conflate: false,
            affinity: 0,
            invert_matching: false,
            loopback_fastpath: false,
            use_fd: -1,
            stream_notify: true,
            socks_proxy: Bytes::new(),
            socks_username: Bytes::new(),
            socks_password: Bytes::new(),
            accept: AcceptFilters::default(),
            multicast: Multicast {
                rate: 100,
                recovery_ivl: 10_000,
                hops: 1,
                max_tpdu: 1500,
                looped: true,
            },
            last_endpoint: String::new(),
            mechanism: NULL,
            as_server: false,
            plain_username: Bytes::new(),
            plain_password: Bytes::new(),
            zap_domain: Bytes::new(),
            zap_enforce_domain: false,
            curve_public: [0; KEY_LEN],
            curve_secret: SecretKey::default(),
            curve_server: [0; KEY_LEN],
        }
    }

    /// A PLAIN credential (1 to 255 bytes) makes this a PLAIN client;
    /// none (a NULL value, zero length) goes back to NULL, as libzmq does.
    fn set_credential(&mut self, option: i32, value: &[u8]) -> Result<()> {
        if value.is_empty() {
            self.mechanism = NULL;
            return Ok(());
        }
        if value.len() > 255 {
            return Err(Error::Invalid);
        }
        let value = Bytes::copy_from_slice(value);
        match option {
            PLAIN_USERNAME => self.plain_username = value,
            _ => self.plain_password = value,
        }
        self.mechanism = PLAIN;
        self.as_server = false;
        Ok(())
    }

    /// The mechanism new connections use, from the security options.
    fn security(&self) -> Security {
        match (self.mechanism, self.as_server) {
            (PLAIN, true) => Security::PlainServer,
            (PLAIN, false) => Security::PlainClient {
                username: self.plain_username.clone(),
                password: self.plain_password.clone(),
            },
            (CURVE, true) => Security::CurveServer {
                secret: self.curve_secret.clone(),
                // libzmq 4.3 asks a bound handler about every client,
                // unless the domain is enforced and there is none.
                authenticate: !self.zap_domain.is_empty() || !self.zap_enforce_domain,
                enforce: self.zap_enforce_domain,
            },
            (CURVE, false) => Security::CurveClient {
                server: self.curve_server,
                public: self.curve_public,
                secret: self.curve_secret.clone(),
            },
            _ => Security::Null {
                authenticate: !self.zap_domain.is_empty(),
                enforce: self.zap_enforce_domain,
            },
        }
    }

    /// Sets a generic option; Err(NotFound) means "not a generic option".
    pub fn set(&mut self, option: i32, value: &[u8]) -> Result<()> {
        let non_negative = |v: i32| if v < 0 { Err(Error::Invalid) } else { Ok(v) };
        match option {
            SNDHWM => self.sndhwm = non_negative(int_value(value)?)?,
            RCVHWM => self.rcvhwm = non_negative(int_value(value)?)?,
            LINGER => self.linger = at_least_minus_one(value)?,
            RCVTIMEO => self.rcvtimeo = at_least_minus_one(value)?,
            SNDTIMEO => self.sndtimeo = at_least_minus_one(value)?,
            RECONNECT_IVL => {
                let v = int_value(value)?;
                if v < -1 {
                    return Err(Error::Invalid);
                }
                self.reconnect_ivl = v;
            }
            RECONNECT_IVL_MAX => self.reconnect_ivl_max = non_negative(int_value(value)?)?,
            BACKLOG => self.backlog = non_negative(int_value(value)?)?,
            HANDSHAKE_IVL => self.handshake_ivl = non_negative(int_value(value)?)?,
            HEARTBEAT_IVL => self.heartbeat_ivl = non_negative(int_value(value)?)?,
            HEARTBEAT_TTL => {
                // Kept (and sent) in whole deciseconds in a 16-bit field,
                // truncated as libzmq does: -99..=6_553_599 ms are valid.
                let ds = int_value(value)? / 100;
                if !(0..=i32::from(u16::MAX)).contains(&ds) {
                    return Err(Error::Invalid);
                }
                self.heartbeat_ttl = ds * 100;
            }
            HEARTBEAT_TIMEOUT => self.heartbeat_timeout = at_least_minus_one(value)?,
            SNDBUF => self.tcp.sndbuf = at_least_minus_one(value)?,
            RCVBUF => self.tcp.rcvbuf = at_least_minus_one(value)?,
            AFFINITY => {
                let bytes: [u8; 8] = value.try_into().map_err(|_| Error::Invalid)?;
                self.affinity = u64::from_ne_bytes(bytes);
            }
            RATE => self.multicast.rate = positive(value)?,
            RECOVERY_IVL => self.multicast.recovery_ivl = non_negative(int_value(value)?)?,
            MULTICAST_HOPS => self.multicast.hops = positive(value)?,
            MULTICAST_MAXTPDU => self.multicast.max_tpdu = positive(value)?,
            // Any int, as libzmq (a Windows-only loopback shortcut there).
            MULTICAST_LOOP => self.multicast.looped = int_value(value)? != 0,
            LOOPBACK_FASTPATH => self.loopback_fastpath = int_value(value)? != 0,
            // Each adds one filter; an empty value clears them (as libzmq).
            TCP_ACCEPT_FILTER if value.is_empty() => self.accept.tcp.clear(),
            TCP_ACCEPT_FILTER if value.len() <= 255 => {
                let text = std::str::from_utf8(value).map_err(|_| Error::Invalid)?;
                let mask = IpMask::parse(text, self.ipv6)?;
                self.accept.tcp.push(mask);
            }
            IPC_FILTER_UID | IPC_FILTER_GID | IPC_FILTER_PID if value.is_empty() => match option {
                IPC_FILTER_UID => self.accept.uids.clear(),
                IPC_FILTER_GID => self.accept.gids.clear(),
                _ => self.accept.pids.clear(),
            },
            IPC_FILTER_UID => self.accept.uids.push(int_value(value)? as u32),
            IPC_FILTER_GID => self.accept.gids.push(int_value(value)? as u32),
            IPC_FILTER_PID => self.accept.pids.push(int_value(value)?),
            IPV4ONLY => {
                self.ipv6 = match int_value(value)? {
                    0 => true,
                    1 => false,
                    _ => return Err(Error::Invalid),
                }
            }
            INVERT_MATCHING => self.invert_matching = int_value(value)? != 0,
            USE_FD => {
                self.use_fd = match int_value(value)? {
                    v if v >= -1 => v,
                    _ => return Err(Error::Invalid),
                }
            }
            TCP_KEEPALIVE => {
                let v = int_value(value)?;
                if !(-1..=1).contains(&v) {
                    return Err(Error::Invalid);
                }
                self.tcp.keepalive = v;
            }
            TCP_KEEPALIVE_CNT => self.tcp.keepalive_cnt = at_least_minus_one(value)?,
            TCP_KEEPALIVE_IDLE => self.tcp.keepalive_idle = at_least_minus_one(value)?,
            TCP_KEEPALIVE_INTVL => self.tcp.keepalive_intvl = at_least_minus_one(value)?,
            TOS => self.tcp.tos = non_negative(int_value(value)?)?,
            TCP_MAXRT => self.tcp.maxrt = non_negative(int_value(value)?)?,
            CONNECT_TIMEOUT => self.connect_timeout = non_negative(int_value(value)?)?,
            IMMEDIATE => {
                self.immediate = match int_value(value)? {
                    0 => false,
                    1 => true,
                    _ => return Err(Error::Invalid),
                }
            }
            CONFLATE => {
                self.conflate = match int_value(value)? {
                    0 => false,
                    1 => true,
                    _ => return Err(Error::Invalid),
                }
            }
            CONNECT_ROUTING_ID => {
                // Only a ROUTER or STREAM names its peers (the name stays
                // local, so any length will do).
                let naming = matches!(self.socket_type, SocketType::Router | SocketType::Stream);
                if value.is_empty() || !naming {
                    return Err(Error::Invalid);
                }
                self.connect_routing_id = Some(Bytes::copy_from_slice(value));
            }
            BINDTODEVICE => {
                let name = value.split(|&b| b == 0).next().unwrap_or_default();
                if name.len() > 16 {
                    return Err(Error::Invalid);
                }
                self.tcp.device =
                    (!name.is_empty()).then(|| String::from_utf8_lossy(name).into_owned());
            }
            MAXMSGSIZE => {
                let bytes: [u8; 8] = value.try_into().map_err(|_| Error::Invalid)?;
                // Any negative value means "no limit"; kept as given.
                self.maxmsgsize = i64::from_ne_bytes(bytes);
            }
            ROUTING_ID => {
                if value.is_empty() || value.len() > 255 {
                    return Err(Error::Invalid);
                }
                self.routing_id = Bytes::copy_from_slice(value);
            }
            IPV6 => {
                self.ipv6 = match int_value(value)? {
                    0 => false,
                    1 => true,
                    _ => return Err(Error::Invalid),
                }
            }
            PLAIN_SERVER => {
                let server = match int_value(value)? {
                    0 => false,
                    1 => true,
                    _ => return Err(Error::Invalid),
                };
                self.as_server = server;
                self.mechanism = if server { PLAIN } else { NULL };
            }
            PLAIN_USERNAME | PLAIN_PASSWORD => self.set_credential(option, value)?,
            CURVE_SERVER => {
                let server = match int_value(value)? {
                    0 => false,
                    1 => true,
                    _ => return Err(Error::Invalid),
                };
                self.as_server = server;
                self.mechanism = if server { CURVE } else { NULL };
            }
            // Setting any key makes this a CURVE socket; the server's key
            // makes it a client.
            CURVE_PUBLICKEY => {
                self.curve_public = curve_key(value)?;
                self.mechanism = CURVE;
            }
            CURVE_SECRETKEY => {
                self.curve_secret = SecretKey::from_bytes(curve_key(value)?);
                self.mechanism = CURVE;
            }
            CURVE_SERVERKEY => {
                self.curve_server = curve_key(value)?;
                self.mechanism = CURVE;
                self.as_server = false;
            }
            ZAP_DOMAIN => {
                if value.is_empty() || value.len() > 255 {
                    return Err(Error::Invalid);
                }
                self.zap_domain = Bytes::copy_from_slice(value);
            }
            ZAP_ENFORCE_DOMAIN => self.zap_enforce_domain = int_value(value)? != 0,
            SOCKS_PROXY => self.socks_proxy = Bytes::copy_from_slice(value),
            STREAM_NOTIFY => {
                self.stream_notify = match int_value(value)? {
                    0 => false,
                    1 => true,
                    _ => return Err(Error::Invalid),
                }
            }
            SOCKS_USERNAME | SOCKS_PASSWORD if value.len() > 255 => return Err(Error::Invalid),
            SOCKS_USERNAME => self.socks_username = Bytes::copy_from_slice(value),
            SOCKS_PASSWORD => self.socks_password = Bytes::copy_from_slice(value),
            _ => return Err(Error::NotFound),
        }
        Ok(())
    }

    /// Reads a generic option; Err(NotFound) means "not a generic option".
    pub fn get(&self, option: i32, buf: &mut [u8]) -> Result<usize> {
        let int = |buf: &mut [u8], v: i32| put(buf, &v.to_ne_bytes());
        match option {
            SNDHWM => int(buf, self.sndhwm),
            RCVHWM => int(buf, self.rcvhwm),
            LINGER => int(buf, self.linger),
            RCVTIMEO => int(buf, self.rcvtimeo),
            SNDTIMEO => int(buf, self.sndtimeo),
            RECONNECT_IVL => int(buf, self.reconnect_ivl),
            RECONNECT_IVL_MAX => int(buf, self.reconnect_ivl_max),
            TYPE => int(buf, self.socket_type as i32),
            BACKLOG => int(buf, self.backlog),
            HANDSHAKE_IVL => int(buf, self.handshake_ivl),
            HEARTBEAT_IVL => int(buf, self.heartbeat_ivl),
            HEARTBEAT_TTL => int(buf, self.heartbeat_ttl),
            HEARTBEAT_TIMEOUT => int(buf, self.heartbeat_timeout),
            AFFINITY => put(buf, &self.affinity.to_ne_bytes()),
            RATE => int(buf, self.multicast.rate),
            RECOVERY_IVL => int(buf, self.multicast.recovery_ivl),
            MULTICAST_HOPS => int(buf, self.multicast.hops),
            MULTICAST_MAXTPDU => int(buf, self.multicast.max_tpdu),
            MULTICAST_LOOP => int(buf, self.multicast.looped as i32),
            LOOPBACK_FASTPATH => int(buf, self.loopback_fastpath as i32),
            IPV4ONLY => int(buf, !self.ipv6 as i32),
            INVERT_MATCHING => int(buf, self.invert_matching as i32),
            USE_FD => int(buf, self.use_fd),
            MECHANISM => int(buf, self.mechanism),
            PLAIN_SERVER => int(buf, (self.mechanism == PLAIN && self.as_server) as i32),
            CURVE_SERVER => int(buf, (self.mechanism == CURVE && self.as_server) as i32),
            CURVE_PUBLICKEY => put_curve_key(buf, &self.curve_public),
            CURVE_SECRETKEY => put_curve_key(buf, self.curve_secret.as_bytes()),
            CURVE_SERVERKEY => put_curve_key(buf, &self.curve_server),
            PLAIN_USERNAME => put(buf, &with_nul(&self.plain_username)),
            PLAIN_PASSWORD => put(buf, &with_nul(&self.plain_password)),
            ZAP_DOMAIN => put(buf, &with_nul(&self.zap_domain)),
            ZAP_ENFORCE_DOMAIN => int(buf, self.zap_enforce_domain as i32),
            SOCKS_PROXY => put(buf, &with_nul(&self.socks_proxy)),
            SOCKS_USERNAME => put(buf, &with_nul(&self.socks_username)),
            SOCKS_PASSWORD => put(buf, &with_nul(&self.socks_password)),
            // Sockets are not thread-safe (no draft thread-safe types).
            THREAD_SAFE => int(buf, 0),
            SNDBUF => int(buf, self.tcp.sndbuf),
            RCVBUF => int(buf, self.tcp.rcvbuf),
            TCP_KEEPALIVE => int(buf, self.tcp.keepalive),
            TCP_KEEPALIVE_CNT => int(buf, self.tcp.keepalive_cnt),
            TCP_KEEPALIVE_IDLE => int(buf, self.tcp.keepalive_idle),
            TCP_KEEPALIVE_INTVL => int(buf, self.tcp.keepalive_intvl),
            TOS => int(buf, self.tcp.tos),
            TCP_MAXRT => int(buf, self.tcp.maxrt),
            CONNECT_TIMEOUT => int(buf, self.connect_timeout),
            IMMEDIATE => int(buf, self.immediate as i32),
            CONFLATE => int(buf, self.conflate as i32),
            BINDTODEVICE => {
                let mut s = self.tcp.device.clone().unwrap_or_default().into_bytes();
                s.push(0);
                put(buf, &s)
            }
            IPV6 => int(buf, self.ipv6 as i32),
            MAXMSGSIZE => put(buf, &self.maxmsgsize.to_ne_bytes()),
            ROUTING_ID => put(buf, &self.routing_id),
            LAST_ENDPOINT => put(buf, &with_nul(self.last_endpoint.as_bytes())),
            _ => Err(Error::NotFound),
        }
    }

    /// The snapshot a new connection takes.
    pub fn conn(&self) -> ConnOptions {
        ConnOptions {
            socket_type: self.socket_type,
            sndhwm: self.sndhwm as usize,
            rcvhwm: self.rcvhwm as usize,
            routing_id: self.routing_id.clone(),
            max_msg_size: self.maxmsgsize,
            reconnect_ivl: self.reconnect_ivl,
            reconnect_ivl_max: self.reconnect_ivl_max,
            endpoint: String::new(),
            handshake_ivl: self.handshake_ivl,
            heartbeat_ivl: self.heartbeat_ivl,
            heartbeat_ttl: self.heartbeat_ttl,
            heartbeat_timeout: self.heartbeat_timeout,
            tcp: self.tcp.clone(),
            connect_timeout: self.connect_timeout,
            peer_routing_id: None,
            // As libzmq, only the one-way and unrouted types conflate; unlike
            // libzmq, never the direction subscriptions travel in, so a
            // conflating SUB keeps all its subscriptions.
            conflate_in: self.conflate
                && matches!(
                    self.socket_type,
                    SocketType::Dealer | SocketType::Pull | SocketType::Sub
                ),
            conflate_out: self.conflate
                && matches!(
                    self.socket_type,
                    SocketType::Dealer | SocketType::Push | SocketType::Pub
                ),
            security: self.security(),
            zap_domain: self.zap_domain.clone(),
            zap: ZapHandle::default(),
            accept: self.accept.clone(),
            stream_notify: self.stream_notify,
            socks: (!self.socks_proxy.is_empty()).then(|| SocksProxy {
                address: String::from_utf8_lossy(&self.socks_proxy).into_owned(),
                // A user name asks for RFC 1929 authentication (as libzmq).
                credentials: (!self.socks_username.is_empty())
                    .then(|| (self.socks_username.clone(), self.socks_password.clone())),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_are_validated_and_read_back() {
        let mut o = Options::new(SocketType::Req);
        assert_eq!(o.set(SNDHWM, &5i32.to_ne_bytes()), Ok(()));
        let mut buf = [0u8; 4];
        assert_eq!(o.get(SNDHWM, &mut buf), Ok(4));
        assert_eq!(i32::from_ne_bytes(buf), 5);
        assert_eq!(o.set(SNDHWM, &[1, 2]), Err(Error::Invalid));
        assert_eq!(o.set(SNDHWM, &(-1i32).to_ne_bytes()), Err(Error::Invalid));
        assert_eq!(o.get(SNDHWM, &mut [0u8; 2]), Err(Error::Invalid));
        assert_eq!(o.set(12345, &[0; 4]), Err(Error::NotFound));
    }

    #[test]
    fn routing_id_and_last_endpoint() {
        let mut o = Options::new(SocketType::Dealer);
        assert_eq!(o.set(ROUTING_ID, b""), Err(Error::Invalid));
        assert_eq!(o.set(ROUTING_ID, &[1u8; 256]), Err(Error::Invalid));
        o.set(ROUTING_ID, b"me").unwrap();
        let mut buf = [0u8; 255];
        assert_eq!(o.get(ROUTING_ID, &mut buf), Ok(2));
        assert_eq!(o.get(LAST_ENDPOINT, &mut buf), Ok(1));
        o.last_endpoint = "tcp://1.2.3.4:5".into();
        assert_eq!(o.get(LAST_ENDPOINT, &mut buf), Ok(16));
        assert_eq!(&buf[..16], b"tcp://1.2.3.4:5\0");
    }
}
