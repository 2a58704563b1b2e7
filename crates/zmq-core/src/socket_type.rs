//! Socket types, their ZMTP names and which peers each may talk to
//! (RFC 23's compatibility table and the pattern RFCs 28-31).

/// A socket type, numbered as in zmq.h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketType {
    /// ZMQ_PAIR.
    Pair = 0,
    /// ZMQ_PUB.
    Pub = 1,
    /// ZMQ_SUB.
    Sub = 2,
    /// ZMQ_REQ.
    Req = 3,
    /// ZMQ_REP.
    Rep = 4,
    /// ZMQ_DEALER.
    Dealer = 5,
    /// ZMQ_ROUTER.
    Router = 6,
    /// ZMQ_PULL.
    Pull = 7,
    /// ZMQ_PUSH.
    Push = 8,
    /// ZMQ_XPUB.
    XPub = 9,
    /// ZMQ_XSUB.
    XSub = 10,
    /// Raw TCP peers, no ZMTP (libzmq's ZMQ_STREAM).
    Stream = 11,
}

impl SocketType {
    /// The type for a zmq.h number, if it is one we implement.
    pub fn from_raw(raw: i32) -> Option<SocketType> {
        use SocketType::*;
        Some(match raw {
            0 => Pair,
            1 => Pub,
            2 => Sub,
            3 => Req,
            4 => Rep,
            5 => Dealer,
            6 => Router,
            7 => Pull,
            8 => Push,
            9 => XPub,
            10 => XSub,
            11 => Stream,
            _ => return None,
        })
    }

    /// The name sent in the READY command's Socket-Type property.
    pub fn name(self) -> &'static str {
        use SocketType::*;
        match self {
            Pair => "PAIR",
            Pub => "PUB",
            Sub => "SUB",
            Req => "REQ",
            Rep => "REP",
            Dealer => "DEALER",
            Router => "ROUTER",
            Pull => "PULL",
            Push => "PUSH",
            XPub => "XPUB",
            XSub => "XSUB",
            Stream => "STREAM",
        }
    }

    /// The type named by a Socket-Type property value (exact, upper case).
    pub fn from_name(name: &[u8]) -> Option<SocketType> {
        use SocketType::*;
        [
            Pair, Pub, Sub, Req, Rep, Dealer, Router, Pull, Push, XPub, XSub,
        ]
        .into_iter()
        .find(|t| t.name().as_bytes() == name)
    }

    /// Whether a peer of type `peer` may connect to a socket of this type.
    pub fn is_compatible(self, peer: SocketType) -> bool {
        use SocketType::*;
        match self {
            Pair => peer == Pair,
            Pub | XPub => matches!(peer, Sub | XSub),
            Sub | XSub => matches!(peer, Pub | XPub),
            Req => matches!(peer, Rep | Router),
            Rep => matches!(peer, Req | Dealer),
            Dealer => matches!(peer, Rep | Dealer | Router),
            Router => matches!(peer, Req | Dealer | Router),
            Pull => peer == Push,
            Push => peer == Pull,
            // Its peers speak no ZMTP: none has a socket type.
            Stream => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SocketType::*;
    use super::*;

    #[test]
    fn names_round_trip() {
        for raw in 0..=10 {
            let t = SocketType::from_raw(raw).unwrap();
            assert_eq!(t as i32, raw);
            assert_eq!(SocketType::from_name(t.name().as_bytes()), Some(t));
        }
        // STREAM has a number but no ZMTP name: no peer can claim it.
        assert_eq!(SocketType::from_raw(11), Some(Stream));
        assert_eq!(SocketType::from_name(b"STREAM"), None);
        assert_eq!(SocketType::from_raw(12), None);
        assert_eq!(SocketType::from_name(b"req"), None);
    }

    #[test]
    fn compatibility_is_symmetric() {
        for a in 0..=11 {
            for b in 0..=11 {
                let (a, b) = (
                    SocketType::from_raw(a).unwrap(),
                    SocketType::from_raw(b).unwrap(),
                );
                assert_eq!(a.is_compatible(b), b.is_compatible(a), "{a:?} {b:?}");
            }
        }
        assert!(Req.is_compatible(Router));
        assert!(!Req.is_compatible(Req));
        assert!(!Push.is_compatible(Push));
        assert!(!Stream.is_compatible(Stream));
    }
}
