//! The SOCKS5 client handshake (RFC 1928, with RFC 1929's user/password)
//! a tcp connect through ZMQ_SOCKS_PROXY runs before ZMTP starts, as
//! libzmq's: one method offered (none, or user/password when a user name
//! is set), then CONNECT to the target by IPv4, IPv6 or domain name.
//! Sans-IO: bytes in, bytes out.

use bytes::Bytes;
use std::net::IpAddr;

/// ZMQ_SOCKS_PROXY's address (`host:port`, resolved at each attempt) and
/// the user name and password to give it, if any.
#[derive(Clone, Debug)]
pub struct SocksProxy {
    pub address: String,
    pub credentials: Option<(Bytes, Bytes)>,
}

const VERSION: u8 = 5;
const NO_AUTH: u8 = 0;
const USER_PASSWORD: u8 = 2;
const CONNECT: u8 = 1;

/// Why the proxy could not take us to the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocksError {
    /// The proxy broke the protocol or refused our method.
    Protocol,
    /// The proxy refused the user name and password.
    Denied,
    /// The proxy could not connect (its reply code, RFC 1928 section 6).
    Failed(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Method,
    Auth,
    Connect,
    Done,
}

pub struct Socks5 {
    step: Step,
    /// Bytes for the proxy, not yet written.
    out: Vec<u8>,
    /// Bytes from the proxy, not yet understood.
    input: Vec<u8>,
    request: Vec<u8>,
    auth: Option<Vec<u8>>,
}

