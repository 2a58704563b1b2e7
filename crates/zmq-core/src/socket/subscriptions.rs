//! Subscriptions: prefixes with reference counts, matched against the
//! first frame of each message (RFC 29).

use bytes::Bytes;

#[derive(Default, Debug)]
pub struct Subscriptions {
    topics: Vec<(Bytes, u32)>,
}

impl Subscriptions {
    /// Adds one reference; true if the topic is new.
    pub fn add(&mut self, topic: &[u8]) -> bool {
        if let Some(entry) = self.topics.iter_mut().find(|(t, _)| t[..] == *topic) {
            entry.1 += 1;
            return false;
        }
        self.topics.push((Bytes::copy_from_slice(topic), 1));
        true
    }

    /// Drops one reference; true if it was the last one.
    pub fn remove(&mut self, topic: &[u8]) -> bool {
        let Some(i) = self.topics.iter().position(|(t, _)| t[..] == *topic) else {
            return false;
        };
        self.topics[i].1 -= 1;
        if self.topics[i].1 == 0 {
            self.topics.swap_remove(i);
            return true;
        }
        false
    }

    /// Drops the topic whatever its count; true if it was there.
    pub fn remove_all(&mut self, topic: &[u8]) -> bool {
        let before = self.topics.len();
        self.topics.retain(|(t, _)| t[..] != *topic);
        before != self.topics.len()
    }

    /// Whether some topic is a prefix of `data`. The empty topic is
    /// answered without a comparison: its storage is a dangling pointer,
    /// and a zero-length memcmp of one costs a processor assist (masked
    /// vector loads from an unmapped address), slowing every message.
    pub fn matches(&self, data: &[u8]) -> bool {
        self.topics
            .iter()
            .any(|(t, _)| t.is_empty() || data.starts_with(t))
    }

    pub fn topics(&self) -> impl Iterator<Item = &Bytes> {
        self.topics.iter().map(|(t, _)| t)
    }

    pub fn is_empty(&self) -> bool {
        self.topics.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_matching_and_counts() {
        let mut s = Subscriptions::default();
        assert!(!s.matches(b"abc"));
        assert!(s.add(b"ab"));
        assert!(!s.add(b"ab"));
        assert!(s.matches(b"abc"));
        assert!(!s.matches(b"a"));
        assert!(!s.remove(b"ab"));
        assert!(s.matches(b"ab"));
        assert!(s.remove(b"ab"));
        assert!(!s.matches(b"ab"));
        assert!(s.add(b""));
        assert!(s.matches(b"anything"));
        assert!(s.matches(b""));
    }
}
