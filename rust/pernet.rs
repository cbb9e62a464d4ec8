// SPDX-License-Identifier: GPL-2.0

//! Per network namespace state, in the glue layer (`unsafe` inside): the
//! counters, per CPU so the fast path takes no lock and shares no cache
//! line, the `/proc/net/xt_TARPIT` file that shows their sums, and the
//! fixed-size table of reply budgets (`--limit`, `--limit-global`),
//! allocated by the namespace's first rule with a limit: a namespace that
//! never has one costs 16 bytes here and its counters.

use crate::bindings;
use crate::compat;
use crate::counters::{self, COUNTERS};
use crate::packet::limiter;
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
    if state
        .budgets
        .compare_exchange(
            core::ptr::null_mut(),
            budgets,
            Ordering::AcqRel,
            Ordering::Acquire,
        )
        .is_err()
    {
        // Another check of the same namespace was first.
        // SAFETY: `budgets` is ours, never published.
        unsafe { bindings::kfree(budgets.cast()) };
    }
    Ok(())
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

    /// Adds one to counter `index` on this CPU.
    pub(crate) fn increment(&self, index: usize) {
        if index < COUNTERS {
            // SAFETY: `percpu` is live (type invariant), `index` in range.
            unsafe { bindings::xt_tarpit_percpu_inc(self.percpu, index as c_uint) };
        }
    }

    fn sum(&self, index: usize) -> u64 {
        // SAFETY: `percpu` is live (type invariant), `index < COUNTERS`.
        unsafe { bindings::xt_tarpit_percpu_sum(self.percpu, index as c_uint) }
    }
}

/// The counters file's name in `/proc/net`.
const PROC_NAME: &CStr = c"xt_TARPIT";

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
        if bindings::xt_tarpit_proc_create(net, compat::c_str_ptr(PROC_NAME), Some(show_counters))
            .is_null()
        {
            (*state).counters = core::ptr::null_mut();
            bindings::free_percpu(percpu.cast());
            return ENOMEM.to_errno();
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
        bindings::xt_tarpit_proc_remove(net, compat::c_str_ptr(PROC_NAME));
        let state = bindings::xt_tarpit_net_generic(net, TABLE.generic_id()).cast::<NetState>();
        bindings::free_percpu((*state).counters.cast());
        (*state).counters = core::ptr::null_mut();
        bindings::kfree(
            (*state)
                .budgets
                .swap(core::ptr::null_mut(), Ordering::AcqRel)
                .cast(),
        );
    }
}

/// A line buffer for `/proc/net/xt_TARPIT`.
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
            // SAFETY: `seq` is the live seq_file of this read; the bytes are
            // initialised and `length` long.
            unsafe { bindings::seq_write(seq, line.bytes.as_ptr().cast(), line.length) };
        }
    }
    0
}
