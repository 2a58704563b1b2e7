//! How long a blocking call keeps looking before it sleeps. Looking again
//! pays when the peer thread runs on another core and is about to deliver;
//! it is pure waste when the threads share a core (the peer cannot run while
//! we look) or the peer is slow. So the number of looks adapts: it halves
//! each time looking did not pay and is restored when it did, with an
//! occasional single look to notice when it would pay again.

/// The most looks before sleeping (each after a short pause).
const MAX_TRIES: u8 = 8;

/// With looking switched off, one wait in this many still takes one look.
const PROBE_EVERY: u8 = 16;

#[derive(Debug)]
pub struct Spin {
    tries: u8,
    skipped: u8,
}

impl Default for Spin {
    fn default() -> Spin {
        Spin {
            tries: MAX_TRIES,
            skipped: 0,
        }
    }
}

impl Spin {
    /// How many looks to take before this wait sleeps.
    pub fn tries(&mut self) -> usize {
        if self.tries > 0 {
            return self.tries.into();
        }
        self.skipped += 1;
        if self.skipped < PROBE_EVERY {
            return 0;
        }
        self.skipped = 0;
        1
    }

    /// A look found what the call waited for.
    pub fn paid(&mut self) {
        self.tries = MAX_TRIES;
    }

    /// Every look came up empty: the call had to sleep.
    pub fn wasted(&mut self) {
        self.tries /= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backs_off_when_looking_never_pays_and_probes_now_and_then() {
        let mut spin = Spin::default();
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(spin.tries());
            spin.wasted();
        }
        assert_eq!(seen, [8, 4, 2, 1, 0]);
        let looks: Vec<usize> = (0..2 * PROBE_EVERY as usize)
            .map(|_| spin.tries())
            .collect();
        assert_eq!(looks.iter().filter(|&&n| n == 1).count(), 2);
        assert_eq!(looks.iter().sum::<usize>(), 2);
    }

    #[test]
    fn one_paying_look_restores_the_full_spin() {
        let mut spin = Spin::default();
        for _ in 0..6 {
            spin.wasted();
        }
        while spin.tries() == 0 {}
        spin.paid();
        assert_eq!(spin.tries(), MAX_TRIES as usize);
    }
}
