//! Runs in progress, for a partner that asked not to wait
//! (`Prefer: respond-async`, RFC 7240): the run is answered `202` at once,
//! read with `GET …/runs/{run}` until it is done, and may be cancelled with
//! `DELETE …/runs/{run}` while it has not started to be stored.
//!
//! Each run has a [`Control`]: its phase and stage, shared by the job (which
//! reports its stage and asks whether it is cancelled) and the handlers
//! (which read it and cancel it). The table is memory only; a finished run
//! lives in the store, a failed or cancelled one is remembered here for
//! [`REMEMBER`] so that its starter can read how it ended.
//!
//! What a partner may read while a run is in progress is its phase and the
//! stage's name: no count, since the linker's totals (candidate pairs, the
//! records prepared) would tell the partner about the directory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a failed or cancelled run stays readable.
pub const REMEMBER: Duration = Duration::from_secs(3600);

/// The stages a partner may see, in the order a run passes them. The core
/// linker's own stage names map onto these; anything else is `linking`.
pub const STAGES: [&str; 11] = [
    "queued", "loading", "prepare", "block", "compare", "sampleU", "em", "score", "solve",
    "engine", "storing",
];

/// Where a run is. Only `Queued` and `Running` can still be cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Queued,
    Running,
    /// Its views are being sealed and stored: it can no longer be cancelled.
    Storing,
    Done,
    /// The run failed: the refusal the synchronous call would have given.
    Failed(Failure),
    Cancelled,
}

/// A failed run's refusal, as codes (never data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub status: u16,
    pub code: &'static str,
    pub message: &'static str,
    pub retry_after: Option<u64>,
}

/// One run's phase and stage, shared by its job and the handlers.
#[derive(Debug)]
pub struct Control {
    phase: Mutex<Phase>,
    stage: AtomicU8,
    /// Woken by a cancel, so that a queued run stops waiting for the slot.
    cancelled: tokio::sync::Notify,
}

impl Default for Control {
    fn default() -> Self {
        Control {
            phase: Mutex::new(Phase::Queued),
            stage: AtomicU8::new(0),
            cancelled: tokio::sync::Notify::new(),
        }
    }
}

impl Control {
    fn phase_lock(&self) -> MutexGuard<'_, Phase> {
        self.phase.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn phase(&self) -> Phase {
        *self.phase_lock()
    }

    /// The stage the run reports (one of [`STAGES`]).
    pub fn stage(&self) -> &'static str {
        STAGES
            .get(usize::from(self.stage.load(Ordering::Relaxed)))
            .copied()
            .unwrap_or("linking")
    }

    /// Reports a stage; a name not in [`STAGES`] is ignored.
    pub fn set_stage(&self, name: &str) {
        if let Some(i) = STAGES.iter().position(|s| *s == name) {
            self.stage.store(i as u8, Ordering::Relaxed);
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.phase() == Phase::Cancelled
    }

    /// Queued → running; false if the run was cancelled while it waited.
    pub fn start(&self) -> bool {
        self.advance(Phase::Queued, Phase::Running)
    }

    /// Running → storing; false if the run was cancelled. After this the
    /// run will be stored (or fail), whatever a `DELETE` asks.
    pub fn begin_storing(&self) -> bool {
        let ok = self.advance(Phase::Running, Phase::Storing);
        if ok {
            self.set_stage("storing");
        }
        ok
    }

    fn advance(&self, from: Phase, to: Phase) -> bool {
        let mut p = self.phase_lock();
        if *p == from {
            *p = to;
            true
        } else {
            false
        }
    }

    /// Cancels a queued or running run; false if it has got further.
    pub fn cancel(&self) -> bool {
        let mut p = self.phase_lock();
        if matches!(*p, Phase::Queued | Phase::Running) {
            *p = Phase::Cancelled;
            drop(p);
            self.cancelled.notify_waiters();
            true
        } else {
            false
        }
    }

    /// Resolves once the run is cancelled.
    pub async fn until_cancelled(&self) {
        loop {
            let woken = self.cancelled.notified();
            tokio::pin!(woken);
            // Registered before the check, so a cancel in between is not missed.
            woken.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            woken.await;
        }
    }

    /// Ends the run: `Done` or `Failed`, unless it was cancelled (then it
    /// stays cancelled, and whoever cancelled it has refunded it). True if
    /// this call ended it.
    pub fn end(&self, how: Phase) -> bool {
        let mut p = self.phase_lock();
        if *p == Phase::Cancelled {
            return false;
        }
        *p = how;
        true
    }
}

/// A run in the table: who started it, and when it ended.
struct Entry {
    project: String,
    party: String,
    /// The day it was charged to (a cancel refunds that day).
    day: u64,
    control: Arc<Control>,
    ended: Option<Instant>,
}

/// The runs in progress or recently ended, by id.
#[derive(Default)]
pub struct Pending {
    runs: Mutex<HashMap<String, Entry>>,
}

