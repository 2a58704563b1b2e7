//! A connection's clocks, sans-IO: the handshake deadline
//! (ZMQ_HANDSHAKE_IVL) and ZMTP 3.1 heartbeats (ZMQ_HEARTBEAT_IVL, _TIMEOUT
//! and _TTL, and the TTL the peer's PING asks of us). The driver says when
//! bytes arrive and asks when the next deadline is; time is always passed
//! in, so tests run a connection's hours in microseconds.

use std::time::{Duration, Instant};

/// What a connection's options ask of its clocks.
#[derive(Clone, Debug, Default)]
pub struct LivenessConfig {
    /// The handshake must be over this long after it starts.
    pub handshake: Option<Duration>,
    /// PINGs once the handshake is over.
    pub heartbeat: Option<Heartbeat>,
}

#[derive(Clone, Debug)]
pub struct Heartbeat {
    /// A PING every this long.
    pub interval: Duration,
    /// With no input this long after a PING, the peer is gone.
    pub timeout: Duration,
    /// The TTL our PINGs carry, in deciseconds (0: none).
    pub ttl: u16,
}

/// A deadline passed: the connection is to be dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired;

/// What `handle_timeout` asks of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Nothing,
    /// Send a PING carrying this TTL.
    Ping(u16),
}

#[derive(Debug)]
pub struct Liveness {
    cfg: LivenessConfig,
    handshake_deadline: Option<Instant>,
    next_ping: Option<Instant>,
    /// The PING we wait on an answer to: when it went, and until when.
    ping: Option<(Instant, Instant)>,
    /// When bytes last arrived (or the clocks started).
    last_input: Option<Instant>,
    /// The TTL the peer's last PING asked for, in deciseconds.
    peer_ttl: Option<u16>,
}

impl Liveness {
    pub fn new(cfg: LivenessConfig) -> Liveness {
        Liveness {
            cfg,
            handshake_deadline: None,
            next_ping: None,
            ping: None,
            last_input: None,
            peer_ttl: None,
        }
    }

    /// The connection starts now: the handshake deadline runs from here.
    pub fn start(&mut self, now: Instant) {
        self.last_input = Some(now);
        self.handshake_deadline = self.cfg.handshake.map(|d| now + d);
    }

    /// Bytes arrived from the peer.
    pub fn input(&mut self, now: Instant) {
        self.last_input = Some(now);
    }

    /// The handshake is over (on the input last seen, or a ZAP answer
    /// soon after): no deadline for it any more, and heartbeats begin.
    pub fn ready(&mut self) {
        self.handshake_deadline = None;
        if let (Some(hb), Some(at)) = (&self.cfg.heartbeat, self.last_input) {
            self.next_ping = Some(at + hb.interval);
        }
    }

    /// The peer's PING asked to be dropped after `ttl` deciseconds without
    /// input (0: no limit).
    pub fn peer_ping(&mut self, ttl: u16) {
        if ttl > 0 {
            self.peer_ttl = Some(ttl);
        }
    }

    fn peer_ttl_deadline(&self) -> Option<Instant> {
        Some(self.last_input? + Duration::from_millis(self.peer_ttl? as u64 * 100))
    }

