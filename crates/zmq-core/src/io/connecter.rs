//! A connecter keeps one outgoing connection alive: it connects, hands the
//! stream to an engine, and after a failure or disconnect retries with
//! ZMQ_RECONNECT_IVL, doubling up to ZMQ_RECONNECT_IVL_MAX.

use super::mailbox::EnginePipes;
use crate::link::{ConnOptions, SocketCore};
use crate::transport::socks::Socks5;
use crate::transport::stream::Stream;
use crate::transport::target::Target;
use std::sync::Arc;
use std::time::Duration;

pub enum State {
    /// Waiting for the retry timer.
    Waiting,
    /// A non-blocking connect is in progress on this stream.
    Connecting(Stream),
    /// Connected to the SOCKS proxy, asking it for the target.
    Socks(Stream, Box<Socks5>),
    /// Connected; the engine lives under this token.
    Connected(usize),
}

pub struct Connecter {
    pub endpoint: Target,
    pub socket: Arc<SocketCore>,
    pub opts: ConnOptions,
    pub endpoint_id: u64,
    pub pipes: Option<EnginePipes>,
    pub state: State,
    /// Connections made so far (the socket resends its state after the first).
    pub connections: u32,
    /// The next retry interval.
    pub backoff: Option<Duration>,
    pub lingering: bool,
}

impl Connecter {
    /// The interval before the next attempt, or None when reconnecting is off.
    pub fn next_retry(&mut self) -> Option<Duration> {
        let base = self.opts.reconnect_ivl;
        if base < 0 {
            return None;
        }
        let base = Duration::from_millis(base as u64);
        let current = self.backoff.unwrap_or(base);
        let max = self.opts.reconnect_ivl_max;
        if max > 0 {
            let max = Duration::from_millis(max as u64).max(base);
            self.backoff = Some((current * 2).min(max));
        }
        Some(current)
    }

    /// Whether messages still wait to go out through this connection.
    pub fn has_pending(&self) -> bool {
        self.pipes
            .as_ref()
            .is_some_and(|p| p.outbound.has_message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::SocketCore;
    use crate::signal::Signaler;
    use crate::transport::tcp::TcpEndpoint;
    use crate::SocketType;

    fn connecter(ivl: i32, max: i32) -> Connecter {
        let opts = ConnOptions {
            reconnect_ivl: ivl,
            reconnect_ivl_max: max,
            ..crate::socket::options::Options::new(SocketType::Req).conn()
        };
        Connecter {
            endpoint: Target::Tcp(TcpEndpoint {
                host: "127.0.0.1".into(),
                port: 1,
                ipv6: false,
                source: None,
            }),
            socket: SocketCore::new(1, SocketType::Req, Arc::new(Signaler::new().unwrap())),
            opts,
            endpoint_id: 1,
            pipes: None,
            state: State::Waiting,
            connections: 0,
            backoff: None,
            lingering: false,
        }
    }

    #[test]
    fn backoff_doubles_up_to_max() {
        let mut c = connecter(100, 350);
        let ms: Vec<u128> = (0..5)
            .map(|_| c.next_retry().unwrap().as_millis())
            .collect();
        assert_eq!(ms, [100, 200, 350, 350, 350]);
    }

    #[test]
    fn no_max_means_fixed_interval_and_minus_one_means_never() {
        let mut c = connecter(50, 0);
        assert_eq!(c.next_retry(), Some(Duration::from_millis(50)));
        assert_eq!(c.next_retry(), Some(Duration::from_millis(50)));
        let mut c = connecter(-1, 0);
        assert_eq!(c.next_retry(), None);
    }
}
