//! Per-credential limits, counted in evaluations (one per blinded element):
//! each evaluation is one dictionary guess, so that is what must be costly.
//! A token bucket bounds the rate (`ratePerSecond`, `burst`), a daily quota
//! bounds the total (UTC day).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use super::config::Partner;

/// Why a batch was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Over the rate: retry after this many whole seconds.
    Rate { retry_after: u64 },
    /// Over the daily quota.
    Quota,
}

struct Bucket {
    tokens: f64,
    last: Instant,
    day: u64,
    used_today: u64,
}

/// All partners' buckets.
#[derive(Default)]
pub struct Limits(Mutex<HashMap<String, Bucket>>);

impl Limits {
    /// Charges `cost` evaluations to `partner`, or says why not (charging nothing).
    pub fn charge(
        &self,
        partner: &Partner,
        cost: u64,
        now: Instant,
        day: u64,
    ) -> Result<(), Refusal> {
        let mut map = match self.0.lock() {
            Ok(m) => m,
            // A panic while holding the lock cannot leave a bucket half-updated
            // in a way that matters more than refusing service would.
            Err(poisoned) => poisoned.into_inner(),
        };
        let b = map.entry(partner.id.clone()).or_insert(Bucket {
            tokens: f64::from(partner.burst),
            last: now,
            day,
            used_today: 0,
        });
        if b.day != day {
            b.day = day;
            b.used_today = 0;
        }
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * partner.rate_per_second).min(f64::from(partner.burst));
        b.last = now;
        if b.used_today.saturating_add(cost) > partner.quota_per_day {
            return Err(Refusal::Quota);
        }
        let cost_f = cost as f64;
        if b.tokens < cost_f {
            let wait = (cost_f - b.tokens) / partner.rate_per_second;
            return Err(Refusal::Rate {
                retry_after: wait.ceil().max(1.0) as u64,
            });
        }
        b.tokens -= cost_f;
        b.used_today += cost;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn partner() -> Partner {
        Partner {
            id: "p".into(),
            api_key_sha256: [0; 32],
            origins: vec![],
            rate_per_second: 10.0,
            burst: 20,
            quota_per_day: 50,
        }
    }

    #[test]
    fn bucket_refills_at_rate_and_quota_caps_the_day() {
        let l = Limits::default();
        let p = partner();
        let t0 = Instant::now();
        assert!(l.charge(&p, 20, t0, 1).is_ok());
        assert_eq!(
            l.charge(&p, 5, t0, 1),
            Err(Refusal::Rate { retry_after: 1 })
        );
        // One second later: 10 more.
        let t1 = t0 + Duration::from_secs(1);
        assert!(l.charge(&p, 10, t1, 1).is_ok());
        assert!(l.charge(&p, 1, t1, 1).is_err());
        // 30 used; 20 more allowed today, then the quota.
        let t3 = t0 + Duration::from_secs(10);
        assert!(l.charge(&p, 20, t3, 1).is_ok());
        let t4 = t0 + Duration::from_secs(20);
        assert_eq!(l.charge(&p, 1, t4, 1), Err(Refusal::Quota));
        // A new day resets the quota.
        assert!(l.charge(&p, 1, t4, 2).is_ok());
    }
}
