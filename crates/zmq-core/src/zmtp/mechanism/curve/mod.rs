//! The CURVE mechanism (RFC 26, CurveZMQ) as libzmq 4.3 speaks it. Each
//! side has a long-term key pair (C, S) and makes a short-term one per
//! connection (C', S'). The client proves it knows S (HELLO), the server
//! answers with S' and a cookie (WELCOME), the client vouches for C' with
//! C and sends its metadata (INITIATE), the server may ask ZAP about C and
//! sends its metadata (READY); then every frame is boxed between C' and S'
//! (`seal`). Field sizes, nonce prefixes and command spellings are
//! libzmq's, so either role talks to libzmq in the other.

pub mod cookie;
pub mod seal;

use bytes::{BufMut, Bytes, BytesMut};

use super::{refuse, validate_peer, ErrorForm, PeerMetadata, Step, Us};
use crate::crypto::{keypair, PublicKey, SecretKey, SharedKey, KEY_LEN, MAC_LEN, NONCE_LEN};
use crate::zmtp::command::{self, Command, Metadata};
use crate::zmtp::greeting::{mechanism_name, MechanismName};
use crate::zmtp::zap::{Request, Verdict};
use crate::zmtp::Malformed;
use crate::zmtp::ProtocolError;
use cookie::Jar;
pub use seal::CurveSeal;

/// The name both sides announce in the greeting.
pub const NAME: MechanismName = mechanism_name(b"CURVE");

const HELLO: &[u8] = b"HELLO";
const WELCOME: &[u8] = b"WELCOME";
const INITIATE: &[u8] = b"INITIATE";
const READY: &[u8] = b"READY";

/// Nonce prefixes (the short nonce or long nonce completes each).
const HELLO_NONCE: &[u8; 16] = b"CurveZMQHELLO---";
const INITIATE_NONCE: &[u8; 16] = b"CurveZMQINITIATE";
const READY_NONCE: &[u8; 16] = b"CurveZMQREADY---";
const WELCOME_NONCE: &[u8; 8] = b"WELCOME-";
const VOUCH_NONCE: &[u8; 8] = b"VOUCH---";

/// HELLO's data after its name: version, padding, C', short nonce, box of
/// 64 zeros. libzmq pads with 72 bytes so HELLO is 200 bytes whole.
const HELLO_DATA_LEN: usize = 2 + HELLO_PADDING + KEY_LEN + 8 + MAC_LEN + 64;
const HELLO_PADDING: usize = 72;
/// WELCOME's data: long nonce and the box of S' and the cookie.
const WELCOME_DATA_LEN: usize = 16 + MAC_LEN + KEY_LEN + cookie::LEN;
/// The smallest INITIATE data: cookie, short nonce, box of C and the vouch.
const INITIATE_DATA_MIN: usize = cookie::LEN + 8 + MAC_LEN + VOUCHED_LEN;
/// C, the vouch's long nonce and the vouch box (of C' and S).
const VOUCHED_LEN: usize = KEY_LEN + 16 + MAC_LEN + 2 * KEY_LEN;

/// Which end of the connection we are: it picks the MESSAGE nonce prefix
/// each direction uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Client,
    Server,
}

impl Role {
    fn sends(self) -> &'static [u8; 16] {
        match self {
            Role::Client => b"CurveZMQMESSAGEC",
            Role::Server => b"CurveZMQMESSAGES",
        }
    }

    fn receives(self) -> &'static [u8; 16] {
        match self {
            Role::Client => Role::Server.sends(),
            Role::Server => Role::Client.sends(),
        }
    }
}

/// A full nonce: a 16-byte prefix and a short nonce counting up.
fn nonce(prefix: &[u8; 16], short: u64) -> [u8; NONCE_LEN] {
    let mut n = [0; NONCE_LEN];
    n[..16].copy_from_slice(prefix);
    n[16..].copy_from_slice(&short.to_be_bytes());
    n
}

/// A full nonce: an 8-byte prefix and 16 bytes chosen at random (or
/// received).
fn long_nonce(prefix: &[u8; 8], tail: &[u8]) -> [u8; NONCE_LEN] {
    let mut n = [0; NONCE_LEN];
    n[..8].copy_from_slice(prefix);
    n[8..].copy_from_slice(tail);
    n
}

fn random_tail() -> [u8; 16] {
    let mut tail = [0; 16];
    crate::crypto::random(&mut tail);
    tail
}

fn read_u64(bytes: &[u8]) -> u64 {
    u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes"))
}

fn key_at(bytes: &[u8], at: usize) -> PublicKey {
    bytes[at..at + KEY_LEN].try_into().expect("32 bytes")
}

