//! CURVE's cryptography: X25519 keys and XSalsa20-Poly1305 boxes, from
//! libsodium (the library libzmq uses; README "Security" says why). This
//! module is the only door to it: every call into C is here, each with its
//! SAFETY argument, and secret material is wiped when it is dropped.

use std::fmt;
use std::sync::Once;

use libsodium_sys as sodium;

/// Bytes in a public or secret key.
pub const KEY_LEN: usize = 32;
/// Bytes in a nonce.
pub(crate) const NONCE_LEN: usize = 24;
/// Bytes a box adds to what it holds (its Poly1305 tag).
pub(crate) const MAC_LEN: usize = 16;

/// A public key: shared freely.
pub type PublicKey = [u8; KEY_LEN];

/// Starts libsodium once per process (it picks its fastest code paths and
/// opens the system's random source).
fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // SAFETY: sodium_init takes no arguments and is safe to call from
        // any thread; Once runs it before any other libsodium call here.
        let rc = unsafe { sodium::sodium_init() };
        assert!(rc >= 0, "libsodium failed to start");
    });
}

/// Fills `buf` with bytes from the operating system's secure random source.
pub(crate) fn random(buf: &mut [u8]) {
    init();
    // SAFETY: `buf` is valid for writing `buf.len()` bytes.
    unsafe { sodium::randombytes_buf(buf.as_mut_ptr().cast(), buf.len()) };
}

/// Overwrites `buf` with zeros in a way the compiler may not elide.
pub(crate) fn wipe(buf: &mut [u8]) {
    // SAFETY: `buf` is valid for writing `buf.len()` bytes.
    unsafe { sodium::sodium_memzero(buf.as_mut_ptr().cast(), buf.len()) };
}

/// A secret key, wiped from memory when dropped; its Debug form hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; KEY_LEN]);

impl SecretKey {
    /// Wraps 32 secret bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> SecretKey {
        SecretKey(bytes)
    }

    /// The key's bytes (to hand back through ZMQ_CURVE_SECRETKEY).
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// The public key that goes with this secret key.
    pub fn public_key(&self) -> PublicKey {
        init();
        let mut public = [0; KEY_LEN];
        // SAFETY: both buffers are KEY_LEN (crypto_scalarmult_BYTES and
        // _SCALARBYTES) bytes long.
        unsafe { sodium::crypto_scalarmult_base(public.as_mut_ptr(), self.0.as_ptr()) };
        public
    }
}

