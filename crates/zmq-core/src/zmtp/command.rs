//! ZMTP commands (RFC 23/37): READY with its metadata, ERROR, SUBSCRIBE,
//! CANCEL, PING and PONG. A command is one frame whose body is a
//! length-prefixed name followed by data; parsing shares the frame's buffer
//! and never trusts a length without checking it against what is there.

use bytes::{BufMut, Bytes, BytesMut};

use super::frame::{self, COMMAND};
use super::ProtocolError;

pub const READY: &[u8] = b"READY";
pub const ERROR: &[u8] = b"ERROR";
pub const SUBSCRIBE: &[u8] = b"SUBSCRIBE";
pub const CANCEL: &[u8] = b"CANCEL";
pub const PING: &[u8] = b"PING";
pub const PONG: &[u8] = b"PONG";

/// Longest PING context a peer may send (RFC 37).
pub const PING_CONTEXT_MAX: usize = 16;

/// Standard metadata property names (compare case-insensitively).
pub const SOCKET_TYPE: &str = "Socket-Type";
pub const IDENTITY: &str = "Identity";

/// Connection metadata: READY's name/value properties, in wire order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata(pub Vec<(String, Bytes)>);

impl Metadata {
    /// The first property called `name`, ignoring ASCII case as RFC 23 asks.
    pub fn get(&self, name: &str) -> Option<&Bytes> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    pub fn push(&mut self, name: &str, value: impl Into<Bytes>) {
        self.0.push((name.to_owned(), value.into()));
    }

    fn encoded_len(&self) -> usize {
        self.0.iter().map(|(n, v)| 1 + n.len() + 4 + v.len()).sum()
    }

    /// Appends the properties in wire form (READY's and INITIATE's data).
    pub fn encode(&self, out: &mut BytesMut) {
        for (name, value) in &self.0 {
            debug_assert!((1..=255).contains(&name.len()));
            out.put_u8(name.len() as u8);
            out.extend_from_slice(name.as_bytes());
            out.put_u32(value.len() as u32);
            out.extend_from_slice(value);
        }
    }

    /// Parses `*property` until the data ends; any truncation is malformed.
    pub fn parse(data: &Bytes) -> Result<Metadata, ProtocolError> {
        let mut props = Vec::new();
        let mut at = 0;
        while at < data.len() {
            let name_len = usize::from(data[at]);
            at += 1;
            let name = data
                .get(at..at + name_len)
                .filter(|n| !n.is_empty())
                .ok_or(ProtocolError::MalformedCommand)?;
            let name = std::str::from_utf8(name).map_err(|_| ProtocolError::MalformedCommand)?;
            at += name_len;
            let size = data
                .get(at..at + 4)
                .ok_or(ProtocolError::MalformedCommand)?;
            let size = u32::from_be_bytes(size.try_into().expect("4 bytes")) as usize;
            at += 4;
            if size > data.len() - at {
                return Err(ProtocolError::MalformedCommand);
            }
            props.push((name.to_owned(), data.slice(at..at + size)));
            at += size;
        }
        Ok(Metadata(props))
    }
}

/// A parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Ready(Metadata),
    Error {
        reason: Bytes,
    },
    Subscribe(Bytes),
    Cancel(Bytes),
    /// `ttl` is in tenths of a second; `context` is at most 16 bytes.
    Ping {
        ttl: u16,
        context: Bytes,
    },
    Pong {
        context: Bytes,
    },
    /// A command we do not know; callers ignore or refuse it by name.
    Other {
        name: Bytes,
        data: Bytes,
    },
}