/// The client's side: knows S, has C and c.
#[derive(Debug)]
pub struct CurveClient {
    us: Us,
    server: PublicKey,
    public: PublicKey,
    secret: SecretKey,
    short_public: PublicKey,
    short_secret: SecretKey,
    /// Between S and c' (HELLO and WELCOME's boxes).
    to_server: Option<SharedKey>,
    /// Between S' and c' (INITIATE, READY, traffic), once welcomed.
    session: Option<SharedKey>,
    /// Our next short nonce.
    next: u64,
    peer_last: u64,
    state: ClientState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientState {
    Start,
    Welcome,
    Ready,
    Done,
}

impl CurveClient {
    pub fn new(us: Us, server: PublicKey, public: PublicKey, secret: SecretKey) -> CurveClient {
        let (short_public, short_secret) = keypair();
        CurveClient {
            us,
            server,
            public,
            secret,
            short_public,
            short_secret,
            to_server: None,
            session: None,
            next: 1,
            peer_last: 0,
            state: ClientState::Start,
        }
    }

    /// Sends HELLO: C', and a box of zeros only the holder of s can open.
    pub fn start(&mut self, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        let key = SharedKey::between(&self.server, &self.short_secret)
            .ok_or(ProtocolError::Cryptographic)?;
        let short = self.take_nonce();
        let signature = key.seal(&nonce(HELLO_NONCE, short), &[0; 64]);
        let mut data = Vec::with_capacity(HELLO_DATA_LEN);
        data.extend_from_slice(&[1, 0]);
        data.extend_from_slice(&[0; HELLO_PADDING]);
        data.extend_from_slice(&self.short_public);
        data.extend_from_slice(&short.to_be_bytes());
        data.extend_from_slice(&signature);
        command::encode_raw(out, HELLO, &data);
        self.to_server = Some(key);
        self.state = ClientState::Welcome;
        Ok(Step::Continue)
    }

    fn take_nonce(&mut self) -> u64 {
        let n = self.next;
        self.next += 1;
        n
    }

    pub fn handle(&mut self, body: Bytes, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        let (name, data) = split(&body)?;
        match (self.state, name) {
            (ClientState::Welcome, WELCOME) => self.welcome(data, out),
            (ClientState::Ready, READY) => self.ready(data),
            (ClientState::Welcome | ClientState::Ready, command::ERROR) => {
                match Command::parse(body.clone()) {
                    Ok(Command::Error { reason }) => Err(ProtocolError::PeerError {
                        reason: String::from_utf8_lossy(&reason).into(),
                    }),
                    _ => Err(ProtocolError::Malformed(Malformed::Error)),
                }
            }
            _ => Err(ProtocolError::UnexpectedCommand(
                String::from_utf8_lossy(name).into(),
            )),
        }
    }

    /// WELCOME: S' and the cookie, from S to C'. Answers INITIATE.
    fn welcome(&mut self, data: &[u8], out: &mut BytesMut) -> Result<Step, ProtocolError> {
        // libzmq reports any WELCOME it cannot use as a cryptographic error.
        if data.len() != WELCOME_DATA_LEN {
            return Err(ProtocolError::Cryptographic);
        }
        let to_server = self.to_server.take().expect("HELLO was sent");
        let plain = to_server
            .open(&long_nonce(WELCOME_NONCE, &data[..16]), &data[16..])
            .map_err(|_| ProtocolError::Cryptographic)?;
        let server_short = key_at(&plain, 0);
        let cookie = &plain[KEY_LEN..];
        let session = SharedKey::between(&server_short, &self.short_secret)
            .ok_or(ProtocolError::Cryptographic)?;
        // The vouch: C' and S, from C to S'.
        let vouch_key =
            SharedKey::between(&server_short, &self.secret).ok_or(ProtocolError::Cryptographic)?;
        let vouch_tail = random_tail();
        let mut vouched = [0; 2 * KEY_LEN];
        vouched[..KEY_LEN].copy_from_slice(&self.short_public);
        vouched[KEY_LEN..].copy_from_slice(&self.server);
        let vouch = vouch_key.seal(&long_nonce(VOUCH_NONCE, &vouch_tail), &vouched);
        let mut plain = BytesMut::with_capacity(VOUCHED_LEN + 64);
        plain.extend_from_slice(&self.public);
        plain.extend_from_slice(&vouch_tail);
        plain.extend_from_slice(&vouch);
        self.us.metadata().encode(&mut plain);
        let short = self.take_nonce();
        let boxed = session.seal(&nonce(INITIATE_NONCE, short), &plain);
        let mut data = Vec::with_capacity(cookie::LEN + 8 + boxed.len());
        data.extend_from_slice(cookie);
        data.extend_from_slice(&short.to_be_bytes());
        data.extend_from_slice(&boxed);
        command::encode_raw(out, INITIATE, &data);
        self.session = Some(session);
        self.state = ClientState::Ready;
        Ok(Step::Continue)
    }