    /// The next moment `handle_timeout` has something to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.handshake_deadline,
            self.next_ping,
            self.ping.map(|(_, deadline)| deadline),
            self.peer_ttl_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Checks the deadlines at `now`: a silent peer (or an unfinished
    /// handshake) has expired; a live one may be due a PING.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<Due, Expired> {
        if self.handshake_deadline.is_some_and(|d| now >= d) {
            return Err(Expired);
        }
        if let Some((sent, deadline)) = self.ping {
            if self.last_input.is_some_and(|t| t > sent) {
                self.ping = None;
            } else if now >= deadline {
                return Err(Expired);
            }
        }
        if self.peer_ttl_deadline().is_some_and(|d| now >= d) {
            return Err(Expired);
        }
        let (Some(hb), Some(at)) = (&self.cfg.heartbeat, self.next_ping) else {
            return Ok(Due::Nothing);
        };
        if now < at {
            return Ok(Due::Nothing);
        }
        if self.ping.is_none() {
            self.ping = Some((now, now + hb.timeout));
        }
        self.next_ping = Some(at.max(now) + hb.interval);
        Ok(Due::Ping(hb.ttl))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn heartbeat(interval: u32, timeout: u32, ttl: u16) -> LivenessConfig {
        LivenessConfig {
            handshake: Some(30_000 * MS),
            heartbeat: Some(Heartbeat {
                interval: interval * MS,
                timeout: timeout * MS,
                ttl,
            }),
        }
    }

    #[test]
    fn an_unfinished_handshake_expires_at_its_deadline() {
        let t0 = Instant::now();
        let mut l = Liveness::new(LivenessConfig {
            handshake: Some(100 * MS),
            heartbeat: None,
        });
        l.start(t0);
        assert_eq!(l.poll_timeout(), Some(t0 + 100 * MS));
        l.input(t0 + 50 * MS); // bytes, but the handshake goes on
        assert_eq!(l.handle_timeout(t0 + 99 * MS), Ok(Due::Nothing));
        assert_eq!(l.handle_timeout(t0 + 100 * MS), Err(Expired));
    }

    #[test]
    fn a_finished_handshake_has_no_deadline_and_no_clock_without_heartbeats() {
        let t0 = Instant::now();
        let mut l = Liveness::new(LivenessConfig {
            handshake: Some(100 * MS),
            heartbeat: None,
        });
        l.start(t0);
        l.input(t0 + 10 * MS);
        l.ready();
        assert_eq!(l.poll_timeout(), None);
        assert_eq!(l.handle_timeout(t0 + 3_600_000 * MS), Ok(Due::Nothing));
    }

    #[test]
    fn pings_go_every_interval_and_a_silent_peer_expires_after_the_timeout() {
        let t0 = Instant::now();
        let mut l = Liveness::new(heartbeat(100, 300, 25));
        l.start(t0);
        l.ready();
        assert_eq!(l.poll_timeout(), Some(t0 + 100 * MS));
        assert_eq!(l.handle_timeout(t0 + 100 * MS), Ok(Due::Ping(25)));
        // The next PING is due, and the first one's answer is awaited.
        assert_eq!(l.poll_timeout(), Some(t0 + 200 * MS));
        assert_eq!(l.handle_timeout(t0 + 200 * MS), Ok(Due::Ping(25)));
        assert_eq!(l.handle_timeout(t0 + 300 * MS), Ok(Due::Ping(25)));
        // Nothing came back within 300 ms of the first PING.
        assert_eq!(l.handle_timeout(t0 + 400 * MS), Err(Expired));
    }

    #[test]
    fn any_input_after_a_ping_shows_the_peer_alive() {
        let t0 = Instant::now();
        let mut l = Liveness::new(heartbeat(100, 300, 0));
        l.start(t0);
        l.ready();
        assert_eq!(l.handle_timeout(t0 + 100 * MS), Ok(Due::Ping(0)));
        l.input(t0 + 150 * MS); // a PONG, or any traffic
        for step in 2..20 {
            assert_eq!(l.handle_timeout(t0 + step * 100 * MS), Ok(Due::Ping(0)));
            l.input(t0 + step * 100 * MS + 10 * MS);
        }
    }

    #[test]
    fn the_peers_ttl_drops_it_after_that_much_silence() {
        let t0 = Instant::now();
        let mut l = Liveness::new(LivenessConfig::default());
        l.start(t0);
        l.ready();
        l.peer_ping(5); // half a second
        assert_eq!(l.poll_timeout(), Some(t0 + 500 * MS));
        l.input(t0 + 400 * MS);
        assert_eq!(l.handle_timeout(t0 + 500 * MS), Ok(Due::Nothing));
        assert_eq!(l.poll_timeout(), Some(t0 + 900 * MS));
        assert_eq!(l.handle_timeout(t0 + 900 * MS), Err(Expired));
    }

    #[test]
    fn a_late_timer_does_not_send_a_burst_of_pings() {
        let t0 = Instant::now();
        let mut l = Liveness::new(heartbeat(100, 10_000, 0));
        l.start(t0);
        l.ready();
        // Woken a second late: one PING, the next an interval later.
        assert_eq!(l.handle_timeout(t0 + 1_000 * MS), Ok(Due::Ping(0)));
        assert_eq!(l.poll_timeout(), Some(t0 + 1_100 * MS));
        assert_eq!(l.handle_timeout(t0 + 1_050 * MS), Ok(Due::Nothing));
    }
}