impl Command {
    /// Parses a command frame's body.
    pub fn parse(body: Bytes) -> Result<Command, ProtocolError> {
        let name_len = usize::from(*body.first().ok_or(ProtocolError::MalformedCommand)?);
        if name_len == 0 || body.len() < 1 + name_len {
            if body.starts_with(LIBZMQ43_ERROR) {
                return Ok(Command::Error {
                    reason: parse_error_reason(&body.slice(LIBZMQ43_ERROR.len()..))?,
                });
            }
            return Err(ProtocolError::MalformedCommand);
        }
        let data = body.slice(1 + name_len..);
        Ok(match &body[1..1 + name_len] {
            READY => Command::Ready(Metadata::parse(&data)?),
            ERROR => Command::Error {
                reason: parse_error_reason(&data)?,
            },
            SUBSCRIBE => Command::Subscribe(data),
            CANCEL => Command::Cancel(data),
            PING => {
                let ttl = data.get(..2).ok_or(ProtocolError::MalformedCommand)?;
                let ttl = u16::from_be_bytes([ttl[0], ttl[1]]);
                // An over-long context is the peer's bug, not worth a
                // disconnect: echo the first 16 bytes.
                let end = data.len().min(2 + PING_CONTEXT_MAX);
                Command::Ping {
                    ttl,
                    context: data.slice(2..end),
                }
            }
            PONG => Command::Pong { context: data },
            _ => Command::Other {
                name: body.slice(1..1 + name_len),
                data,
            },
        })
    }

    /// The command's name as sent on the wire.
    pub fn name(&self) -> &[u8] {
        match self {
            Command::Ready(_) => READY,
            Command::Error { .. } => ERROR,
            Command::Subscribe(_) => SUBSCRIBE,
            Command::Cancel(_) => CANCEL,
            Command::Ping { .. } => PING,
            Command::Pong { .. } => PONG,
            Command::Other { name, .. } => name,
        }
    }

    fn data_len(&self) -> usize {
        match self {
            Command::Ready(meta) => meta.encoded_len(),
            Command::Error { reason } => 1 + reason.len().min(255),
            Command::Subscribe(data) | Command::Cancel(data) => data.len(),
            Command::Ping { context, .. } => 2 + context.len(),
            Command::Pong { context } => context.len(),
            Command::Other { data, .. } => data.len(),
        }
    }

    /// Appends the whole command frame (header included) to `out`.
    pub fn encode(&self, out: &mut BytesMut) {
        put_head(out, self.name(), self.data_len());
        match self {
            Command::Ready(meta) => meta.encode(out),
            Command::Error { reason } => {
                let reason = &reason[..reason.len().min(255)];
                out.put_u8(reason.len() as u8);
                out.extend_from_slice(reason);
            }
            Command::Subscribe(data) | Command::Cancel(data) => out.extend_from_slice(data),
            Command::Ping { ttl, context } => {
                out.put_u16(*ttl);
                out.extend_from_slice(context);
            }
            Command::Pong { context } => out.extend_from_slice(context),
            Command::Other { data, .. } => out.extend_from_slice(data),
        }
    }
}

impl Command {
    /// The command's frame body alone (name and data), as a mechanism that
    /// seals traffic carries it inside a MESSAGE.
    pub fn body(&self) -> BytesMut {
        let mut framed = BytesMut::new();
        self.encode(&mut framed);
        // A body of up to 255 bytes has a 2-byte header, a longer one 9.
        let header = if framed.len() <= 2 + 255 { 2 } else { 9 };
        framed.split_off(header)
    }
}

/// The MESSAGE command that carries a sealed frame (RFC 26).
pub const MESSAGE: &[u8] = b"MESSAGE";

/// A command body's name and data, without parsing the data (CURVE's
/// commands are boxes); None if the name is empty or cut short.
pub fn name_and_data(body: &[u8]) -> Option<(&[u8], &[u8])> {
    let (&len, rest) = body.split_first()?;
    let len = usize::from(len);
    (len > 0 && rest.len() >= len).then(|| rest.split_at(len))
}

