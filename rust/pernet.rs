// SPDX-License-Identifier: GPL-2.0

//! Per network namespace state, in the glue layer (`unsafe` inside): the
//! counters, per CPU so the fast path takes no lock and shares no cache
//! line, the `/proc/net/xt_TARPIT` file that shows their sums; the
//! monitoring sketches (held connections, 8 KiB, and top sources, 2 KiB
//! per CPU: [`crate::packet::Held`], [`crate::packet::TopTable`]),
//! allocated by the namespace's first TARPIT rule and shown in
//! `/proc/net/xt_TARPIT_held` and `/proc/net/xt_TARPIT_top`; and the
//! fixed-size table of reply budgets (`--limit`, `--limit-global`),
//! allocated by the namespace's first rule with a limit. A namespace that
//! never has a rule costs 24 bytes here and its counters.

use crate::bindings;
use crate::compat;
use crate::counters::{self, COUNTERS};
use crate::packet::{self, limiter, Held, HeldEstimate, TopSource, TopTable, TOP_SHOWN};
use core::cell::UnsafeCell;
use core::ffi::{c_int, c_uint, c_void, CStr};
use core::fmt::Write;
use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use kernel::error::to_result;
use kernel::prelude::*;

/// What the kernel keeps for us in every namespace (`net_generic`).
#[repr(C)]
struct NetState {
    /// `COUNTERS` u64 per CPU (a per-CPU pointer: only the helpers
    /// dereference it); NULL until `net_init`.
    counters: *mut u64,
    /// The reply budgets, NULL until a rule with a limit is checked in the
    /// namespace ([`ensure_budgets`]); freed with the namespace.
    budgets: AtomicPtr<Budgets>,
    /// The monitoring sketches, NULL until a TARPIT rule is checked in the
    /// namespace ([`ensure_monitor`]); freed with the namespace.
    monitor: AtomicPtr<Monitor>,
}

/// The monitoring sketches of a namespace.
#[repr(C)]
struct Monitor {
    held: Held,
    /// A [`TopTable`] per CPU (a per-CPU pointer: only the helpers
    /// dereference it), zeroed (empty).
    top: *mut c_void,
}

/// Reply budgets, per rule and source prefix and per rule: the cells of
/// [`limiter`], all zero (empty) when allocated.
#[repr(C)]
struct Budgets {
    cells: [AtomicU64; limiter::CELLS],
}

/// Storage for the `pernet_operations` and the id the kernel gives them.
///
/// # Invariants
///
/// `in_use` is true while a [`Registration`] holds the table; only that
/// registration writes `operations`, before handing it to
/// `register_pernet_subsys`; `id` is written by the kernel during that call
/// and only read afterwards.
pub(crate) struct PernetTable {
    operations: UnsafeCell<MaybeUninit<bindings::pernet_operations>>,
    id: UnsafeCell<c_uint>,
    in_use: AtomicBool,
}

// SAFETY: per the type invariant, writes happen before registration, in
// module init; the kernel serialises its own accesses afterwards.
unsafe impl Sync for PernetTable {}

impl PernetTable {
    /// An empty table, for a `static`.
    pub(crate) const fn new() -> Self {
        PernetTable {
            operations: UnsafeCell::new(MaybeUninit::zeroed()),
            id: UnsafeCell::new(0),
            in_use: AtomicBool::new(false),
        }
    }

    fn generic_id(&self) -> c_uint {
        // SAFETY: written by the kernel once, during registration, before
        // any namespace can reach the target (type invariant).
        unsafe { *self.id.get() }
    }
}

/// The table the module's one registration uses (namespace callbacks have
/// no context pointer, so they find it here).
static TABLE: PernetTable = PernetTable::new();

/// The per-namespace state registered with the kernel; unregistered (and
/// every namespace's state freed) on drop.
///
/// # Invariants
///
/// It holds [`TABLE`] (its `in_use` is set), whose operations are
/// registered.
pub(crate) struct Registration(());

