// SPDX-License-Identifier: GPL-2.0

//! Reply rate limiting with fixed memory, the arithmetic: budgets of
//! replies per second kept in 64-bit cells (the second they count, and how
//! many replies it has had), and where a source prefix's cells are.
//!
//! Each source prefix (/24 for IPv4, /64 for IPv6) is counted in two cells
//! of a fixed table, picked by two independent parts of a keyed hash of the
//! prefix (a count-min sketch): a reply may go when both cells are under
//! budget. Prefixes that share a cell share its budget, so a collision only
//! ever makes the limit stricter, never looser, and a flood from one prefix
//! takes a second prefix's budget only if it owns both of its cells (one
//! chance in [`CELLS_PER_ROW`] squared). The glue does the atomic updates.

use super::segment::{Addresses, Segment};

/// Cells in each of the two rows of the table.
pub const CELLS_PER_ROW: usize = 1024;
/// Cells in the table.
pub const CELLS: usize = 2 * CELLS_PER_ROW;

/// The cell value after taking one reply from a budget of `budget` per
/// second at second `now`, or `None` when the budget of this second is
/// spent. A cell holds the second in its high half and the count in its
/// low half; a cell from another second (including the all-zero initial
/// value, and after the seconds counter wraps) starts afresh.
pub fn take(cell: u64, now: u32, budget: u32) -> Option<u64> {
    let second = (cell >> 32) as u32;
    let count = if second == now { cell as u32 } else { 0 };
    if count >= budget {
        return None;
    }
    Some((u64::from(now) << 32) | u64::from(count + 1))
}

/// The bytes of the source prefix of `segment`, its first `length` of the
/// array meaningful: 3 bytes (/24) for IPv4, 8 (/64) for IPv6. Hashed with
/// the per-boot key to find the prefix's cells.
pub fn source_prefix(segment: &Segment) -> ([u8; 8], usize) {
    let mut prefix = [0u8; 8];
    match &segment.addresses {
        Addresses::V4 { source, .. } => {
            prefix[..3].copy_from_slice(&source[..3]);
            (prefix, 3)
        }
        Addresses::V6 { source, .. } => {
            prefix.copy_from_slice(&source[..8]);
            (prefix, 8)
        }
    }
}

/// The two cells of a prefix whose keyed hash is `hash`: one in each row.
pub fn cells(hash: u64) -> [usize; 2] {
    let first = (hash as usize) % CELLS_PER_ROW;
    let second = ((hash >> 32) as usize) % CELLS_PER_ROW;
    [first, CELLS_PER_ROW + second]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_admits_exactly_its_size_per_second() {
        let mut cell = 0u64;
        for _ in 0..7 {
            cell = take(cell, 100, 7).expect("within budget");
        }
        assert_eq!(take(cell, 100, 7), None);
        let cell = take(cell, 101, 7).expect("a new second starts afresh");
        assert_eq!(cell, (101u64 << 32) | 1);
    }

    #[test]
    fn the_seconds_counter_wraps() {
        let cell = take(0, u32::MAX, 1).unwrap();
        assert_eq!(take(cell, u32::MAX, 1), None);
        assert!(take(cell, 0, 1).is_some());
    }

    #[test]
    fn a_zero_cell_at_second_zero_is_empty() {
        assert_eq!(take(0, 0, 1), Some(1));
        assert_eq!(take(0, 0, 0), None);
    }

    #[test]
    fn cells_are_one_per_row() {
        for hash in [0u64, 1, u64::MAX, 0x1234_5678_9abc_def0] {
            let [a, b] = cells(hash);
            assert!(a < CELLS_PER_ROW);
            assert!((CELLS_PER_ROW..CELLS).contains(&b));
        }
    }
}
