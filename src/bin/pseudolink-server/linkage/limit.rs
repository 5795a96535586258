//! Limits against membership probing, and what a quota allows.
//!
//! A party that holds a guess ("is Jane Doe, born 1980-02-03, a customer?")
//! can encode it like any record and upload it: one uploaded record is one
//! membership probe about one person the party itself named. What a probe
//! reveals, at most, after a run:
//!
//! * one bit: whether the record linked to a directory record (only links at
//!   probability ≥ 0.5 are returned, one-to-one, so a miss says only "no");
//! * for a hit, the link's probability and its explanation: per comparison
//!   an agreement level (and, for CLK comparisons, the Dice similarity)
//!   between the party's guess and that one customer's encodings. That is
//!   the most a hit gives: never the customer's values, row, id or any other
//!   directory record.
//!
//! The closed schema keeps a record to one guess: at most one token per
//! subject and key version and one CLK per key, so a record cannot carry a
//! list of candidate e-mails. Variants of one person in one upload compete
//! for the same directory record (one-to-one), so only the best one links.
//!
//! The arithmetic, per party and UTC day (every upload counts, duplicates of
//! an acknowledged chunk do not):
//!
//! ```text
//! probes/day        ≤ recordsPerDay                (new records stored)
//! probes/run        ≤ maxRecords                   (rows of one upload)
//! answers/day       ≤ runsPerDay × maxRecords      (stored records re-run;
//!                                                   re-running the same guesses
//!                                                   only re-asks the same questions,
//!                                                   as the directory changes)
//! requests/second   ≤ ratePerSecond (bucket of burst), refused with 429 + Retry-After
//! ```
//!
//! With the demo partner's limits (recordsPerDay 20 000, maxRecords 10 000,
//! runsPerDay 20): at most 20 000 new guesses a day, i.e. 20 000 bits of
//! "customer or not" plus probability and field agreement for the guesses
//! that hit. Enumerating one attribute of one known person costs one record
//! per candidate value: a birth date among ~32 000 (1920–2009) takes more
//! than a day and a half of quota for one person, an e-mail or phone number
//! guess list is bounded the same way, and a dictionary sweep of names ×
//! dates × ZIP codes (~10^13) is out of reach. A company's own quota is large
//! (it uploads its directory); it learns from runs only which of its own rows
//! partners matched.
//!
//! The token bucket below bounds the request rate per credential; the daily
//! counters live in the store (so a restart does not reset them).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use super::config::Party;

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Every party's request bucket, by `(project, party)`.
#[derive(Default)]
pub struct RateLimits(Mutex<HashMap<(String, String), Bucket>>);

impl RateLimits {
    /// Takes one request from the party's bucket, or says after how many
    /// whole seconds one will be there.
    pub fn take(&self, project: &str, party: &Party, now: Instant) -> Result<(), u64> {
        let mut map = match self.0.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        let b = map
            .entry((project.to_owned(), party.id.clone()))
            .or_insert(Bucket {
                tokens: f64::from(party.burst),
                last: now,
            });
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * party.rate_per_second).min(f64::from(party.burst));
        b.last = now;
        if b.tokens < 1.0 {
            let wait = (1.0 - b.tokens) / party.rate_per_second;
            return Err(wait.ceil().max(1.0) as u64);
        }
        b.tokens -= 1.0;
        Ok(())
    }
}

/// Seconds until the next UTC midnight (when daily quotas reset).
pub fn seconds_to_midnight(now_unix: u64) -> u64 {
    86_400 - now_unix % 86_400
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn party() -> Party {
        Party {
            id: "p".into(),
            api_key_sha256: [0; 32],
            origins: vec![],
            max_records: 10,
            records_per_day: 10,
            runs_per_day: 1,
            rate_per_second: 2.0,
            burst: 3,
            revoked: false,
        }
    }

    #[test]
    fn bucket_allows_the_burst_then_the_rate() {
        let l = RateLimits::default();
        let p = party();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.take("x", &p, t0).is_ok());
        }
        assert_eq!(l.take("x", &p, t0), Err(1));
        // Another project's bucket is its own.
        assert!(l.take("y", &p, t0).is_ok());
        let t1 = t0 + Duration::from_millis(500);
        assert!(l.take("x", &p, t1).is_ok());
        assert!(l.take("x", &p, t1).is_err());
        assert_eq!(seconds_to_midnight(86_400 * 3 + 10), 86_390);
    }
}