impl Registration {
    /// Registers the per-namespace state: from now on every namespace,
    /// existing or new, has counters and a `/proc/net/xt_TARPIT`. `EBUSY`
    /// while another registration holds it.
    pub(crate) fn register() -> Result<Self> {
        if TABLE.in_use.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        let operations = bindings::pernet_operations {
            init: Some(net_init),
            exit: Some(net_exit),
            id: TABLE.id.get(),
            size: core::mem::size_of::<NetState>(),
            ..Default::default()
        };
        let slot = TABLE.operations.get().cast::<bindings::pernet_operations>();
        // SAFETY: `slot` is static storage this call holds and that is not
        // registered (type invariant of `PernetTable`), so this is its only
        // user; once registered it stays valid until `Drop` unregisters it.
        // On failure the kernel has undone everything.
        let registered = unsafe {
            slot.write(operations);
            to_result(bindings::register_pernet_subsys(slot))
        };
        if let Err(error) = registered {
            TABLE.in_use.store(false, Ordering::Release);
            return Err(error);
        }
        // INVARIANT: the table is held and its operations registered.
        Ok(Registration(()))
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: the operations are registered (type invariant); this is
        // the only unregistration.
        unsafe { bindings::unregister_pernet_subsys(TABLE.operations.get().cast()) };
        TABLE.in_use.store(false, Ordering::Release);
    }
}

/// Takes one reply from a budget of `budget` per second kept in `cells`,
/// if any is left ([`limiter::take`]). Lock-free: the cells to raise are
/// chosen from one reading of both and each is raised atomically, so on
/// several CPUs at once a few replies more than the budget may go, never
/// fewer.
fn take_from(cells: [&AtomicU64; 2], now: u32, budget: u32) -> bool {
    let old = cells.map(|cell| cell.load(Ordering::Relaxed));
    let Some(new) = limiter::take(old, now, budget) else {
        return false;
    };
    for ((cell, old), new) in cells.iter().zip(old).zip(new) {
        if new != old {
            // The closure always returns `Some`: the update cannot fail.
            let _ = cell.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |current| {
                Some(if current == old {
                    new
                } else {
                    limiter::raise(current, now)
                })
            });
        }
    }
    true
}

/// The id under which `net_generic` finds a namespace's state.
pub(crate) fn id() -> c_uint {
    TABLE.generic_id()
}

/// Makes sure the namespace `net` has its table of reply budgets, for a
/// rule with a limit being checked there. `ENOMEM` when it cannot be
/// allocated (the rule is then refused).
///
/// # Safety
///
/// `net` must be a live namespace, for the duration of the call, and the
/// registration must hold (as while rules can be checked).
pub(crate) unsafe fn ensure_budgets(net: *const bindings::net) -> Result {
    // SAFETY: `net` is live and the registration gave it a `NetState` at
    // our id (caller's contract).
    let state =
        unsafe { &*bindings::xt_tarpit_net_generic(net, TABLE.generic_id()).cast::<NetState>() };
    if !state.budgets.load(Ordering::Acquire).is_null() {
        return Ok(());
    }
    // SAFETY: a plain allocation in process context (checkentry), charged
    // to the caller's memory cgroup; zeroed cells are empty budgets.
    let budgets = unsafe { bindings::xt_tarpit_kzalloc_account(core::mem::size_of::<Budgets>()) }
        .cast::<Budgets>();
    if budgets.is_null() {
        return Err(ENOMEM);
    }
    if !publish_once(&state.budgets, budgets) {
        // SAFETY: `budgets` is ours, never published.
        unsafe { bindings::kfree(budgets.cast()) };
    }
    Ok(())
}

/// Publishes `value` in `slot` if the slot is still empty: false when
/// another check of the same namespace was first (`value` is then still
/// the caller's, to free).
fn publish_once<T>(slot: &AtomicPtr<T>, value: *mut T) -> bool {
    slot.compare_exchange(
        core::ptr::null_mut(),
        value,
        Ordering::AcqRel,
        Ordering::Acquire,
    )
    .is_ok()
}