    /// READY: the server's metadata, from S' to C'.
    fn ready(&mut self, data: &[u8]) -> Result<Step, ProtocolError> {
        if data.len() < 8 + MAC_LEN {
            return Err(ProtocolError::Malformed(Malformed::Ready));
        }
        let short = read_u64(data);
        if short <= self.peer_last {
            return Err(ProtocolError::InvalidSequence);
        }
        let session = self.session.as_ref().expect("welcomed");
        let plain = session
            .open(&nonce(READY_NONCE, short), &data[8..])
            .map_err(|_| ProtocolError::Cryptographic)?;
        self.peer_last = short;
        let meta =
            Metadata::parse(&Bytes::from(plain)).map_err(|_| ProtocolError::InvalidMetadata)?;
        self.state = ClientState::Done;
        Ok(Step::Done(validate_peer(self.us.socket_type, meta)?))
    }

    /// The traffic seal, once READY came.
    pub fn take_seal(&mut self) -> Option<CurveSeal> {
        let key = self.session.take()?;
        Some(CurveSeal::new(key, self.next, self.peer_last, Role::Client))
    }
}

/// The server's side: has S and s.
#[derive(Debug)]
pub struct CurveServer {
    us: Us,
    public: PublicKey,
    secret: SecretKey,
    /// Ask the ZAP handler about each client (libzmq: always, unless the
    /// domain is enforced and empty).
    authenticate: bool,
    /// Refuse clients when no handler is bound (ZMQ_ZAP_ENFORCE_DOMAIN).
    enforce: bool,
    state: ServerState,
    peer_last: u64,
    /// The cookie nonce WELCOME carried: INITIATE must bring back this
    /// cookie and no other (not one from another connection).
    cookie_nonce: [u8; cookie::NONCE_TAIL],
    /// Between C' and s' once INITIATE is in.
    session: Option<SharedKey>,
    /// The client's metadata, held while the ZAP handler decides.
    peer: Option<PeerMetadata>,
    next: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ServerState {
    Hello,
    Initiate,
    Verdict,
    Done,
}

impl CurveServer {
    pub fn new(us: Us, secret: SecretKey, authenticate: bool, enforce: bool) -> CurveServer {
        CurveServer {
            us,
            public: secret.public_key(),
            secret,
            authenticate,
            enforce,
            state: ServerState::Hello,
            peer_last: 0,
            cookie_nonce: [0; cookie::NONCE_TAIL],
            session: None,
            peer: None,
            next: 1,
        }
    }

    pub fn handle(&mut self, body: Bytes, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        let (name, data) = split(&body)?;
        match (self.state, name) {
            (ServerState::Hello, HELLO) => self.hello(data, out),
            (ServerState::Initiate, INITIATE) => self.initiate(data, out),
            _ => Err(ProtocolError::UnexpectedCommand(
                String::from_utf8_lossy(name).into(),
            )),
        }
    }

    /// HELLO: the client shows it knows S. Answers WELCOME with S' and the
    /// cookie, keeping nothing secret for the client until INITIATE.
    fn hello(&mut self, data: &[u8], out: &mut BytesMut) -> Result<Step, ProtocolError> {
        let malformed = ProtocolError::Malformed(Malformed::Hello);
        if data.len() != HELLO_DATA_LEN || data[..2] != [1, 0] {
            return Err(malformed);
        }
        if data[2..2 + HELLO_PADDING].iter().any(|&b| b != 0) {
            return Err(malformed);
        }
        let at = 2 + HELLO_PADDING;
        let client_short = key_at(data, at);
        let short = read_u64(&data[at + KEY_LEN..]);
        let key =
            SharedKey::between(&client_short, &self.secret).ok_or(ProtocolError::Cryptographic)?;
        let zeros = key
            .open(&nonce(HELLO_NONCE, short), &data[at + KEY_LEN + 8..])
            .map_err(|_| ProtocolError::Cryptographic)?;
        if zeros.iter().any(|&b| b != 0) {
            return Err(ProtocolError::Cryptographic);
        }
        self.peer_last = short;
        let (short_public, short_secret) = keypair();
        let cookie = Jar::global().bake(&client_short, &short_secret);
        drop(short_secret);
        self.cookie_nonce
            .copy_from_slice(&cookie[..cookie::NONCE_TAIL]);
        let mut plain = [0; KEY_LEN + cookie::LEN];
        plain[..KEY_LEN].copy_from_slice(&short_public);
        plain[KEY_LEN..].copy_from_slice(&cookie);
        let tail = random_tail();
        let boxed = key.seal(&long_nonce(WELCOME_NONCE, &tail), &plain);
        let mut data = Vec::with_capacity(WELCOME_DATA_LEN);
        data.extend_from_slice(&tail);
        data.extend_from_slice(&boxed);
        command::encode_raw(out, WELCOME, &data);
        self.state = ServerState::Initiate;
        Ok(Step::Continue)
    }