impl Socks5 {
    /// A handshake to reach `host:port`, with the proxy's user and password
    /// (None: no authentication offered).
    pub fn new(host: &str, port: u16, credentials: Option<(&[u8], &[u8])>) -> Socks5 {
        let method = if credentials.is_some() {
            USER_PASSWORD
        } else {
            NO_AUTH
        };
        let mut request = vec![VERSION, CONNECT, 0];
        match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) => {
                request.push(1);
                request.extend_from_slice(&ip.octets());
            }
            Ok(IpAddr::V6(ip)) => {
                request.push(4);
                request.extend_from_slice(&ip.octets());
            }
            Err(_) => {
                // Longer names cannot be sent; the proxy will fail them.
                let name = &host.as_bytes()[..host.len().min(255)];
                request.push(3);
                request.push(name.len() as u8);
                request.extend_from_slice(name);
            }
        }
        request.extend_from_slice(&port.to_be_bytes());
        let auth = credentials.map(|(user, password)| {
            let (user, password) = (
                &user[..user.len().min(255)],
                &password[..password.len().min(255)],
            );
            let mut a = vec![1, user.len() as u8];
            a.extend_from_slice(user);
            a.push(password.len() as u8);
            a.extend_from_slice(password);
            a
        });
        Socks5 {
            step: Step::Method,
            out: vec![VERSION, 1, method],
            input: Vec::new(),
            request,
            auth,
        }
    }

    /// What to write to the proxy next.
    pub fn output(&self) -> &[u8] {
        &self.out
    }

    /// `n` bytes of `output` were written.
    pub fn written(&mut self, n: usize) {
        self.out.drain(..n.min(self.out.len()));
    }

    pub fn is_done(&self) -> bool {
        self.step == Step::Done
    }

    /// How many more bytes the current reply needs, at least: reading no
    /// more than that leaves what follows the handshake (the peer's first
    /// ZMTP bytes) in the stream for the engine.
    pub fn wanted(&self) -> usize {
        self.reply_len()
            .map_or(0, |n| n.saturating_sub(self.input.len()))
            .max(usize::from(self.step != Step::Done))
    }

    /// The length of the reply being read, as far as it is known yet.
    fn reply_len(&self) -> Option<usize> {
        Some(match self.step {
            Step::Method | Step::Auth => 2,
            Step::Connect => match self.input.get(3) {
                None => 4,
                Some(1) => 4 + 4 + 2,
                Some(4) => 4 + 16 + 2,
                Some(3) => match self.input.get(4) {
                    None => 5,
                    Some(&len) => 4 + 1 + len as usize + 2,
                },
                Some(_) => return None,
            },
            Step::Done => 0,
        })
    }

    /// Takes bytes read from the proxy; Ok once they are understood so far.
    pub fn input(&mut self, bytes: &[u8]) -> Result<(), SocksError> {
        self.input.extend_from_slice(bytes);
        loop {
            if self.step == Step::Done {
                return Ok(());
            }
            let need = self.reply_len().ok_or(SocksError::Protocol)?;
            if self.input.len() < need {
                return Ok(());
            }
            let reply: Vec<u8> = self.input.drain(..need).collect();
            self.step = match (self.step, reply.as_slice()) {
                (Step::Method, [VERSION, NO_AUTH]) if self.auth.is_none() => {
                    self.out.extend_from_slice(&self.request);
                    Step::Connect
                }
                (Step::Method, [VERSION, USER_PASSWORD]) if self.auth.is_some() => {
                    self.out.extend(self.auth.take().unwrap_or_default());
                    Step::Auth
                }
                (Step::Auth, [1, 0]) => {
                    self.out.extend_from_slice(&self.request);
                    Step::Connect
                }
                (Step::Auth, [1, _]) => return Err(SocksError::Denied),
                (Step::Connect, [VERSION, 0, ..]) => Step::Done,
                (Step::Connect, [VERSION, code, ..]) => return Err(SocksError::Failed(*code)),
                _ => return Err(SocksError::Protocol),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &mut Socks5, reply: &[u8]) -> Vec<u8> {
        let out = s.output().to_vec();
        s.written(out.len());
        s.input(reply).unwrap();
        out
    }

    #[test]
    fn connect_by_name_without_auth() {
        let mut s = Socks5::new("example.org", 5555, None);
        assert_eq!(run(&mut s, &[5, 0]), [5, 1, 0]);
        let request = run(&mut s, &[5, 0, 0, 1, 10, 0, 0, 1, 0x1f]);
        assert!(!s.is_done(), "the reply is not whole yet");
        let mut wanted = vec![5, 1, 0, 3, 11];
        wanted.extend_from_slice(b"example.org");
        wanted.extend_from_slice(&[0x15, 0xb3]);
        assert_eq!(request, wanted);
        s.input(&[0x90]).unwrap();
        assert!(s.is_done());
        assert!(s.output().is_empty());
    }

    #[test]
    fn connect_by_address_with_user_and_password() {
        let mut s = Socks5::new("127.0.0.1", 80, Some((b"u", b"pw")));
        assert_eq!(run(&mut s, &[5, 2]), [5, 1, 2]);
        assert_eq!(run(&mut s, &[1, 0]), [1, 1, b'u', 2, b'p', b'w']);
        let request = run(
            &mut s,
            &[
                5, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80,
            ],
        );
        assert_eq!(request, [5, 1, 0, 1, 127, 0, 0, 1, 0, 80]);
        assert!(s.is_done());
        let mut s = Socks5::new("::1", 1, None);
        s.written(3);
        s.input(&[5, 0]).unwrap();
        assert_eq!(s.output()[..4], [5, 1, 0, 4]);
        assert_eq!(s.output().len(), 4 + 16 + 2);
    }

    #[test]
    fn asks_only_for_the_bytes_of_the_reply() {
        let mut s = Socks5::new("h", 1, None);
        assert_eq!(s.wanted(), 2);
        s.input(&[5]).unwrap();
        assert_eq!(s.wanted(), 1);
        s.input(&[0]).unwrap();
        assert_eq!(s.wanted(), 4);
        s.input(&[5, 0, 0, 3]).unwrap();
        assert_eq!(s.wanted(), 1, "the name's length");
        s.input(&[2]).unwrap();
        assert_eq!(s.wanted(), 4);
        s.input(&[b'a', b'b', 0, 1]).unwrap();
        assert!(s.is_done());
        assert_eq!(s.wanted(), 0);
    }

    #[test]
    fn refusals() {
        let mut s = Socks5::new("h", 1, None);
        assert_eq!(s.input(&[5, 0xff]), Err(SocksError::Protocol));
        let mut s = Socks5::new("h", 1, Some((b"u", b"p")));
        s.input(&[5, 2]).unwrap();
        assert_eq!(s.input(&[1, 1]), Err(SocksError::Denied));
        let mut s = Socks5::new("h", 1, None);
        s.input(&[5, 0]).unwrap();
        assert_eq!(
            s.input(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]),
            Err(SocksError::Failed(5))
        );
        let mut s = Socks5::new("h", 1, None);
        assert_eq!(s.input(&[4, 0]), Err(SocksError::Protocol));
    }
}