/// Makes sure the namespace `net` has its monitoring sketches, for a
/// TARPIT rule being checked there. `ENOMEM` when they cannot be
/// allocated (the rule is then refused).
///
/// # Safety
///
/// As for [`ensure_budgets`].
pub(crate) unsafe fn ensure_monitor(net: *const bindings::net) -> Result {
    // SAFETY: `net` is live and the registration gave it a `NetState` at
    // our id (caller's contract).
    let state =
        unsafe { &*bindings::xt_tarpit_net_generic(net, TABLE.generic_id()).cast::<NetState>() };
    if !state.monitor.load(Ordering::Acquire).is_null() {
        return Ok(());
    }
    // SAFETY: plain allocations in process context (checkentry), charged to
    // the caller's memory cgroup; zeroed memory is an empty `Held` (atomics
    // only) and an empty `TopTable` on every CPU.
    let (monitor, top) = unsafe {
        (
            bindings::xt_tarpit_kzalloc_account(core::mem::size_of::<Monitor>()).cast::<Monitor>(),
            bindings::xt_tarpit_alloc_percpu(core::mem::size_of::<TopTable>()),
        )
    };
    if monitor.is_null() || top.is_null() {
        // SAFETY: both are ours, never published (either may be NULL).
        unsafe {
            bindings::kfree(monitor.cast());
            bindings::free_percpu(top);
        }
        return Err(ENOMEM);
    }
    // SAFETY: `monitor` is ours, allocated above, not yet published.
    unsafe { (*monitor).top = top };
    if !publish_once(&state.monitor, monitor) {
        // SAFETY: both are ours, never published.
        unsafe {
            bindings::free_percpu(top);
            bindings::kfree(monitor.cast());
        }
    }
    Ok(())
}

/// What one packet feeds the monitoring sketches of its namespace with.
///
/// # Invariants
///
/// `held` and `top` (this CPU's table) belong to a namespace alive for
/// `'a`, a target call, which runs with bottom halves off: nothing else
/// writes `top` meanwhile.
pub(crate) struct Monitoring<'a> {
    held: &'a Held,
    top: &'a TopTable,
}

impl Monitoring<'_> {
    /// The sketches of the namespace whose state is `net_state`, if a
    /// TARPIT rule set them up (one did, for the rule being run).
    ///
    /// # Safety
    ///
    /// `net_state` must be what `net_generic` returns at [`id`] for a
    /// namespace alive for `'a`, and the caller a target call (bottom
    /// halves off, so on one CPU throughout) running on the CPU whose
    /// per-CPU areas are at `cpu_offset` (`my_cpu_offset`).
    pub(crate) unsafe fn of<'a>(
        net_state: *const c_void,
        cpu_offset: usize,
    ) -> Option<Monitoring<'a>> {
        // SAFETY: the registration gave every namespace a `NetState` at
        // this id (caller's contract).
        let monitor = unsafe {
            (*net_state.cast::<NetState>())
                .monitor
                .load(Ordering::Acquire)
        };
        if monitor.is_null() {
            return None;
        }
        // SAFETY: once published, the sketches live as long as the
        // namespace; this CPU's table is a valid, zero-initialised
        // `TopTable` that only this CPU writes, and the caller stays on
        // it (caller's contract).
        // INVARIANT: per the above.
        unsafe {
            Some(Monitoring {
                held: &(*monitor).held,
                top: &*(*monitor)
                    .top
                    .wrapping_byte_add(cpu_offset)
                    .cast::<TopTable>(),
            })
        }
    }

    /// Counts a segment from `prefix` in this CPU's top-sources table.
    pub(crate) fn count_source(&self, prefix: packet::SourcePrefix, key: [u64; 2]) {
        self.top.record(prefix, key);
    }

    /// Records that the connection whose keyed hash is `hash` is held, at
    /// second `now`, with epochs of `epoch_seconds`.
    pub(crate) fn record_held(&self, hash: u64, now: u32, epoch_seconds: u32) {
        self.held.record(hash, now, epoch_seconds);
    }
}