    /// INITIATE: our cookie back, then C, the vouch for C' and the client's
    /// metadata, from C' to S'.
    fn initiate(&mut self, data: &[u8], out: &mut BytesMut) -> Result<Step, ProtocolError> {
        if data.len() < INITIATE_DATA_MIN {
            return Err(ProtocolError::Malformed(Malformed::Initiate));
        }
        let cookie: &[u8; cookie::LEN] = data[..cookie::LEN].try_into().expect("96 bytes");
        if cookie[..cookie::NONCE_TAIL] != self.cookie_nonce {
            return Err(ProtocolError::Cryptographic);
        }
        let (client_short, server_short) = Jar::global()
            .open(cookie)
            .ok_or(ProtocolError::Cryptographic)?;
        let short = read_u64(&data[cookie::LEN..]);
        if short <= self.peer_last {
            return Err(ProtocolError::InvalidSequence);
        }
        let session =
            SharedKey::between(&client_short, &server_short).ok_or(ProtocolError::Cryptographic)?;
        let plain = session
            .open(&nonce(INITIATE_NONCE, short), &data[cookie::LEN + 8..])
            .map_err(|_| ProtocolError::Cryptographic)?;
        self.peer_last = short;
        let client = key_at(&plain, 0);
        let vouch_key =
            SharedKey::between(&client, &server_short).ok_or(ProtocolError::Cryptographic)?;
        let vouched = vouch_key
            .open(
                &long_nonce(VOUCH_NONCE, &plain[KEY_LEN..KEY_LEN + 16]),
                &plain[KEY_LEN + 16..VOUCHED_LEN],
            )
            .map_err(|_| ProtocolError::Cryptographic)?;
        if key_at(&vouched, 0) != client_short || key_at(&vouched, KEY_LEN) != self.public {
            return Err(ProtocolError::KeyExchange);
        }
        let meta = Metadata::parse(&Bytes::copy_from_slice(&plain[VOUCHED_LEN..]))?;
        let peer = validate_peer(self.us.socket_type, meta)?;
        self.session = Some(session);
        if self.authenticate {
            self.peer = Some(peer);
            self.state = ServerState::Verdict;
            return Ok(Step::Authenticate(Request {
                mechanism: "CURVE",
                credentials: vec![Bytes::copy_from_slice(&client)],
            }));
        }
        Ok(self.send_ready(peer, out))
    }

    /// READY with our metadata, from S' to C'.
    fn send_ready(&mut self, peer: PeerMetadata, out: &mut BytesMut) -> Step {
        let session = self.session.as_ref().expect("INITIATE opened");
        let mut meta = BytesMut::new();
        self.us.metadata().encode(&mut meta);
        let short = self.next;
        self.next += 1;
        let boxed = session.seal(&nonce(READY_NONCE, short), &meta);
        let mut data = Vec::with_capacity(8 + boxed.len());
        data.put_u64(short);
        data.extend_from_slice(&boxed);
        command::encode_raw(out, READY, &data);
        self.state = ServerState::Done;
        Step::Done(peer)
    }

    /// The ZAP handler's answer on C: READY, or ERROR (spelled as RFC 26
    /// has it, which libzmq's CURVE clients read). With no handler bound every client that knows S gets in, unless
    /// the domain is enforced.
    pub fn verdict(&mut self, verdict: Verdict, out: &mut BytesMut) -> Result<Step, ProtocolError> {
        if self.state != ServerState::Verdict {
            return Err(ProtocolError::UnexpectedCommand("ZAP".into()));
        }
        match verdict {
            Verdict::Unavailable if self.enforce => Err(ProtocolError::NoAuthenticator),
            Verdict::Allow | Verdict::Unavailable => {
                let peer = self.peer.take().expect("held for the verdict");
                Ok(self.send_ready(peer, out))
            }
            Verdict::Deny(status) => Err(refuse(status, ErrorForm::Rfc, out)),
        }
    }

    /// The traffic seal, once READY went out.
    pub fn take_seal(&mut self) -> Option<CurveSeal> {
        let key = self.session.take()?;
        Some(CurveSeal::new(key, self.next, self.peer_last, Role::Server))
    }
}

/// A handshake command's name and data; a body whose name is cut short is
/// malformed.
/// ERROR counts in either spelling (RFC 26's, or libzmq 4.3's, see
/// `command::LIBZMQ43_ERROR`).
fn split(body: &[u8]) -> Result<(&[u8], &[u8]), ProtocolError> {
    if body.starts_with(command::LIBZMQ43_ERROR) {
        return Ok((command::ERROR, &body[command::LIBZMQ43_ERROR.len()..]));
    }
    command::name_and_data(body).ok_or(ProtocolError::MalformedCommand)
}

#[cfg(test)]
mod tests;