/// What a party may know of a run in the table.
pub struct Seen {
    pub control: Arc<Control>,
    pub day: u64,
}

impl Pending {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.runs.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a queued run; forgets runs that ended more than [`REMEMBER`] ago.
    pub fn insert(&self, id: &str, project: &str, party: &str, day: u64) -> Arc<Control> {
        let control = Arc::new(Control::default());
        let now = Instant::now();
        let mut runs = self.lock();
        runs.retain(|_, e| e.ended.is_none_or(|t| now.duration_since(t) < REMEMBER));
        runs.insert(
            id.to_owned(),
            Entry {
                project: project.to_owned(),
                party: party.to_owned(),
                day,
                control: Arc::clone(&control),
                ended: None,
            },
        );
        control
    }

    /// The run `id` of `project` if `party` started it (no one else may
    /// see a run in progress).
    pub fn get(&self, project: &str, party: &str, id: &str) -> Option<Seen> {
        self.lock()
            .get(id)
            .filter(|e| e.project == project && e.party == party)
            .map(|e| Seen {
                control: Arc::clone(&e.control),
                day: e.day,
            })
    }

    /// The ids and controls of `party`'s runs in `project`.
    pub fn of(&self, project: &str, party: &str) -> Vec<(String, Arc<Control>)> {
        let mut v: Vec<_> = self
            .lock()
            .iter()
            .filter(|(_, e)| e.project == project && e.party == party)
            .map(|(id, e)| (id.clone(), Arc::clone(&e.control)))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    /// The run has ended: a stored run leaves the table (the store answers
    /// for it now), a failed or cancelled one is kept for [`REMEMBER`].
    pub fn ended(&self, id: &str) {
        let mut runs = self.lock();
        let done = runs
            .get(id)
            .is_some_and(|e| e.control.phase() == Phase::Done);
        if done {
            runs.remove(id);
        } else if let Some(e) = runs.get_mut(id) {
            e.ended = Some(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_can_be_cancelled_until_it_is_being_stored() {
        let c = Control::default();
        assert!(c.start());
        assert!(c.begin_storing());
        assert!(!c.cancel(), "a storing run is no longer cancellable");
        assert!(c.end(Phase::Done));
        assert_eq!(c.phase(), Phase::Done);

        let c = Control::default();
        assert!(c.cancel());
        assert!(!c.start(), "a run cancelled while queued never starts");
        assert!(!c.begin_storing());
        assert!(
            !c.end(Phase::Done),
            "the end of a cancelled run changes nothing"
        );
        assert_eq!(c.phase(), Phase::Cancelled);
    }

    #[tokio::test]
    async fn a_cancel_wakes_whoever_waits_for_it() {
        let c = Arc::new(Control::default());
        let waiter = tokio::spawn({
            let c = Arc::clone(&c);
            async move { c.until_cancelled().await }
        });
        tokio::task::yield_now().await;
        assert!(c.cancel());
        waiter.await.unwrap();
        // Already cancelled: resolves at once.
        c.until_cancelled().await;
    }

    #[test]
    fn a_failed_run_cannot_then_be_cancelled_and_refunded_twice() {
        let c = Control::default();
        assert!(c.start());
        let f = Failure {
            status: 422,
            code: "run.failed",
            message: "m",
            retry_after: None,
        };
        assert!(c.end(Phase::Failed(f)));
        assert!(!c.cancel());
        assert_eq!(c.phase(), Phase::Failed(f));
    }

    #[test]
    fn stages_are_named_and_unknown_names_are_ignored() {
        let c = Control::default();
        assert_eq!(c.stage(), "queued");
        c.set_stage("compare");
        assert_eq!(c.stage(), "compare");
        c.set_stage("a directory of 12,345 records");
        assert_eq!(c.stage(), "compare");
    }

    #[test]
    fn only_the_starter_sees_a_run_and_stored_runs_leave_the_table() {
        let p = Pending::default();
        let c = p.insert("r_1", "proj", "partner-a", 7);
        assert!(p.get("proj", "partner-a", "r_1").is_some());
        assert!(p.get("proj", "partner-b", "r_1").is_none());
        assert!(p.get("other", "partner-a", "r_1").is_none());
        assert_eq!(p.of("proj", "partner-a").len(), 1);
        assert!(p.of("proj", "partner-b").is_empty());

        assert!(c.start() && c.begin_storing() && c.end(Phase::Done));
        p.ended("r_1");
        assert!(p.get("proj", "partner-a", "r_1").is_none());

        let c = p.insert("r_2", "proj", "partner-a", 7);
        assert!(c.cancel());
        p.ended("r_2");
        let seen = p.get("proj", "partner-a", "r_2").map(|s| s.control.phase());
        assert_eq!(
            seen,
            Some(Phase::Cancelled),
            "a cancelled run stays readable"
        );
    }
}