/// Takes one reply from a rule's budgets in a namespace: the prefix's
/// under the rule, in the two cells picked by `prefix_hash` (when `limit`
/// is not 0), then the rule's own, in the two cells picked by `rule_hash`
/// (when `limit_global` is not 0); see [`limiter`]. False when a budget
/// is spent for second `now`, or the namespace has no budgets (no rule
/// with a limit was checked there, which the caller's rule was).
///
/// # Safety
///
/// `net_state` must be what `net_generic` returns at [`id`] for a live
/// namespace, for the duration of the call.
pub(crate) unsafe fn take_reply_budget(
    net_state: *const c_void,
    prefix_hash: u32,
    rule_hash: u32,
    limit: u32,
    limit_global: u32,
    now: u32,
) -> bool {
    // SAFETY: the registration gave every namespace a `NetState` at this
    // id, for as long as it lives (caller's contract).
    let state = unsafe { &*net_state.cast::<NetState>() };
    let budgets = state.budgets.load(Ordering::Acquire);
    if budgets.is_null() {
        return false;
    }
    // SAFETY: once published, the table lives as long as the namespace.
    let cells = unsafe { &(*budgets).cells };
    let pair = |[first, second]: [usize; 2]| [&cells[first], &cells[second]];
    (limit == 0 || take_from(pair(limiter::prefix_cells(prefix_hash)), now, limit))
        && (limit_global == 0 || take_from(pair(limiter::rule_cells(rule_hash)), now, limit_global))
}

/// The counters of one namespace.
///
/// # Invariants
///
/// `percpu` is the namespace's live per-CPU array of `COUNTERS` u64.
pub(crate) struct NetCounters {
    percpu: *mut u64,
}

impl NetCounters {
    /// The counters of `net`, if its state is set up.
    ///
    /// # Safety
    ///
    /// `net` must be a live namespace, for as long as the result is used.
    pub(crate) unsafe fn of(net: *const bindings::net) -> Option<NetCounters> {
        // SAFETY: `net` is live (caller's contract), so what `net_generic`
        // holds at our id is its state.
        unsafe { Self::of_state(bindings::xt_tarpit_net_generic(net, TABLE.generic_id())) }
    }

    /// The counters of a namespace, from its state, if set up.
    ///
    /// # Safety
    ///
    /// `net_state` must be what `net_generic` returns at [`id`] for a live
    /// namespace, for as long as the result is used.
    pub(crate) unsafe fn of_state(net_state: *const c_void) -> Option<NetCounters> {
        // SAFETY: the registration gave every namespace a `NetState` at
        // this id (caller's contract).
        let percpu = unsafe { (*net_state.cast::<NetState>()).counters };
        (!percpu.is_null()).then_some(NetCounters { percpu })
    }

    /// Adds one to counter `index` on the CPU whose per-CPU areas are at
    /// `cpu_offset`.
    ///
    /// # Safety
    ///
    /// `cpu_offset` must be the offset (`my_cpu_offset`) of the CPU the
    /// caller runs on, with bottom halves off for the whole call: only the
    /// target updates the counters, always so, so nothing else on this CPU
    /// writes them meanwhile (other CPUs only read them).
    pub(crate) unsafe fn increment(&self, index: usize, cpu_offset: usize) {
        if index < COUNTERS {
            // SAFETY: `percpu` is a live per-CPU array of `COUNTERS` u64
            // (type invariant), so at this CPU's offset it is this CPU's
            // array, and `index` is in range; `AtomicU64` has `u64`'s layout.
            let counter = unsafe {
                &*self
                    .percpu
                    .wrapping_byte_add(cpu_offset)
                    .add(index)
                    .cast::<AtomicU64>()
            };
            // Not a read-modify-write: this CPU is the only writer (caller's
            // contract), and a plain increment is what `this_cpu_inc` is.
            counter.store(
                counter.load(Ordering::Relaxed).wrapping_add(1),
                Ordering::Relaxed,
            );
        }
    }

    fn sum(&self, index: usize) -> u64 {
        // SAFETY: `percpu` is live (type invariant), `index < COUNTERS`.
        unsafe { bindings::xt_tarpit_percpu_sum(self.percpu, index as c_uint) }
    }
}

/// The counters file's name in `/proc/net`.
const PROC_NAME: &CStr = c"xt_TARPIT";
/// The held-connections estimate's file.
const PROC_HELD: &CStr = c"xt_TARPIT_held";
/// The top sources' file.
const PROC_TOP: &CStr = c"xt_TARPIT_top";

