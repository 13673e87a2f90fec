//! Counts what the thread running a target allocates, so that a run can say
//! how much one input cost and stop an input that asks for too much.
//!
//! Only a thread that carries a [`Meter`] is counted; the rest of the
//! process allocates as usual.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// No single input of a few KiB has a reason to hold more than this at once.
/// A request past it is never granted: the thread stops there (see
/// [`Counting`]) and the run's watchdog reports the input.
pub const HARD_CAP: usize = 256 << 20;

/// Live and peak bytes of the thread that carries it.
#[derive(Debug, Default)]
pub struct Meter {
    live: AtomicUsize,
    peak: AtomicUsize,
    /// The size of the request that went past [`HARD_CAP`], 0 while none did.
    refused: AtomicUsize,
}

impl Meter {
    /// Starts a new peak at what is live now; returns that baseline.
    pub fn reset_peak(&self) -> usize {
        let live = self.live.load(Ordering::Relaxed);
        self.peak.store(live, Ordering::Relaxed);
        live
    }

    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::Relaxed)
    }

    fn grow(&self, bytes: usize) {
        let live = self.live.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.peak.fetch_max(live, Ordering::Relaxed);
    }

    fn shrink(&self, bytes: usize) {
        // Memory allocated before the meter was attached is freed here too.
        let _ = self
            .live
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |live| {
                Some(live.saturating_sub(bytes))
            });
    }
}

thread_local! {
    static METER: Cell<Option<&'static Meter>> = const { Cell::new(None) };
}

/// Counts this thread's allocations on `meter` from now on.
pub fn attach(meter: &'static Meter) {
    METER.with(|m| m.set(Some(meter)));
}

/// Runs `f` on this thread under a fresh meter; returns its result and the
/// most it held at once.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let previous = meter();
    let fresh: &'static Meter = Box::leak(Box::default());
    attach(fresh);
    let baseline = fresh.reset_peak();
    let out = f();
    METER.with(|m| m.set(previous));
    (out, fresh.peak().saturating_sub(baseline))
}

fn meter() -> Option<&'static Meter> {
    // `try_with`: the thread-local may be gone while a thread shuts down.
    METER.try_with(Cell::get).ok().flatten()
}

/// The system allocator, counting on the current thread's [`Meter`].
pub struct Counting;

impl Counting {
    /// Allocators must not unwind, and a null return aborts the process
    /// before the input could be saved. So an over-cap request parks its
    /// thread for good; the watchdog sees `refused` and reports the input.
    fn admit(meter: &Meter, bytes: usize) {
        if meter.live.load(Ordering::Relaxed).saturating_add(bytes) > HARD_CAP {
            meter.refused.store(bytes, Ordering::Relaxed);
            loop {
                std::thread::sleep(Duration::from_secs(3600));
            }
        }
    }
}

// SAFETY: every call is passed on to `System` unchanged; the counting
// around it touches only atomics and a const-initialised thread-local,
// neither of which allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some(m) = meter() {
            Counting::admit(m, layout.size());
            m.grow(layout.size());
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if let Some(m) = meter() {
            Counting::admit(m, layout.size());
            m.grow(layout.size());
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(m) = meter() {
            m.shrink(layout.size());
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if let Some(m) = meter() {
            if new_size > layout.size() {
                Counting::admit(m, new_size - layout.size());
                m.grow(new_size - layout.size());
            } else {
                m.shrink(layout.size() - new_size);
            }
        }
        // SAFETY: the caller's contract, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