impl Default for SecretKey {
    /// All zeros, as libzmq's options start (not a usable key).
    fn default() -> SecretKey {
        SecretKey([0; KEY_LEN])
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// A fresh key pair from the system's random source.
pub fn keypair() -> (PublicKey, SecretKey) {
    init();
    let mut public = [0; KEY_LEN];
    let mut secret = SecretKey([0; KEY_LEN]);
    // SAFETY: both buffers are KEY_LEN (crypto_box_PUBLICKEYBYTES and
    // _SECRETKEYBYTES) bytes long.
    unsafe { sodium::crypto_box_keypair(public.as_mut_ptr(), secret.0.as_mut_ptr()) };
    (public, secret)
}

/// The key that seals and opens boxes between one pair of keys: computed
/// once per connection (crypto_box_beforenm), then used per message. A
/// random one serves as a secret-box key (CURVE's cookies). Wiped when
/// dropped.
pub(crate) struct SharedKey([u8; KEY_LEN]);

/// Opening a box failed: it was forged, altered, or sealed with other keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BadBox;

impl SharedKey {
    /// The key between their public key and our secret key; None when
    /// their key is a low-order point that would make it predictable.
    pub fn between(theirs: &PublicKey, ours: &SecretKey) -> Option<SharedKey> {
        init();
        let mut key = SharedKey([0; KEY_LEN]);
        // SAFETY: the output is crypto_box_BEFORENMBYTES (32) bytes, the
        // keys are 32 bytes each.
        let rc = unsafe {
            sodium::crypto_box_beforenm(key.0.as_mut_ptr(), theirs.as_ptr(), ours.0.as_ptr())
        };
        (rc == 0).then_some(key)
    }

    /// A random key (for secret boxes only one side can open).
    pub fn random() -> SharedKey {
        let mut key = SharedKey([0; KEY_LEN]);
        random(&mut key.0);
        key
    }

    /// Encrypts `buf` in place and returns its tag: the box is the tag
    /// followed by `buf` (what crypto_box_easy writes).
    pub fn seal_in_place(&self, nonce: &[u8; NONCE_LEN], buf: &mut [u8]) -> [u8; MAC_LEN] {
        let mut mac = [0; MAC_LEN];
        let ptr = buf.as_mut_ptr();
        // SAFETY: libsodium allows the message and ciphertext to be the
        // same buffer (`ptr`, `buf.len()` bytes, valid for reads and
        // writes); the tag, nonce and key have their fixed sizes.
        unsafe {
            sodium::crypto_box_detached_afternm(
                ptr,
                mac.as_mut_ptr(),
                ptr,
                buf.len() as u64,
                nonce.as_ptr(),
                self.0.as_ptr(),
            )
        };
        mac
    }

    /// Seals `plain` into a new box (tag first).
    pub fn seal(&self, nonce: &[u8; NONCE_LEN], plain: &[u8]) -> Vec<u8> {
        let mut boxed = vec![0; MAC_LEN + plain.len()];
        boxed[MAC_LEN..].copy_from_slice(plain);
        let mac = self.seal_in_place(nonce, &mut boxed[MAC_LEN..]);
        boxed[..MAC_LEN].copy_from_slice(&mac);
        boxed
    }

    /// Opens a box (tag first) into `out`, which must be `boxed.len() -
    /// MAC_LEN` bytes long; nothing is trusted unless this returns Ok.
    pub fn open_into(
        &self,
        nonce: &[u8; NONCE_LEN],
        boxed: &[u8],
        out: &mut [u8],
    ) -> Result<(), BadBox> {
        let Some(cipher_len) = boxed.len().checked_sub(MAC_LEN) else {
            return Err(BadBox);
        };
        assert_eq!(out.len(), cipher_len, "open_into: output size");
        // SAFETY: `out` holds `cipher_len` bytes and does not overlap
        // `boxed` (one is borrowed mutably); the tag is the first MAC_LEN
        // bytes of `boxed`, the ciphertext the rest; nonce and key have
        // their fixed sizes.
        let rc = unsafe {
            sodium::crypto_box_open_detached_afternm(
                out.as_mut_ptr(),
                boxed[MAC_LEN..].as_ptr(),
                boxed.as_ptr(),
                cipher_len as u64,
                nonce.as_ptr(),
                self.0.as_ptr(),
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            wipe(out);
            Err(BadBox)
        }
    }

    /// Opens a box (tag first) into a new buffer.
    pub fn open(&self, nonce: &[u8; NONCE_LEN], boxed: &[u8]) -> Result<Vec<u8>, BadBox> {
        let mut out = vec![0; boxed.len().checked_sub(MAC_LEN).ok_or(BadBox)?];
        self.open_into(nonce, boxed, &mut out)?;
        Ok(out)
    }
}

impl Drop for SharedKey {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

impl fmt::Debug for SharedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedKey(..)")
    }
}

/// The bytes of a Salsa20 key.
const STREAM_KEY_LEN: usize = 32;
/// The bytes of the keystream's first block: the Poly1305 key, then the
/// stream that hides the first bytes of the message.
const BLOCK_LEN: usize = 64;

/// Boxes under one shared key whose nonces all begin with the same 16
/// bytes, as each direction's MESSAGE nonces do in CurveZMQ (a fixed prefix,
/// then a counter). XSalsa20 turns the key and those 16 bytes into a
/// Salsa20 key (HSalsa20) for every box; here that is done once, when the
/// connection's handshake ends, instead of once per message. The boxes are
/// byte for byte those of `SharedKey::seal_in_place` with the full nonce
/// (libsodium's crypto_box_detached_afternm). Wiped when dropped.
pub(crate) struct PrefixKey([u8; STREAM_KEY_LEN]);

impl PrefixKey {
    /// The Salsa20 key for nonces beginning with `prefix`.
    pub fn new(key: &SharedKey, prefix: &[u8; 16]) -> PrefixKey {
        init();
        let mut sub = PrefixKey([0; STREAM_KEY_LEN]);
        // SAFETY: the output is 32 bytes, the input 16, the key 32; a null
        // constant asks for Salsa20's own.
        unsafe {
            sodium::crypto_core_hsalsa20(
                sub.0.as_mut_ptr(),
                prefix.as_ptr(),
                key.0.as_ptr(),
                std::ptr::null(),
            )
        };
        sub
    }

    /// The keystream's first block for the nonce ending in `tail`.
    fn first_block(&self, tail: &[u8; 8]) -> [u8; BLOCK_LEN] {
        let mut block = [0; BLOCK_LEN];
        // SAFETY: `block` holds BLOCK_LEN bytes; the nonce (Salsa20's is 8
        // bytes) and key have their fixed sizes.
        unsafe {
            sodium::crypto_stream_salsa20(
                block.as_mut_ptr(),
                BLOCK_LEN as u64,
                tail.as_ptr(),
                self.0.as_ptr(),
            )
        };
        block
    }

    /// XORs `input` with the keystream from its second block on into
    /// `output` (the first block's second half covers the first 32 bytes).
    fn xor_after_first(&self, tail: &[u8; 8], output: *mut u8, input: *const u8, len: usize) {
        if len == 0 {
            return;
        }
        // SAFETY: callers pass `output` and `input` valid for `len` bytes,
        // either the same buffer or disjoint ones (libsodium allows both);
        // the nonce and key have their fixed sizes.
        unsafe {
            sodium::crypto_stream_salsa20_xor_ic(
                output,
                input,
                len as u64,
                tail.as_ptr(),
                1,
                self.0.as_ptr(),
            )
        };
    }

    /// Encrypts `buf` in place under the nonce ending in `tail` and returns
    /// its tag.
    pub fn seal_in_place(&self, tail: &[u8; 8], buf: &mut [u8]) -> [u8; MAC_LEN] {
        let mut block = self.first_block(tail);
        let head = buf.len().min(BLOCK_LEN - STREAM_KEY_LEN);
        for (b, k) in buf[..head].iter_mut().zip(&block[STREAM_KEY_LEN..]) {
            *b ^= k;
        }
        let rest = &mut buf[head..];
        self.xor_after_first(tail, rest.as_mut_ptr(), rest.as_ptr(), rest.len());
        let mut mac = [0; MAC_LEN];
        // SAFETY: the tag is MAC_LEN bytes, `buf` is valid for reading its
        // length, and the Poly1305 key is the block's first 32 bytes.
        unsafe {
            sodium::crypto_onetimeauth_poly1305(
                mac.as_mut_ptr(),
                buf.as_ptr(),
                buf.len() as u64,
                block.as_ptr(),
            )
        };
        wipe(&mut block);
        mac
    }

    /// Opens a box (tag first) sealed under the nonce ending in `tail` into
    /// `out`, which must be `boxed.len() - MAC_LEN` bytes long. The tag is
    /// checked before anything is decrypted; on failure `out` is left
    /// zeroed.
    pub fn open_into(&self, tail: &[u8; 8], boxed: &[u8], out: &mut [u8]) -> Result<(), BadBox> {
        let Some(cipher_len) = boxed.len().checked_sub(MAC_LEN) else {
            return Err(BadBox);
        };
        assert_eq!(out.len(), cipher_len, "open_into: output size");
        let (mac, cipher) = boxed.split_at(MAC_LEN);
        let mut block = self.first_block(tail);
        // SAFETY: the tag is MAC_LEN bytes, `cipher` is valid for reading
        // its length, and the Poly1305 key is the block's first 32 bytes.
        let rc = unsafe {
            sodium::crypto_onetimeauth_poly1305_verify(
                mac.as_ptr(),
                cipher.as_ptr(),
                cipher_len as u64,
                block.as_ptr(),
            )
        };
        if rc != 0 {
            wipe(&mut block);
            out.fill(0);
            return Err(BadBox);
        }
        let head = cipher_len.min(BLOCK_LEN - STREAM_KEY_LEN);
        for ((o, c), k) in out
            .iter_mut()
            .zip(&cipher[..head])
            .zip(&block[STREAM_KEY_LEN..])
        {
            *o = c ^ k;
        }
        wipe(&mut block);
        let (out, cipher) = (&mut out[head..], &cipher[head..]);
        // `out` is borrowed mutably, so it cannot overlap `cipher`.
        self.xor_after_first(tail, out.as_mut_ptr(), cipher.as_ptr(), out.len());
        Ok(())
    }
}

impl Drop for PrefixKey {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

impl fmt::Debug for PrefixKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrefixKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A box sealed from A to B opens from B's side, and only there.
    #[test]
    fn boxes_open_only_between_the_right_keys() {
        let (a_pub, a_sec) = keypair();
        let (b_pub, b_sec) = keypair();
        let (c_pub, _) = keypair();
        assert_eq!(a_sec.public_key(), a_pub);
        let nonce = [7; NONCE_LEN];
        let ab = SharedKey::between(&b_pub, &a_sec).unwrap();
        let ba = SharedKey::between(&a_pub, &b_sec).unwrap();
        let boxed = ab.seal(&nonce, b"hello");
        assert_eq!(boxed.len(), 5 + MAC_LEN);
        assert_ne!(&boxed[MAC_LEN..], b"hello");
        assert_eq!(ba.open(&nonce, &boxed).unwrap(), b"hello");
        // Another key pair, another nonce, a flipped bit, a short box.
        let cb = SharedKey::between(&c_pub, &b_sec).unwrap();
        assert_eq!(cb.open(&nonce, &boxed), Err(BadBox));
        assert_eq!(ba.open(&[8; NONCE_LEN], &boxed), Err(BadBox));
        let mut bad = boxed.clone();
        bad[MAC_LEN] ^= 1;
        assert_eq!(ba.open(&nonce, &bad), Err(BadBox));
        assert_eq!(ba.open(&nonce, &boxed[..MAC_LEN - 1]), Err(BadBox));
        // An empty message still has its tag.
        assert_eq!(ba.open(&nonce, &ab.seal(&nonce, b"")).unwrap(), b"");
    }

    /// RFC 7748's X25519 test vector (Alice's key pair) pins the curve.
    #[test]
    fn public_keys_follow_rfc7748() {
        let hex = |s: &str| -> [u8; 32] {
            let v: Vec<u8> = (0..64)
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect();
            v.try_into().unwrap()
        };
        let secret = SecretKey::from_bytes(hex(
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
        ));
        assert_eq!(
            secret.public_key(),
            hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        );
        assert_eq!(format!("{secret:?}"), "SecretKey(..)");
    }

    /// A low-order public key gives no shared key (it would be all zeros).
    #[test]
    fn low_order_keys_are_refused() {
        let (_, ours) = keypair();
        assert!(SharedKey::between(&[0; KEY_LEN], &ours).is_none());
    }

    /// Boxes under a prefix key are libsodium's boxes under the full nonce,
    /// byte for byte, at every length around the first block's edges; each
    /// opens the other's, and a flipped bit, the wrong nonce or a short box
    /// is refused with the output zeroed.
    #[test]
    fn prefix_keys_box_as_libsodium_does() {
        let (a_pub, a_sec) = keypair();
        let (b_pub, b_sec) = keypair();
        let ab = SharedKey::between(&b_pub, &a_sec).unwrap();
        let ba = SharedKey::between(&a_pub, &b_sec).unwrap();
        let prefix = b"CurveZMQMESSAGEC";
        let sealer = PrefixKey::new(&ab, prefix);
        let opener = PrefixKey::new(&ba, prefix);
        for len in [0, 1, 31, 32, 33, 63, 64, 65, 96, 97, 200, 1000, 4099] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            let tail = (len as u64 * 0x0101_0101 + 1).to_be_bytes();
            let mut full = [0; NONCE_LEN];
            full[..16].copy_from_slice(prefix);
            full[16..].copy_from_slice(&tail);
            let theirs = ab.seal(&full, &plain);
            let mut ours = plain.clone();
            let mac = sealer.seal_in_place(&tail, &mut ours);
            assert_eq!(&theirs[..MAC_LEN], &mac, "tag, {len} bytes");
            assert_eq!(&theirs[MAC_LEN..], &ours[..], "cipher, {len} bytes");
            let mut out = vec![1; len];
            opener.open_into(&tail, &theirs, &mut out).unwrap();
            assert_eq!(out, plain);
            let mut boxed = mac.to_vec();
            boxed.extend_from_slice(&ours);
            assert_eq!(ba.open(&full, &boxed).unwrap(), plain);
            let mut bad = boxed.clone();
            let at = len % bad.len();
            bad[at] ^= 0x80;
            let mut out = vec![1; len];
            assert_eq!(opener.open_into(&tail, &bad, &mut out), Err(BadBox));
            assert!(out.iter().all(|&b| b == 0), "refused output is zeroed");
            let other = (len as u64 * 0x0101_0101 + 2).to_be_bytes();
            let mut out = vec![1; len];
            assert_eq!(opener.open_into(&other, &boxed, &mut out), Err(BadBox));
        }
        assert_eq!(
            opener.open_into(&[0; 8], &[0; MAC_LEN - 1], &mut []),
            Err(BadBox)
        );
        // Another prefix is another key.
        let server = PrefixKey::new(&ba, b"CurveZMQMESSAGES");
        let mut text = *b"hello";
        let mac = sealer.seal_in_place(&[0; 8], &mut text);
        let mut boxed = mac.to_vec();
        boxed.extend_from_slice(&text);
        assert_eq!(server.open_into(&[0; 8], &boxed, &mut [0; 5]), Err(BadBox));
    }
}
