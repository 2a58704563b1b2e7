//! Z85 (RFC 32): binary as printable text, four bytes to five characters,
//! the form CURVE keys take in configuration files and socket options.

/// The alphabet: the character for each value 0..85.
const CHARS: &[u8; 85] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Encodes `data` (a multiple of 4 bytes long) as Z85 text.
pub fn encode(data: &[u8]) -> Option<Vec<u8>> {
    if !data.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() / 4 * 5);
    for chunk in data.chunks_exact(4) {
        let mut value = u32::from_be_bytes(chunk.try_into().expect("chunk of 4"));
        let mut digits = [0u8; 5];
        for d in digits.iter_mut().rev() {
            *d = CHARS[(value % 85) as usize];
            value /= 85;
        }
        out.extend_from_slice(&digits);
    }
    Some(out)
}

/// Decodes Z85 text (a multiple of 5 characters long); None if it is not
/// valid Z85 or a group exceeds 32 bits.
pub fn decode(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(5) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 5 * 4);
    for chunk in text.chunks_exact(5) {
        let mut value: u64 = 0;
        for &c in chunk {
            let digit = CHARS.iter().position(|&z| z == c)?;
            value = value * 85 + digit as u64;
        }
        let value = u32::try_from(value).ok()?;
        out.extend_from_slice(&value.to_be_bytes());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 32's test vector, both ways, and what is not Z85.
    #[test]
    fn rfc32_vector_and_bad_input() {
        let bytes = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
        assert_eq!(encode(&bytes).unwrap(), b"HelloWorld");
        assert_eq!(decode(b"HelloWorld").unwrap(), bytes);
        assert!(encode(&bytes[..7]).is_none());
        assert!(decode(b"Hell").is_none());
        assert!(decode(b"Hel o").is_none());
        assert!(decode(b"#####").is_none(), "above 2^32");
    }
}
