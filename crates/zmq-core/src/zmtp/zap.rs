//! ZAP, the ZeroMQ Authentication Protocol (RFC 27): while a handshake
//! waits, the connection asks a handler the application bound at
//! `inproc://zeromq.zap.01` whether to let the peer in. This module holds
//! the protocol's two messages; the engine carries them over an inproc pipe.

use bytes::Bytes;

use super::command::Metadata;
use crate::msg::Msg;

/// The inproc name a ZAP handler binds.
pub const ENDPOINT: &str = "zeromq.zap.01";

const VERSION: &[u8] = b"1.0";
/// One request is outstanding per connection at a time, so one id will do.
const REQUEST_ID: &[u8] = b"1";

/// What a mechanism asks the handler to decide on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// "NULL", "PLAIN" or "CURVE".
    pub mechanism: &'static str,
    /// PLAIN: user name and password; NULL: none.
    pub credentials: Vec<Bytes>,
}

/// What the connection knows about the peer, for the request.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// ZMQ_ZAP_DOMAIN.
    pub domain: Bytes,
    /// The peer's address: its IP for tcp, `localhost:UID:GID:PID` for ipc.
    pub address: String,
    /// Our own ZMQ_ROUTING_ID, as libzmq sends it.
    pub identity: Bytes,
}

impl Request {
    /// The request's frames, an empty delimiter first so REP and ROUTER
    /// handlers both take it as a request envelope.
    pub fn frames(&self, origin: &Origin) -> Vec<Msg> {
        let mut parts: Vec<&[u8]> = vec![
            b"",
            VERSION,
            REQUEST_ID,
            &origin.domain,
            origin.address.as_bytes(),
            &origin.identity,
            self.mechanism.as_bytes(),
        ];
        parts.extend(self.credentials.iter().map(|c| &c[..]));
        multipart(&parts)
    }
}

/// One message of these frames: MORE on all but the last.
fn multipart(parts: &[&[u8]]) -> Vec<Msg> {
    let last = parts.len().saturating_sub(1);
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut m = Msg::from_slice(p);
            m.set_more(i < last);
            m
        })
        .collect()
}

/// The handler's answer, as the mechanism acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// 200: the peer may talk to us.
    Allow,
    /// 300 (try later), 400 (refused) or 500 (handler failure).
    Deny(u16),
    /// No handler is bound (or it is not a REP or ROUTER).
    Unavailable,
}

/// A reply that breaks RFC 27: the connection is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyError {
    Malformed,
    BadRequestId,
    BadVersion,
    InvalidStatusCode,
    InvalidMetadata,
}

impl ReplyError {
    /// libzmq's ZMQ_PROTOCOL_ERROR_ZAP_* value for monitor events.
    pub fn code(self) -> u32 {
        match self {
            ReplyError::Malformed => 0x2000_0001,
            ReplyError::BadRequestId => 0x2000_0002,
            ReplyError::BadVersion => 0x2000_0003,
            ReplyError::InvalidStatusCode => 0x2000_0004,
            ReplyError::InvalidMetadata => 0x2000_0005,
        }
    }
}

/// A well-formed reply: the verdict, and for the application (see
/// `zmq_msg_gets`) the user id and metadata the handler gave the peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub verdict: Verdict,
    pub user_id: Bytes,
    pub metadata: Metadata,
}

/// Reads a reply: delimiter, version, request id, status code, status
/// text, user id, metadata (seven frames, only the last without MORE).
pub fn parse_reply(frames: &[Msg]) -> Result<Answer, ReplyError> {
    let [delimiter, version, request_id, status, _text, user_id, metadata] = frames else {
        return Err(ReplyError::Malformed);
    };
    let shape_ok = frames[..6].iter().all(Msg::more) && !metadata.more();
    if !shape_ok || !delimiter.is_empty() {
        return Err(ReplyError::Malformed);
    }
    if version.data() != VERSION {
        return Err(ReplyError::BadVersion);
    }
    if request_id.data() != REQUEST_ID {
        return Err(ReplyError::BadRequestId);
    }
    let verdict = match status.data() {
        b"200" => Verdict::Allow,
        b"300" => Verdict::Deny(300),
        b"400" => Verdict::Deny(400),
        b"500" => Verdict::Deny(500),
        _ => return Err(ReplyError::InvalidStatusCode),
    };
    let metadata = Metadata::parse(&Bytes::copy_from_slice(metadata.data()))
        .map_err(|_| ReplyError::InvalidMetadata)?;
    Ok(Answer {
        verdict,
        user_id: Bytes::copy_from_slice(user_id.data()),
        metadata,
    })
}

