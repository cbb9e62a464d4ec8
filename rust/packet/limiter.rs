// SPDX-License-Identifier: GPL-2.0

//! Reply rate limiting with fixed memory, the arithmetic: budgets of
//! replies per second kept in 64-bit cells (the second they count, and how
//! many replies it has had), and where a budget's cells are. The glue keeps
//! the table (allocated for a namespace by its first rule with a limit)
//! and does the atomic updates.
//!
//! A rule's budget for one source prefix (`--limit`; /24 for IPv4, /64 for
//! IPv6) is counted in two cells, one in each of two rows, picked by a
//! keyed hash of the prefix and the rule: a count-min sketch with
//! conservative update. The prefix's count is the smaller of its two
//! cells; a reply may go while that is under the budget, and it raises
//! only the cells that hold the smaller count. So:
//!
//! * a prefix never gets more replies per second from a rule than the
//!   rule's budget: its count is never below the replies it had (on
//!   several CPUs at once, a few more may go);
//! * a prefix loses replies to others only while *both* of its cells are
//!   also counted up to the budget by other prefixes (or rules). One
//!   flooding prefix owns both cells of a given other prefix with
//!   probability 1 / [`PREFIX_CELLS_PER_ROW`]²; k flooding prefixes
//!   silence a given other prefix with probability about
//!   (k / [`PREFIX_CELLS_PER_ROW`])²;
//! * rules do not share budgets: a busy `--limit 1000` rule takes nothing
//!   from a `--limit 5` rule's budget for the same prefix, except through
//!   the same double collision.
//!
//! A rule's own budget (`--limit-global`) is counted the same way, in two
//! cells of two smaller rows picked by a keyed hash of the rule alone:
//! another rule takes from it only if it owns both cells (probability
//! 1 / [`RULE_CELLS_PER_ROW`]² for a pair of rules).

use super::segment::{Addresses, Segment};

/// Cells in each of the two rows of per-prefix budgets.
pub const PREFIX_CELLS_PER_ROW: usize = 960;
/// Cells in each of the two rows of per-rule budgets.
pub const RULE_CELLS_PER_ROW: usize = 64;
/// Cells in the table: 16 KiB of them, one order-2 allocation.
pub const CELLS: usize = 2 * (PREFIX_CELLS_PER_ROW + RULE_CELLS_PER_ROW);

const _: () = assert!(CELLS * 8 == 16 * 1024);

/// The replies cell `cell` counts for second `now`: its count, or none
/// when it counts another second (including the all-zero initial value,
/// and after the seconds counter wraps).
fn count(cell: u64, now: u32) -> u32 {
    if (cell >> 32) as u32 == now {
        cell as u32
    } else {
        0
    }
}

/// Cell `cell` with one more reply counted for second `now`.
pub fn raise(cell: u64, now: u32) -> u64 {
    (u64::from(now) << 32) | u64::from(count(cell, now).saturating_add(1))
}

/// Takes one reply from a budget of `budget` per second kept in `cells` at
/// second `now`: the cells' new values, or `None` when the budget of this
/// second is spent (the smaller count has reached it). Only the cells that
/// hold the smaller count are raised.
pub fn take(cells: [u64; 2], now: u32, budget: u32) -> Option<[u64; 2]> {
    let counts = [count(cells[0], now), count(cells[1], now)];
    let smaller = counts[0].min(counts[1]);
    if smaller >= budget {
        return None;
    }
    Some([0, 1].map(|i| {
        if counts[i] == smaller {
            raise(cells[i], now)
        } else {
            cells[i]
        }
    }))
}

/// Cell `bits` (16 bits of a hash) picks in a row of `row` cells.
fn pick(bits: u32, row: usize) -> usize {
    ((bits & 0xffff) as usize * row) >> 16
}

/// The two cells of a prefix's budget under a rule, whose keyed hash is
/// `hash`: one in each prefix row, picked by the hash's low and high 16
/// bits (disjoint bits of a keyed pseudo-random value, so the two picks
/// are independent).
pub fn prefix_cells(hash: u32) -> [usize; 2] {
    [
        pick(hash, PREFIX_CELLS_PER_ROW),
        PREFIX_CELLS_PER_ROW + pick(hash >> 16, PREFIX_CELLS_PER_ROW),
    ]
}

