//! The 64-byte ZMTP greeting (RFC 23/37): signature, version, mechanism,
//! as-server, filler. Pure functions over byte slices; the session owns the
//! buffers and calls [`check_prefix`] on every partial greeting so garbage
//! is rejected after as few bytes as possible.

use super::ProtocolError;

/// Size of a full greeting.
pub const GREETING_LEN: usize = 64;
/// Size of the signature (`0xFF`, 8 padding bytes, `0x7F`).
pub const SIGNATURE_LEN: usize = 10;
/// Size of the mechanism field.
pub const MECHANISM_LEN: usize = 20;

/// The version we speak: ZMTP 3.1.
pub const VERSION_MAJOR: u8 = 3;
pub const VERSION_MINOR: u8 = 1;

const MAJOR_AT: usize = 10;
const MINOR_AT: usize = 11;
const MECHANISM_AT: usize = 12;
const AS_SERVER_AT: usize = 32;

/// A mechanism name as the greeting carries it: ASCII, zero padded.
pub type MechanismName = [u8; MECHANISM_LEN];

/// Pads a mechanism name such as `b"NULL"` to the greeting's 20 bytes.
pub const fn mechanism_name(name: &[u8]) -> MechanismName {
    assert!(name.len() <= MECHANISM_LEN);
    let mut out = [0; MECHANISM_LEN];
    let mut i = 0;
    while i < name.len() {
        out[i] = name[i];
        i += 1;
    }
    out
}

/// A decoded greeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Greeting {
    pub major: u8,
    pub minor: u8,
    pub mechanism: MechanismName,
    pub as_server: bool,
}

impl Greeting {
    /// Our own greeting for `mechanism`.
    pub fn ours(mechanism: MechanismName, as_server: bool) -> Greeting {
        Greeting {
            major: VERSION_MAJOR,
            minor: VERSION_MINOR,
            mechanism,
            as_server,
        }
    }

    /// The wire form; padding and filler are zero as RFC 23 recommends.
    pub fn encode(&self) -> [u8; GREETING_LEN] {
        let mut out = [0; GREETING_LEN];
        out[0] = 0xFF;
        out[SIGNATURE_LEN - 1] = 0x7F;
        out[MAJOR_AT] = self.major;
        out[MINOR_AT] = self.minor;
        out[MECHANISM_AT..MECHANISM_AT + MECHANISM_LEN].copy_from_slice(&self.mechanism);
        out[AS_SERVER_AT] = u8::from(self.as_server);
        out
    }

    /// Decodes a complete greeting, validating signature and version. The
    /// mechanism is returned as sent; matching it is the session's job.
    pub fn decode(bytes: &[u8; GREETING_LEN]) -> Result<Greeting, ProtocolError> {
        check_prefix(bytes)?;
        let mut mechanism = [0; MECHANISM_LEN];
        mechanism.copy_from_slice(&bytes[MECHANISM_AT..MECHANISM_AT + MECHANISM_LEN]);
        Ok(Greeting {
            major: bytes[MAJOR_AT],
            minor: bytes[MINOR_AT],
            mechanism,
            // Only bit 0 is meaningful; be liberal with the rest.
            as_server: bytes[AS_SERVER_AT] & 1 != 0,
        })
    }

    /// Whether this peer speaks ZMTP 3.1 or later (SUBSCRIBE, CANCEL, PING).
    pub fn is_v31(&self) -> bool {
        (self.major, self.minor) >= (3, 1)
    }
}

/// Validates whatever part of a greeting has arrived so far, so an HTTP
/// request or a ZMTP 1.0/2.0 peer is refused before the 64 bytes arrive.
pub fn check_prefix(bytes: &[u8]) -> Result<(), ProtocolError> {
    if bytes.first().is_some_and(|&b| b != 0xFF) {
        return Err(ProtocolError::BadSignature);
    }
    // RFC 23: padding is not significant, only bit 0 of the 10th byte.
    if bytes.get(SIGNATURE_LEN - 1).is_some_and(|&b| b & 1 == 0) {
        return Err(ProtocolError::BadSignature);
    }
    match bytes.get(MAJOR_AT) {
        Some(&major) if major < VERSION_MAJOR => Err(ProtocolError::UnsupportedVersion { major }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NULL: MechanismName = mechanism_name(b"NULL");

    #[test]
    fn encodes_exactly_as_rfc_23_shows() {
        let bytes = Greeting::ours(NULL, false).encode();
        let mut expected = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3, 1];
        expected.extend_from_slice(b"NULL");
        expected.extend_from_slice(&[0; 16]); // mechanism padding
        expected.push(0); // as-server
        expected.extend_from_slice(&[0; 31]); // filler
        assert_eq!(expected.len(), 64);
        assert_eq!(&bytes[..], &expected[..]);
    }

    #[test]
    fn as_server_bit() {
        let bytes = Greeting::ours(mechanism_name(b"PLAIN"), true).encode();
        assert_eq!(bytes[32], 1);
        assert_eq!(&bytes[12..17], b"PLAIN");
        assert!(Greeting::decode(&bytes).unwrap().as_server);
    }

    #[test]
    fn decode_round_trips_and_ignores_padding() {
        let mut bytes = Greeting::ours(NULL, false).encode();
        bytes[1..9].copy_from_slice(&[0, 0, 0, 0, 0, 0, 0, 9]); // a 1.0-style size
        bytes[9] = 0x7F;
        bytes[11] = 0; // a 3.0 peer
        let g = Greeting::decode(&bytes).unwrap();
        assert_eq!(
            (g.major, g.minor, g.mechanism, g.as_server),
            (3, 0, NULL, false)
        );
        assert!(!g.is_v31());
        assert!(Greeting::ours(NULL, false).is_v31());
        assert!(Greeting {
            major: 4,
            minor: 0,
            ..g
        }
        .is_v31());
    }

    #[test]
    fn prefix_rejects_garbage_early() {
        assert_eq!(check_prefix(b""), Ok(()));
        assert_eq!(check_prefix(&[0xFF, 1, 2]), Ok(()));
        assert_eq!(check_prefix(b"G"), Err(ProtocolError::BadSignature));
        assert_eq!(
            check_prefix(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7E]),
            Err(ProtocolError::BadSignature)
        );
        assert_eq!(
            check_prefix(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 2]),
            Err(ProtocolError::UnsupportedVersion { major: 2 })
        );
        assert_eq!(
            check_prefix(&[0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 4]),
            Ok(())
        );
    }
}