/// The ERROR name as libzmq 4.3's PLAIN writes it (CURVE spells it right):
/// its C source
/// spells the name "\x05ERROR", whose greedy hex escape makes one byte of
/// `\x05E`, so the name-length byte reads 0x5E ('^') and "RROR" follows.
/// Its PLAIN peers understand only this form; we accept it from anyone.
pub const LIBZMQ43_ERROR: &[u8] = b"^RROR";

/// Appends an ERROR in libzmq 4.3's PLAIN form (see `LIBZMQ43_ERROR`).
pub fn encode_libzmq43_error(out: &mut BytesMut, reason: &[u8]) {
    let reason = &reason[..reason.len().min(255)];
    let mut body = Vec::with_capacity(LIBZMQ43_ERROR.len() + 1 + reason.len());
    body.extend_from_slice(LIBZMQ43_ERROR);
    body.push(reason.len() as u8);
    body.extend_from_slice(reason);
    frame::encode(out, COMMAND, &body);
}

/// Appends a command frame made of `name` and raw `data`; for commands built
/// from borrowed bytes, such as a subscription taken from an outgoing message.
pub fn encode_raw(out: &mut BytesMut, name: &[u8], data: &[u8]) {
    put_head(out, name, data.len());
    out.extend_from_slice(data);
}

/// Writes the frame header and the name of a command with `data_len` bytes
/// of data, reserving room for the data too.
fn put_head(out: &mut BytesMut, name: &[u8], data_len: usize) {
    debug_assert!((1..=255).contains(&name.len()));
    let body_len = 1 + name.len() + data_len;
    out.reserve(9 + body_len);
    frame::encode_header(out, COMMAND, body_len);
    out.put_u8(name.len() as u8);
    out.extend_from_slice(name);
}