/// The two cells of a rule's own budget, whose keyed hash is `hash`: one
/// in each rule row, after the prefix rows.
pub fn rule_cells(hash: u32) -> [usize; 2] {
    let first = 2 * PREFIX_CELLS_PER_ROW;
    [
        first + pick(hash, RULE_CELLS_PER_ROW),
        first + RULE_CELLS_PER_ROW + pick(hash >> 16, RULE_CELLS_PER_ROW),
    ]
}

/// The source prefix of a segment as the 32-bit words the glue hashes
/// with its limiter key (the kernel's `hsiphash_1u32` / `hsiphash_2u32`)
/// to find the prefix's cells: the /24 of an IPv4 source, the /64 of an
/// IPv6 one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Prefix {
    /// The first three bytes of the IPv4 source, the fourth zero.
    V4(u32),
    /// The first eight bytes of the IPv6 source.
    V6(u32, u32),
}

/// The source prefix of `segment`.
pub fn source_prefix(segment: &Segment) -> Prefix {
    match &segment.addresses {
        Addresses::V4 { source, .. } => {
            Prefix::V4(u32::from_le_bytes([source[0], source[1], source[2], 0]))
        }
        Addresses::V6 { source, .. } => Prefix::V6(
            u32::from_le_bytes([source[0], source[1], source[2], source[3]]),
            u32::from_le_bytes([source[4], source[5], source[6], source[7]]),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::segment::{SynOptions, TcpFlags};

    fn from(addresses: Addresses) -> Segment {
        Segment {
            addresses,
            source_port: 1,
            destination_port: 25,
            seq: 0,
            ack: 0,
            flags: TcpFlags::SYN,
            window: 0,
            tcp_offset: 20,
            payload_len: 0,
            length: 40,
            syn_options: SynOptions::default(),
        }
    }

    fn v4(source: [u8; 4]) -> Prefix {
        source_prefix(&from(Addresses::V4 {
            source,
            destination: [10, 0, 0, 1],
        }))
    }

    fn v6(source: [u8; 16]) -> Prefix {
        source_prefix(&from(Addresses::V6 {
            source,
            destination: [0; 16],
        }))
    }

    #[test]
    fn an_ipv4_prefix_is_the_sources_24() {
        assert_eq!(v4([192, 0, 2, 1]), v4([192, 0, 2, 254]));
        assert_ne!(v4([192, 0, 2, 1]), v4([192, 0, 3, 1]));
        assert_ne!(v4([192, 0, 2, 1]), v4([193, 0, 2, 1]));
        assert_eq!(
            v4([192, 0, 2, 77]),
            Prefix::V4(u32::from_le_bytes([192, 0, 2, 0]))
        );
    }

    #[test]
    fn an_ipv6_prefix_is_the_sources_64() {
        let mut a = [0u8; 16];
        a[..8].copy_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2]);
        let mut same = a;
        same[8..].copy_from_slice(&[0xff; 8]);
        assert_eq!(v6(a), v6(same));
        for byte in 0..8 {
            let mut other = a;
            other[byte] ^= 0x80;
            assert_ne!(v6(a), v6(other), "byte {byte} of the /64 counts");
        }
    }

    /// Takes from a budget kept in one cell pair as the glue does.
    fn take_into(cells: &mut [u64; 2], now: u32, budget: u32) -> bool {
        match take(*cells, now, budget) {
            Some(new) => {
                *cells = new;
                true
            }
            None => false,
        }
    }

    #[test]
    fn a_budget_admits_exactly_its_size_per_second() {
        let mut cells = [0u64; 2];
        for _ in 0..7 {
            assert!(take_into(&mut cells, 100, 7), "within budget");
        }
        assert!(!take_into(&mut cells, 100, 7));
        assert!(take_into(&mut cells, 101, 7), "a new second starts afresh");
        assert_eq!(cells, [(101u64 << 32) | 1; 2]);
    }

    #[test]
    fn a_refused_reply_changes_no_cell() {
        let cells = [(5u64 << 32) | 3, (5u64 << 32) | 3];
        assert_eq!(take(cells, 5, 3), None);
    }

    #[test]
    fn only_the_smaller_count_is_raised() {
        let cells = [(9u64 << 32) | 4, (9u64 << 32) | 2];
        assert_eq!(take(cells, 9, 5), Some([cells[0], (9u64 << 32) | 3]));
        // A cell from another second counts zero: it is the smaller one.
        let cells = [(8u64 << 32) | 4, (9u64 << 32) | 2];
        assert_eq!(take(cells, 9, 5), Some([(9u64 << 32) | 1, cells[1]]));
    }

    #[test]
    fn a_prefix_sharing_one_cell_with_a_flood_is_still_served() {
        // A flooding prefix spends its budget in cells 0 and 1 ...
        let budget = 5;
        let mut table = [0u64; 3];
        for _ in 0..100 {
            let mut pair = [table[0], table[1]];
            take_into(&mut pair, 7, budget);
            [table[0], table[1]] = pair;
        }
        assert_eq!(count(table[0], 7), budget);
        // ... another one shares cell 0 and owns cell 2: its full budget.
        let mut served = 0;
        for _ in 0..100 {
            let mut pair = [table[0], table[2]];
            if take_into(&mut pair, 7, budget) {
                served += 1;
            }
            [table[0], table[2]] = pair;
        }
        assert_eq!(served, budget);
        // One that shares both of the flood's cells is silenced.
        assert_eq!(take([table[0], table[1]], 7, budget), None);
    }

    #[test]
    fn a_prefix_never_gets_more_than_its_budget_whatever_it_shares() {
        // Its count is never below its own replies, so sharing cells with
        // others only ever makes it stricter.
        let budget = 4;
        let mut table = [0u64; 4];
        let mut own = 0;
        for round in 0..50u32 {
            // Others raise cells 1 and 3 now and then.
            if round % 3 == 0 {
                table[1] = raise(table[1], 1);
                table[3] = raise(table[3], 1);
            }
            let mut pair = [table[0], table[1]];
            if take_into(&mut pair, 1, budget) {
                own += 1;
            }
            [table[0], table[1]] = pair;
        }
        assert!(own <= budget);
    }

    #[test]
    fn the_seconds_counter_wraps() {
        let mut cells = [0u64; 2];
        assert!(take_into(&mut cells, u32::MAX, 1));
        assert!(!take_into(&mut cells, u32::MAX, 1));
        assert!(take_into(&mut cells, 0, 1));
    }

    #[test]
    fn a_zero_cell_at_second_zero_is_empty() {
        assert_eq!(take([0, 0], 0, 1), Some([1, 1]));
        assert_eq!(take([0, 0], 0, 0), None);
    }

    #[test]
    fn cells_are_one_per_row_and_rows_do_not_overlap() {
        let p = PREFIX_CELLS_PER_ROW;
        let r = RULE_CELLS_PER_ROW;
        for hash in [0u32, 1, u32::MAX, 0x1234_5678, 0xffff_0000, 0x0000_ffff] {
            let [a, b] = prefix_cells(hash);
            assert!(a < p);
            assert!((p..2 * p).contains(&b));
            let [c, d] = rule_cells(hash);
            assert!((2 * p..2 * p + r).contains(&c));
            assert!((2 * p + r..CELLS).contains(&d));
        }
    }

    #[test]
    fn every_cell_of_a_row_can_be_picked() {
        let mut seen = [false; PREFIX_CELLS_PER_ROW];
        for bits in 0..=0xffffu32 {
            seen[prefix_cells(bits)[0]] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn the_two_cells_come_from_different_bits() {
        // Changing only the high half moves only the second cell, and the
        // other way round.
        let [a, b] = prefix_cells(0x0001_0002);
        assert_eq!(prefix_cells(0x8005_0002)[0], a);
        assert_ne!(prefix_cells(0x8005_0002)[1], b);
        assert_eq!(prefix_cells(0x0001_8007)[1], b);
        assert_ne!(prefix_cells(0x0001_8007)[0], a);
    }
}