/// The files in `/proc/net` and what shows them, created in this order.
type Show = unsafe extern "C" fn(*mut bindings::seq_file, *mut c_void) -> c_int;
const PROC_FILES: [(&CStr, Show); 3] = [
    (PROC_NAME, show_counters),
    (PROC_HELD, show_held),
    (PROC_TOP, show_top),
];

/// The `pernet_operations` init callback.
///
/// # Safety
///
/// Called by the kernel only, for a namespace being set up, with its
/// `NetState` allocated at our id.
unsafe extern "C" fn net_init(net: *mut bindings::net) -> c_int {
    // SAFETY: the kernel calls this for a namespace being set up, whose
    // `NetState` it has just allocated (zeroed) at our id.
    unsafe {
        let state = bindings::xt_tarpit_net_generic(net, TABLE.generic_id()).cast::<NetState>();
        let percpu = bindings::xt_tarpit_alloc_percpu_u64(COUNTERS as c_uint);
        if percpu.is_null() {
            return ENOMEM.to_errno();
        }
        (*state).counters = percpu;
        for (created, (name, show)) in PROC_FILES.iter().enumerate() {
            if bindings::xt_tarpit_proc_create(net, compat::c_str_ptr(name), Some(*show)).is_null()
            {
                for (name, _) in &PROC_FILES[..created] {
                    bindings::xt_tarpit_proc_remove(net, compat::c_str_ptr(name));
                }
                (*state).counters = core::ptr::null_mut();
                bindings::free_percpu(percpu.cast());
                return ENOMEM.to_errno();
            }
        }
    }
    0
}

/// The `pernet_operations` exit callback.
///
/// # Safety
///
/// Called by the kernel only, once per namespace going away, after
/// `net_init` succeeded for it.
unsafe extern "C" fn net_exit(net: *mut bindings::net) {
    // SAFETY: the kernel calls this once for a namespace going away, after
    // `net_init` succeeded for it; no packet of it reaches the target any
    // more, and removing the proc file waits for its readers.
    unsafe {
        for (name, _) in &PROC_FILES {
            bindings::xt_tarpit_proc_remove(net, compat::c_str_ptr(name));
        }
        let state = bindings::xt_tarpit_net_generic(net, TABLE.generic_id()).cast::<NetState>();
        bindings::free_percpu((*state).counters.cast());
        (*state).counters = core::ptr::null_mut();
        bindings::kfree(
            (*state)
                .budgets
                .swap(core::ptr::null_mut(), Ordering::AcqRel)
                .cast(),
        );
        let monitor = (*state)
            .monitor
            .swap(core::ptr::null_mut(), Ordering::AcqRel);
        if !monitor.is_null() {
            bindings::free_percpu((*monitor).top);
            bindings::kfree(monitor.cast());
        }
    }
}

/// A line buffer for the `/proc/net` files.
struct Line {
    bytes: [u8; 64],
    length: usize,
}

impl Write for Line {
    fn write_str(&mut self, text: &str) -> core::fmt::Result {
        let end = self.length + text.len();
        let room = self
            .bytes
            .get_mut(self.length..end)
            .ok_or(core::fmt::Error)?;
        room.copy_from_slice(text.as_bytes());
        self.length = end;
        Ok(())
    }
}

/// Shows one `name value` line per counter, summed over CPUs.
///
/// # Safety
///
/// Called by the seq_file code only, for a read of a file `net_init`
/// created.
unsafe extern "C" fn show_counters(seq: *mut bindings::seq_file, _: *mut c_void) -> c_int {
    // SAFETY: the proc file was created for a namespace by `net_init`;
    // while it is being read, the namespace and its state are alive.
    let Some(counters) = (unsafe { NetCounters::of(bindings::xt_tarpit_seq_file_net(seq)) }) else {
        return 0;
    };
    for index in 0..COUNTERS {
        let mut line = Line {
            bytes: [0; 64],
            length: 0,
        };
        if writeln!(line, "{} {}", counters::name(index), counters.sum(index)).is_ok() {
            // SAFETY: `seq` is the live seq_file of this read.
            unsafe { put(seq, &line) };
        }
    }
    0
}

