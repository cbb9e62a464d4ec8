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

/// The two cells of a prefix whose keyed hash is `hash`: one in each row,
/// picked by the hash's low and high 16 bits (disjoint bits of a keyed
/// pseudo-random value, so the two picks are independent).
pub fn cells(hash: u32) -> [usize; 2] {
    let first = (hash & 0xffff) as usize % CELLS_PER_ROW;
    let second = (hash >> 16) as usize % CELLS_PER_ROW;
    [first, CELLS_PER_ROW + second]
}

// Each row is indexed by 16 bits of the hash, evenly when a power of two.
const _: () = assert!(CELLS_PER_ROW <= 1 << 16 && CELLS_PER_ROW.is_power_of_two());

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
        for hash in [0u32, 1, u32::MAX, 0x1234_5678, 0xffff_0000, 0x0000_ffff] {
            let [a, b] = cells(hash);
            assert!(a < CELLS_PER_ROW);
            assert!((CELLS_PER_ROW..CELLS).contains(&b));
        }
    }

    #[test]
    fn the_two_cells_come_from_different_bits() {
        // Changing only the high half moves only the second cell, and the
        // other way round.
        let [a, b] = cells(0x0001_0002);
        assert_eq!((a, b), (2, CELLS_PER_ROW + 1));
        assert_eq!(cells(0x0005_0002)[0], a);
        assert_ne!(cells(0x0005_0002)[1], b);
        assert_eq!(cells(0x0001_0007)[1], b);
        assert_ne!(cells(0x0001_0007)[0], a);
    }
}