/// The status code a peer's ERROR reason carries, if it is one ("300",
/// "400" or "500"): the peer's authenticator refused us.
pub fn status_in_reason(reason: &str) -> Option<u16> {
    match reason {
        "300" => Some(300),
        "400" => Some(400),
        "500" => Some(500),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_frames_follow_rfc_27() {
        let req = Request {
            mechanism: "PLAIN",
            credentials: vec![Bytes::from_static(b"admin"), Bytes::from_static(b"pw")],
        };
        let origin = Origin {
            domain: Bytes::from_static(b"global"),
            address: "127.0.0.1".into(),
            identity: Bytes::new(),
        };
        let frames = req.frames(&origin);
        let data: Vec<&[u8]> = frames.iter().map(Msg::data).collect();
        assert_eq!(
            data,
            [
                &b""[..],
                b"1.0",
                b"1",
                b"global",
                b"127.0.0.1",
                b"",
                b"PLAIN",
                b"admin",
                b"pw"
            ]
        );
        assert!(frames[..8].iter().all(Msg::more));
        assert!(!frames[8].more());
    }

    #[test]
    fn replies_give_verdicts_or_errors() {
        let ok = |status: &[u8]| {
            parse_reply(&multipart(&[b"", b"1.0", b"1", status, b"", b"", b""]))
                .map(|answer| answer.verdict)
        };
        let full = parse_reply(&multipart(&[
            b"",
            b"1.0",
            b"1",
            b"200",
            b"OK",
            b"alice",
            b"\x05X-Foo\x00\x00\x00\x03bar",
        ]))
        .unwrap();
        assert_eq!(full.user_id, "alice");
        assert_eq!(full.metadata.get("X-Foo").unwrap(), "bar");
        assert_eq!(ok(b"200"), Ok(Verdict::Allow));
        assert_eq!(ok(b"300"), Ok(Verdict::Deny(300)));
        assert_eq!(ok(b"400"), Ok(Verdict::Deny(400)));
        assert_eq!(ok(b"500"), Ok(Verdict::Deny(500)));
        assert_eq!(ok(b"201"), Err(ReplyError::InvalidStatusCode));
        assert_eq!(ok(b"2000"), Err(ReplyError::InvalidStatusCode));
        let cases: [(&[&[u8]], ReplyError); 5] = [
            (
                &[b"", b"1.0", b"1", b"200", b"", b""],
                ReplyError::Malformed,
            ),
            (
                &[b"x", b"1.0", b"1", b"200", b"", b"", b""],
                ReplyError::Malformed,
            ),
            (
                &[b"", b"2.0", b"1", b"200", b"", b"", b""],
                ReplyError::BadVersion,
            ),
            (
                &[b"", b"1.0", b"7", b"200", b"", b"", b""],
                ReplyError::BadRequestId,
            ),
            (
                &[b"", b"1.0", b"1", b"200", b"", b"", b"\x05Hello"],
                ReplyError::InvalidMetadata,
            ),
        ];
        for (parts, error) in cases {
            assert_eq!(
                parse_reply(&multipart(parts)).err(),
                Some(error),
                "{parts:?}"
            );
        }
        let mut split = multipart(&[b"", b"1.0", b"1", b"200", b"", b"", b""]);
        split[3].set_more(false);
        assert_eq!(parse_reply(&split).err(), Some(ReplyError::Malformed));
    }

    #[test]
    fn error_reasons_with_status_codes() {
        assert_eq!(status_in_reason("400"), Some(400));
        assert_eq!(status_in_reason("300"), Some(300));
        assert_eq!(status_in_reason("200"), None);
        assert_eq!(status_in_reason("nope"), None);
    }
}