/// Writes `line` to `seq`.
///
/// # Safety
///
/// `seq` must be the live seq_file of a read.
unsafe fn put(seq: *mut bindings::seq_file, line: &Line) {
    // SAFETY: `seq` is live (caller's contract); the bytes are initialised
    // and `length` long.
    unsafe { bindings::seq_write(seq, line.bytes.as_ptr().cast(), line.length) };
}

/// The monitoring sketches of the namespace a proc file is read in, if a
/// TARPIT rule set them up.
///
/// # Safety
///
/// `seq` must be the live seq_file of a read of a file `net_init` created.
unsafe fn monitor_of<'a>(seq: *mut bindings::seq_file) -> Option<&'a Monitor> {
    // SAFETY: while the file is read, its namespace and state are alive
    // (caller's contract), and the sketches live as long as the namespace.
    unsafe {
        let net = bindings::xt_tarpit_seq_file_net(seq);
        let state = bindings::xt_tarpit_net_generic(net, TABLE.generic_id()).cast::<NetState>();
        (*state).monitor.load(Ordering::Acquire).as_ref()
    }
}

/// Shows the held-connections estimate: `held N` (or `held saturated`),
/// the window it covers and the epoch length, in seconds.
///
/// # Safety
///
/// Called by the seq_file code only, for a read of a file `net_init`
/// created.
unsafe extern "C" fn show_held(seq: *mut bindings::seq_file, _: *mut c_void) -> c_int {
    // SAFETY: called for a read of a file `net_init` created.
    let monitor = unsafe { monitor_of(seq) };
    // SAFETY: no preconditions; they read the clock and a parameter.
    let (now, epoch) = unsafe {
        (
            bindings::xt_tarpit_seconds(),
            bindings::xt_tarpit_held_epoch(),
        )
    };
    let epoch = epoch.max(1);
    let estimate = monitor.map_or(HeldEstimate::Count(0), |monitor| {
        monitor.held.estimate(now, epoch)
    });
    let mut line = Line {
        bytes: [0; 64],
        length: 0,
    };
    let written = match estimate {
        HeldEstimate::Count(count) => writeln!(line, "held {count}"),
        HeldEstimate::Saturated => writeln!(line, "held saturated"),
    }
    .and_then(|()| {
        writeln!(
            line,
            "window_seconds {}\nepoch_seconds {epoch}",
            u64::from(epoch) * 2
        )
    });
    if written.is_ok() {
        // SAFETY: `seq` is the live seq_file of this read.
        unsafe { put(seq, &line) };
    }
    0
}

/// Shows the heaviest source prefixes, one `prefix segments error` line
/// each, heaviest first.
///
/// # Safety
///
/// Called by the seq_file code only, for a read of a file `net_init`
/// created.
unsafe extern "C" fn show_top(seq: *mut bindings::seq_file, _: *mut c_void) -> c_int {
    // SAFETY: called for a read of a file `net_init` created.
    let Some(monitor) = (unsafe { monitor_of(seq) }) else {
        return 0;
    };
    let tables = |cpu: usize| {
        let cpu = c_int::try_from(cpu).ok()?;
        // SAFETY: the helper checks `cpu` against the possible CPUs; each
        // has a zero-initialised `TopTable` in the per-CPU area, alive
        // with the namespace, which its CPU writes with atomics only.
        unsafe {
            bindings::xt_tarpit_cpu_ptr(monitor.top, cpu)
                .cast::<TopTable>()
                .as_ref()
        }
    };
    let empty = TopSource {
        prefix: packet::SourcePrefix {
            version: 4,
            bits: 0,
        },
        segments: 0,
        error: 0,
    };
    let mut top = [empty; TOP_SHOWN];
    let shown = packet::top_sources(tables, &mut top);
    for source in &top[..shown] {
        let mut line = Line {
            bytes: [0; 64],
            length: 0,
        };
        if writeln!(
            line,
            "{} {} {}",
            source.prefix, source.segments, source.error
        )
        .is_ok()
        {
            // SAFETY: `seq` is the live seq_file of this read.
            unsafe { put(seq, &line) };
        }
    }
    0
}