/// `error-reason = short-size 0*255VCHAR`; an empty body counts as no reason.
fn parse_error_reason(data: &Bytes) -> Result<Bytes, ProtocolError> {
    match data.first() {
        None => Ok(Bytes::new()),
        Some(&len) => data
            .get(1..1 + usize::from(len))
            .map(|_| data.slice(1..1 + usize::from(len)))
            .ok_or(ProtocolError::MalformedCommand),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libzmq43_plain_errors_are_read_and_written() {
        let mut out = BytesMut::new();
        encode_libzmq43_error(&mut out, b"400");
        assert_eq!(&out[..], b"\x04\x09^RROR\x03400");
        let body = Bytes::copy_from_slice(&out[2..]);
        assert_eq!(
            Command::parse(body),
            Ok(Command::Error {
                reason: Bytes::from_static(b"400")
            })
        );
        assert_eq!(
            Command::parse(Bytes::from_static(b"^RROR\x05400")),
            Err(ProtocolError::MalformedCommand)
        );
    }

    fn encoded(cmd: &Command) -> Vec<u8> {
        let mut out = BytesMut::new();
        cmd.encode(&mut out);
        out.to_vec()
    }

    /// Parses an encoded command frame back, through the frame decoder.
    fn round_trip(cmd: &Command) -> Command {
        let mut wire = BytesMut::from(&encoded(cmd)[..]);
        let f = frame::decode(&mut wire, u64::MAX).unwrap().unwrap();
        assert!(f.is_command() && wire.is_empty());
        Command::parse(f.body).unwrap()
    }

    #[test]
    fn ready_matches_the_rfc_23_worked_example() {
        let mut meta = Metadata::default();
        meta.push(SOCKET_TYPE, "DEALER");
        meta.push(IDENTITY, "");
        let mut expected = vec![0x04, 41, 5];
        expected.extend_from_slice(b"READY");
        expected.push(11);
        expected.extend_from_slice(b"Socket-Type");
        expected.extend_from_slice(&[0, 0, 0, 6]);
        expected.extend_from_slice(b"DEALER");
        expected.push(8);
        expected.extend_from_slice(b"Identity");
        expected.extend_from_slice(&[0, 0, 0, 0]);
        assert_eq!(encoded(&Command::Ready(meta.clone())), expected);
        assert_eq!(
            round_trip(&Command::Ready(meta.clone())),
            Command::Ready(meta)
        );

        let mut router = Metadata::default();
        router.push(SOCKET_TYPE, "ROUTER");
        let bytes = encoded(&Command::Ready(router));
        assert_eq!(&bytes[..2], &[0x04, 28]);
        assert_eq!(&bytes[20..], b"\0\0\0\x06ROUTER");
    }

    #[test]
    fn ready_for_a_req_with_identity() {
        let mut meta = Metadata::default();
        meta.push(SOCKET_TYPE, "REQ");
        meta.push(IDENTITY, "abc");
        let expected: &[u8] =
            b"\x04\x29\x05READY\x0bSocket-Type\0\0\0\x03REQ\x08Identity\0\0\0\x03abc";
        assert_eq!(encoded(&Command::Ready(meta)), expected);
    }

    #[test]
    fn metadata_names_are_case_insensitive() {
        let body = Bytes::from_static(b"\x05READY\x0bSOCKET-TYPE\0\0\0\x03PUB\x05X-Foo\0\0\0\0");
        let Command::Ready(meta) = Command::parse(body).unwrap() else {
            panic!("not READY");
        };
        assert_eq!(meta.get("socket-type").unwrap(), "PUB");
        assert_eq!(meta.get(SOCKET_TYPE).unwrap(), "PUB");
        assert_eq!(meta.get("x-foo").unwrap(), "");
        assert_eq!(meta.get(IDENTITY), None);
        assert_eq!(meta.0.len(), 2);
    }

    #[test]
    fn malformed_bodies() {
        let bad: &[&[u8]] = &[
            b"",
            b"\x00",
            b"\x05REA",
            b"\x05READY\x00\0\0\0\0",        // empty property name
            b"\x05READY\x04Nam",             // truncated name
            b"\x05READY\x04Name\0\0",        // truncated size
            b"\x05READY\x04Name\0\0\0\x02x", // truncated value
            b"\x05READY\x04Name\xff\xff\xff\xffx",
            b"\x05READY\x02\xff\xfe\0\0\0\0", // name not UTF-8
            b"\x04PING\x01",
            b"\x05ERROR\x05abc",
        ];
        for body in bad {
            assert_eq!(
                Command::parse(Bytes::from_static(body)),
                Err(ProtocolError::MalformedCommand),
                "{body:?}"
            );
        }
    }

    #[test]
    fn other_commands_round_trip() {
        let cmds = [
            Command::Error {
                reason: Bytes::from_static(b"Invalid socket type"),
            },
            Command::Subscribe(Bytes::from_static(b"topic")),
            Command::Cancel(Bytes::new()),
            Command::Ping {
                ttl: 300,
                context: Bytes::from_static(b"ctx"),
            },
            Command::Pong {
                context: Bytes::from_static(b"ctx"),
            },
            Command::Other {
                name: Bytes::from_static(b"HELLO"),
                data: Bytes::from_static(b"\x01\x02"),
            },
        ];
        for cmd in &cmds {
            assert_eq!(&round_trip(cmd), cmd);
        }
        assert_eq!(encoded(&cmds[1]), b"\x04\x0f\x09SUBSCRIBEtopic".to_vec());
        assert_eq!(encoded(&cmds[3]), b"\x04\x0a\x04PING\x01\x2cctx".to_vec());
    }

    #[test]
    fn ping_context_is_cut_at_16_bytes_and_error_may_be_empty() {
        let body = Bytes::from_static(b"\x04PING\0\x0a0123456789abcdefXYZ");
        assert_eq!(
            Command::parse(body).unwrap(),
            Command::Ping {
                ttl: 10,
                context: Bytes::from_static(b"0123456789abcdef")
            }
        );
        assert_eq!(
            Command::parse(Bytes::from_static(b"\x05ERROR")).unwrap(),
            Command::Error {
                reason: Bytes::new()
            }
        );
    }
}
