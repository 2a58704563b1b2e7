//! The server's cookie (RFC 26): between WELCOME and INITIATE the server
//! keeps no secret for the client; it hands the client its short-term
//! secret s' and the client's C' sealed under a cookie key, and gets them
//! back in INITIATE. Cookie keys are process-wide and rotate every minute;
//! one that rotated out twice can no longer open anything.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::crypto::{PublicKey, SecretKey, SharedKey, KEY_LEN, MAC_LEN, NONCE_LEN};

/// How long a cookie key seals new cookies; it opens them for as long again.
const ROTATE_EVERY: Duration = Duration::from_secs(60);

/// Bytes of the cookie's nonce on the wire (after "COOKIE--").
pub const NONCE_TAIL: usize = 16;
/// Bytes of a cookie: its nonce and the box of C' and s'.
pub const LEN: usize = NONCE_TAIL + MAC_LEN + 2 * KEY_LEN;

const PREFIX: &[u8; 8] = b"COOKIE--";

/// The current cookie key and the one before it.
pub struct Jar {
    keys: Mutex<Keys>,
}

struct Keys {
    current: SharedKey,
    previous: Option<SharedKey>,
    since: Instant,
}

impl Jar {
    pub fn new() -> Jar {
        Jar {
            keys: Mutex::new(Keys {
                current: SharedKey::random(),
                previous: None,
                since: Instant::now(),
            }),
        }
    }

    /// The process's jar.
    pub fn global() -> &'static Jar {
        static JAR: OnceLock<Jar> = OnceLock::new();
        JAR.get_or_init(Jar::new)
    }

    /// Seals C' and s' into a cookie under the current key.
    pub fn bake(&self, client_short: &PublicKey, server_short: &SecretKey) -> [u8; LEN] {
        let mut cookie = [0; LEN];
        crate::crypto::random(&mut cookie[..NONCE_TAIL]);
        let nonce = full_nonce(cookie[..NONCE_TAIL].try_into().expect("16 bytes"));
        let (mac, sealed) = cookie[NONCE_TAIL..].split_at_mut(MAC_LEN);
        sealed[..KEY_LEN].copy_from_slice(client_short);
        sealed[KEY_LEN..].copy_from_slice(server_short.as_bytes());
        let tag = self.rotated().current.seal_in_place(&nonce, sealed);
        mac.copy_from_slice(&tag);
        cookie
    }

    /// Opens a cookie baked by this jar in the last one to two minutes:
    /// C' and s', or None.
    pub fn open(&self, cookie: &[u8; LEN]) -> Option<(PublicKey, SecretKey)> {
        let nonce = full_nonce(cookie[..NONCE_TAIL].try_into().expect("16 bytes"));
        let boxed = &cookie[NONCE_TAIL..];
        let keys = self.rotated();
        let mut out = [0u8; 2 * KEY_LEN];
        let opened = std::iter::once(&keys.current)
            .chain(&keys.previous)
            .any(|key| key.open_into(&nonce, boxed, &mut out).is_ok());
        let found = opened.then(|| {
            let (client, secret) = out.split_at(KEY_LEN);
            let client: PublicKey = client.try_into().expect("32 bytes");
            (
                client,
                SecretKey::from_bytes(secret.try_into().expect("32 bytes")),
            )
        });
        crate::crypto::wipe(&mut out);
        found
    }

    /// The keys, after retiring the current one if its minute is up.
    fn rotated(&self) -> parking_lot::MutexGuard<'_, Keys> {
        let mut keys = self.keys.lock();
        let now = Instant::now();
        let age = now.duration_since(keys.since);
        if age >= ROTATE_EVERY {
            let old = std::mem::replace(&mut keys.current, SharedKey::random());
            // After two periods even the previous key is too old.
            keys.previous = (age < 2 * ROTATE_EVERY).then_some(old);
            keys.since = now;
        }
        keys
    }

    /// Ages the keys as if `by` had passed (tests of rotation).
    #[cfg(test)]
    fn age(&self, by: Duration) {
        let mut keys = self.keys.lock();
        keys.since -= by;
    }
}

fn full_nonce(tail: &[u8; NONCE_TAIL]) -> [u8; NONCE_LEN] {
    let mut nonce = [0; NONCE_LEN];
    nonce[..8].copy_from_slice(PREFIX);
    nonce[8..].copy_from_slice(tail);
    nonce
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keypair;

    #[test]
    fn a_cookie_opens_for_one_to_two_minutes_and_not_when_altered() {
        let jar = Jar::new();
        let (client, _) = keypair();
        let (_, secret) = keypair();
        let cookie = jar.bake(&client, &secret);
        let (c, s) = jar.open(&cookie).unwrap();
        assert_eq!((c, &s), (client, &secret));
        let mut bad = cookie;
        bad[40] ^= 1;
        assert!(jar.open(&bad).is_none());
        // Another jar (another process) cannot open it.
        assert!(Jar::new().open(&cookie).is_none());
        // One rotation later it still opens; after a second it does not.
        jar.age(ROTATE_EVERY);
        assert!(jar.open(&cookie).is_some());
        let newer = jar.bake(&client, &secret);
        jar.age(ROTATE_EVERY);
        assert!(jar.open(&cookie).is_none());
        assert!(jar.open(&newer).is_some());
        // A jar idle for two periods forgets both keys at once.
        jar.age(2 * ROTATE_EVERY);
        assert!(jar.open(&newer).is_none());
    }
}
