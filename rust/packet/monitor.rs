// SPDX-License-Identifier: GPL-2.0

//! What the tarpit holds right now and from where, in fixed memory and
//! without state per connection: the sketches and their arithmetic. The
//! glue allocates them (per namespace, the top sources per CPU), feeds them
//! from the target and shows them in `/proc/net/xt_TARPIT_held` and
//! `/proc/net/xt_TARPIT_top`. Only relaxed atomics: no lock, no allocation.
//!
//! **Held connections** ([`Held`]): a segment that acknowledges one of our
//! keyed SYN-ACKs proves its connection alive (a blind spoofer gets there
//! with probability about 2^-21). Each such segment sets one bit, picked by
//! the connection's keyed hash, in the bitmap of the current epoch
//! ([`HELD_BITS`] bits); two bitmaps alternate. The estimate is linear
//! counting over the union of the current and the previous epoch:
//! `n = m ln(m / z)` for `m` bits of which `z` are zero. Its standard error
//! is `sqrt(m (e^t - t - 1)) / n` with `t = n / m`: 0.4 % at 5,000
//! connections, 0.5 % at 30,000, 1 % at 190,000; it saturates (no zero bit
//! left) near 340,000. A held Linux client probes at least every
//! `TCP_RTO_MAX` (120 s), so with epochs of 128 s (the default) every held
//! connection is seen in every epoch, and one that is gone drops out of the
//! estimate within two epochs.
//!
//! **Top sources** ([`TopTable`]): segments per source prefix (IPv4 /24,
//! IPv6 /64), counted per CPU in [`TOP_BUCKETS`] buckets of [`TOP_WAYS`]
//! entries, each bucket a Space-Saving sketch of the prefixes a keyed hash
//! sends to it: a prefix already there counts one more; a new one takes the
//! smallest entry over, inheriting its count as its error. So an entry's
//! count is never below the prefix's true count and at most its error
//! above; a prefix is sure to have an entry once it sent more than a
//! [`TOP_WAYS`]th of its bucket's segments (a source with 10 % of all
//! traffic, among many small ones: its bucket sees about 10 % + 90 % / 16,
//! so it needs more than 3.9 %). Nobody outside can aim prefixes at a
//! bucket without the per-boot key.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

use super::segment::{Addresses, Segment};

/// Bits in each epoch's bitmap of held connections: 4 KiB.
pub const HELD_BITS: usize = 1 << HELD_BITS_LOG2;
const HELD_BITS_LOG2: u32 = 15;
const HELD_WORDS: usize = HELD_BITS / 64;

/// Default length of an epoch, in seconds (module parameter
/// `held_epoch`): more than `TCP_RTO_MAX`, the longest a held Linux client
/// waits between two probes.
pub const HELD_EPOCH_DEFAULT: u32 = 128;

/// A stamp no epoch has: its bitmap is being cleared.
const CLEARING: u32 = u32::MAX;

/// One epoch's bitmap and the epoch it counts (its number plus one; zero
/// when it never counted one).
struct Epoch {
    stamp: AtomicU32,
    words: [AtomicU64; HELD_WORDS],
}

/// The held-connections sketch of one namespace: two epochs' bitmaps,
/// 8 KiB. All zero is empty.
pub struct Held {
    epochs: [Epoch; 2],
}

/// An estimate of the connections held.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HeldEstimate {
    /// About this many.
    Count(u32),
    /// More than the bitmap can tell (every bit set).
    Saturated,
}

impl Held {
    /// An empty sketch, for tests (the module allocates it zeroed).
    pub fn new() -> Self {
        Held {
            epochs: core::array::from_fn(|_| Epoch {
                stamp: AtomicU32::new(0),
                words: core::array::from_fn(|_| AtomicU64::new(0)),
            }),
        }
    }

    /// Records that the connection whose keyed hash is `hash` was alive at
    /// second `now`, with epochs of `epoch_seconds`. The first CPU to see a
    /// new epoch clears its bitmap; what other CPUs record in those few
    /// hundred nanoseconds is lost (the connection is still counted in the
    /// previous epoch until its next probe).
    pub fn record(&self, hash: u64, now: u32, epoch_seconds: u32) {
        let epoch = now / epoch_seconds.max(1);
        let slot = &self.epochs[(epoch & 1) as usize];
        let stamp = epoch.wrapping_add(1);
        let seen = slot.stamp.load(Relaxed);
        if seen != stamp {
            if seen == CLEARING
                || slot
                    .stamp
                    .compare_exchange(seen, CLEARING, Relaxed, Relaxed)
                    .is_err()
            {
                return;
            }
            for word in &slot.words {
                word.store(0, Relaxed);
            }
            slot.stamp
                .store(stamp, core::sync::atomic::Ordering::Release);
        }
        let (index, mask) = held_bit(hash);
        // Held connections probe again and again: most bits are set
        // already, and a load shares the cache line where an OR would not.
        if slot.words[index].load(Relaxed) & mask == 0 {
            slot.words[index].fetch_or(mask, Relaxed);
        }
    }

    /// The estimate of distinct connections recorded in the epoch of
    /// second `now` and the one before.
    pub fn estimate(&self, now: u32, epoch_seconds: u32) -> HeldEstimate {
        let epoch = now / epoch_seconds.max(1);
        // The stamps of this epoch and the previous one.
        let current = epoch.wrapping_add(1);
        let valid = |slot: &Epoch| {
            let stamp = slot.stamp.load(core::sync::atomic::Ordering::Acquire);
            stamp == current || stamp == epoch
        };
        let [first, second] = &self.epochs;
        let (first, second) = (
            valid(first).then_some(first),
            valid(second).then_some(second),
        );
        let mut zeros = 0u32;
        for index in 0..HELD_WORDS {
            let word = first.map_or(0, |slot| slot.words[index].load(Relaxed))
                | second.map_or(0, |slot| slot.words[index].load(Relaxed));
            zeros += word.count_zeros();
        }
        match linear_count(zeros) {
            Some(count) => HeldEstimate::Count(count),
            None => HeldEstimate::Saturated,
        }
    }
}

impl Default for Held {
    fn default() -> Self {
        Self::new()
    }
}

/// The word and bit the connection whose keyed hash is `hash` sets: from
/// the hash's top bits (the keyed ISN uses the low half).
fn held_bit(hash: u64) -> (usize, u64) {
    let bit = (hash >> (64 - HELD_BITS_LOG2)) as usize;
    (bit / 64, 1 << (bit % 64))
}

/// ln 2 in 32.32 fixed point.
const LN_2: u64 = 2_977_044_472;

/// Linear counting: `m ln(m / zeros)` for a bitmap of `m` =
/// [`HELD_BITS`] bits with `zeros` zero bits, rounded; `None` when no bit
/// is zero. Integer arithmetic only (no floating point in the kernel).
pub fn linear_count(zeros: u32) -> Option<u32> {
    if zeros == 0 {
        return None;
    }
    let zeros = u64::from(zeros.min(HELD_BITS as u32));
    // zeros = 2^k f, f in [1, 2): ln(m / zeros) = (15 - k) ln 2 - ln f,
    // ln f = 2 atanh(y) with y = (f - 1) / (f + 1) < 1/3, whose series
    // y + y^3/3 + y^5/5 + ... is within 2^-34 after eight terms.
    let k = 63 - zeros.leading_zeros();
    let power = 1u64 << k;
    let y = ((zeros - power) << 32) / (zeros + power);
    let y2 = (y * y) >> 32;
    let mut term = y;
    let mut atanh = y;
    for odd in (3..=17).step_by(2) {
        term = (term * y2) >> 32;
        atanh += term / odd;
    }
    let ln = u64::from(HELD_BITS_LOG2 - k) * LN_2 - 2 * atanh;
    // m ln(m / zeros), m = 2^15, from 32.32: shift by 32 - 15, rounded.
    Some(((ln + (1 << 16)) >> 17) as u32)
}

/// Buckets of a top-sources table.
pub const TOP_BUCKETS: usize = 16;
/// Entries per bucket.
pub const TOP_WAYS: usize = 4;
/// Lines in `/proc/net/xt_TARPIT_top`.
pub const TOP_SHOWN: usize = 20;

/// A source prefix: the /24 of an IPv4 source, the /64 of an IPv6 one, as
/// its first bytes, big-endian, in a word.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SourcePrefix {
    /// 4 or 6.
    pub version: u8,
    /// The prefix's bytes, left-aligned in the low bytes of a big-endian
    /// reading: IPv4 `a.b.c.0/24` is `0xaabbcc00`, IPv6 the first 8 bytes.
    pub bits: u64,
}

impl SourcePrefix {
    /// The source prefix of `segment`.
    pub fn of(segment: &Segment) -> SourcePrefix {
        match &segment.addresses {
            Addresses::V4 { source, .. } => SourcePrefix {
                version: 4,
                bits: u64::from(u32::from_be_bytes([source[0], source[1], source[2], 0])),
            },
            Addresses::V6 { source, .. } => {
                let mut first = [0u8; 8];
                first.copy_from_slice(&source[..8]);
                SourcePrefix {
                    version: 6,
                    bits: u64::from_be_bytes(first),
                }
            }
        }
    }

    /// The bucket of a table the prefix counts in, under the per-boot
    /// `key`: multiply-shift hashing (universal, a few instructions), so
    /// the placement is unpredictable without the key.
    fn bucket(self, key: [u64; 2]) -> usize {
        let word = self.bits ^ key[0] ^ u64::from(self.version);
        (word.wrapping_mul(key[1] | 1) >> (64 - TOP_BUCKETS.trailing_zeros())) as usize
    }
}

impl fmt::Display for SourcePrefix {
    /// `a.b.c.0/24`, or the /64 in RFC 5952's form (`2001:db8::/64`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.version == 4 {
            let [a, b, c, _] = (self.bits as u32).to_be_bytes();
            return write!(f, "{a}.{b}.{c}.0/24");
        }
        let groups = [48, 32, 16, 0].map(|shift| (self.bits >> shift) as u16);
        // The last four groups are zero, so the longest run of zeros is
        // there, with the prefix's own trailing zero groups.
        let kept = groups
            .iter()
            .rposition(|&group| group != 0)
            .map_or(0, |last| last + 1);
        for (index, group) in groups[..kept].iter().enumerate() {
            if index > 0 {
                f.write_char(':')?;
            }
            write!(f, "{group:x}")?;
        }
        f.write_str("::/64")
    }
}

/// One entry of a table. `version` 0 is an empty entry.
struct TopEntry {
    bits: AtomicU64,
    version: AtomicU64,
    count: AtomicU64,
    error: AtomicU64,
}

/// One CPU's top-sources table: [`TOP_BUCKETS`] x [`TOP_WAYS`] entries,
/// 2 KiB. All zero is empty. Written by its CPU only (the target runs with
/// bottom halves off), read by any.
pub struct TopTable {
    buckets: [[TopEntry; TOP_WAYS]; TOP_BUCKETS],
}

impl TopTable {
    /// An empty table, for tests (the module allocates it zeroed).
    pub fn new() -> Self {
        TopTable {
            buckets: core::array::from_fn(|_| {
                core::array::from_fn(|_| TopEntry {
                    bits: AtomicU64::new(0),
                    version: AtomicU64::new(0),
                    count: AtomicU64::new(0),
                    error: AtomicU64::new(0),
                })
            }),
        }
    }

    /// Counts one segment from `prefix`. Only the table's own CPU may call
    /// it: the loads and stores are not read-modify-write.
    pub fn record(&self, prefix: SourcePrefix, key: [u64; 2]) {
        let bucket = &self.buckets[prefix.bucket(key)];
        let version = u64::from(prefix.version);
        let mut smallest = &bucket[0];
        let mut smallest_count = u64::MAX;
        for entry in bucket {
            let count = entry.count.load(Relaxed);
            if entry.bits.load(Relaxed) == prefix.bits && entry.version.load(Relaxed) == version {
                entry.count.store(count.saturating_add(1), Relaxed);
                return;
            }
            if count < smallest_count {
                smallest = entry;
                smallest_count = count;
            }
        }
        // A reader on another CPU may see the entry half replaced: the
        // figures are estimates anyway, and the next read is whole.
        smallest.bits.store(prefix.bits, Relaxed);
        smallest.version.store(version, Relaxed);
        smallest.error.store(smallest_count, Relaxed);
        smallest
            .count
            .store(smallest_count.saturating_add(1), Relaxed);
    }

    /// The count and error of `prefix` in bucket `bucket`, if it has an
    /// entry; otherwise the bucket's smallest count (zero if it has an
    /// empty entry), the most the prefix can have sent here unseen.
    fn lookup(&self, bucket: usize, prefix: SourcePrefix) -> Result<(u64, u64), u64> {
        let mut smallest = u64::MAX;
        for entry in &self.buckets[bucket] {
            let version = entry.version.load(Relaxed);
            let count = if version == 0 {
                0
            } else {
                entry.count.load(Relaxed)
            };
            if version == u64::from(prefix.version) && entry.bits.load(Relaxed) == prefix.bits {
                return Ok((count, entry.error.load(Relaxed)));
            }
            smallest = smallest.min(count);
        }
        Err(smallest)
    }

    fn prefix_at(&self, bucket: usize, way: usize) -> Option<SourcePrefix> {
        let entry = &self.buckets[bucket][way];
        let version = entry.version.load(Relaxed);
        (version != 0).then(|| SourcePrefix {
            version: version as u8,
            bits: entry.bits.load(Relaxed),
        })
    }
}

impl Default for TopTable {
    fn default() -> Self {
        Self::new()
    }
}

/// One line of the top sources, merged over CPUs: the prefix sent at most
/// `segments` and at least `segments - error`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TopSource {
    /// The prefix.
    pub prefix: SourcePrefix,
    /// Upper bound of its segments.
    pub segments: u64,
    /// How far below `segments` the true count may be.
    pub error: u64,
}

/// The heaviest prefixes over the tables of every CPU (`tables` gives the
/// table of CPU 0, 1, ... up to the first `None`), heaviest first, into
/// `out`; returns how many. A prefix's figures add its entries on the
/// CPUs that have one and, on the others, the most it can have sent there
/// unseen. Reading time grows with the square of the CPU count (no
/// allocation); it runs when the file is read, never for a packet.
pub fn top_sources<'a>(
    tables: impl Fn(usize) -> Option<&'a TopTable>,
    out: &mut [TopSource; TOP_SHOWN],
) -> usize {
    let mut shown = 0;
    for bucket in 0..TOP_BUCKETS {
        let mut cpu = 0;
        while let Some(table) = tables(cpu) {
            for way in 0..TOP_WAYS {
                let Some(prefix) = table.prefix_at(bucket, way) else {
                    continue;
                };
                // Merged once, where it first appears.
                let earlier = (0..cpu).any(|before| {
                    tables(before).is_some_and(|other| other.lookup(bucket, prefix).is_ok())
                }) || (0..way)
                    .any(|before| table.prefix_at(bucket, before) == Some(prefix));
                if earlier {
                    continue;
                }
                let (mut segments, mut error) = (0u64, 0u64);
                let mut each = 0;
                while let Some(other) = tables(each) {
                    let (count, unsure) = match other.lookup(bucket, prefix) {
                        Ok(found) => found,
                        Err(smallest) => (smallest, smallest),
                    };
                    segments = segments.saturating_add(count);
                    error = error.saturating_add(unsure);
                    each += 1;
                }
                insert(
                    out,
                    &mut shown,
                    TopSource {
                        prefix,
                        segments,
                        error,
                    },
                );
            }
            cpu += 1;
        }
    }
    shown
}

/// Inserts `source` into the first `shown` of `out`, kept heaviest first.
fn insert(out: &mut [TopSource; TOP_SHOWN], shown: &mut usize, source: TopSource) {
    let position = out[..*shown]
        .iter()
        .position(|other| other.segments < source.segments)
        .unwrap_or(*shown);
    if position >= TOP_SHOWN {
        return;
    }
    let end = (*shown + 1).min(TOP_SHOWN);
    out.copy_within(position..end - 1, position + 1);
    out[position] = source;
    *shown = end;
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::collections::HashMap;
    use std::string::ToString;
    use std::vec::Vec;

    #[test]
    fn linear_count_is_m_ln_m_over_zeros() {
        let m = HELD_BITS as f64;
        for zeros in 1..=HELD_BITS as u32 {
            let want = m * (m / f64::from(zeros)).ln();
            let got = f64::from(linear_count(zeros).unwrap());
            assert!(
                (got - want).abs() <= 0.501,
                "zeros {zeros}: {got} vs {want}"
            );
        }
        assert_eq!(linear_count(0), None);
        assert_eq!(linear_count(HELD_BITS as u32), Some(0));
    }

    #[test]
    fn prefixes_print_as_addresses() {
        let v6 = |bits| SourcePrefix { version: 6, bits }.to_string();
        assert_eq!(v6(0x2001_0db8_0000_0000), "2001:db8::/64");
        assert_eq!(v6(0x2001_0db8_0000_0005), "2001:db8:0:5::/64");
        assert_eq!(v6(0x2001_0000_0000_0005), "2001:0:0:5::/64");
        assert_eq!(v6(0), "::/64");
        let v4 = SourcePrefix {
            version: 4,
            bits: 0xcb00_7100,
        };
        assert_eq!(v4.to_string(), "203.0.113.0/24");
    }
    /// xorshift64*: deterministic stand-ins for keyed hashes.
    fn random(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn count(held: &Held, now: u32) -> u32 {
        match held.estimate(now, HELD_EPOCH_DEFAULT) {
            HeldEstimate::Count(count) => count,
            HeldEstimate::Saturated => u32::MAX,
        }
    }

    #[test]
    fn held_estimate_is_within_its_error() {
        for (n, seed) in [
            (100u32, 1u64),
            (1_000, 2),
            (5_000, 3),
            (30_000, 4),
            (100_000, 5),
        ] {
            let held = Held::new();
            let mut state = seed;
            for _ in 0..n {
                let hash = random(&mut state);
                // Each connection probes a few times: counted once.
                for _ in 0..3 {
                    held.record(hash, 1000, HELD_EPOCH_DEFAULT);
                }
            }
            let got = f64::from(count(&held, 1000));
            let n = f64::from(n);
            let t = n / HELD_BITS as f64;
            let sigma = (HELD_BITS as f64 * (t.exp() - t - 1.0)).sqrt();
            assert!(
                (got - n).abs() <= 4.0 * sigma + 1.0,
                "n {n}: estimate {got}, sigma {sigma}"
            );
        }
    }

    #[test]
    fn held_connections_leave_within_two_epochs() {
        let held = Held::new();
        let mut state = 9;
        let epoch = HELD_EPOCH_DEFAULT;
        // Epoch 10: 500 connections; epoch 11: 200 of them again.
        let hashes: Vec<u64> = (0..500).map(|_| random(&mut state)).collect();
        for &hash in &hashes {
            held.record(hash, 10 * epoch + 5, epoch);
        }
        for &hash in &hashes[..200] {
            held.record(hash, 11 * epoch + 5, epoch);
        }
        let near = |got: u32, want: u32| got.abs_diff(want) <= want / 50 + 1;
        assert!(near(count(&held, 11 * epoch + 6), 500));
        // Epoch 12 starts: epoch 10 is out, its bitmap not yet reused.
        assert!(near(count(&held, 12 * epoch), 200));
        assert_eq!(count(&held, 13 * epoch), 0);
        // Reusing the bitmap of epoch 10 for epoch 12 clears it first.
        held.record(hashes[0], 12 * epoch + 1, epoch);
        assert!(near(count(&held, 12 * epoch + 2), 200));
        assert_eq!(count(&held, 14 * epoch), 0);
        assert_eq!(Held::new().estimate(0, epoch), HeldEstimate::Count(0));
    }

    #[test]
    fn held_saturates_instead_of_wrapping() {
        let held = Held::new();
        for bit in 0..HELD_BITS as u64 {
            held.record(bit << (64 - HELD_BITS_LOG2), 5, 1);
        }
        assert_eq!(held.estimate(5, 1), HeldEstimate::Saturated);
    }

    fn v4(index: u64) -> SourcePrefix {
        SourcePrefix {
            version: 4,
            bits: 0x0a00_0000 | (index << 8),
        }
    }

    /// Figures for every prefix in `top` bracket the true counts, and
    /// `heavy` is among them.
    fn check_bounds(top: &[TopSource], truth: &HashMap<(u8, u64), u64>) {
        for source in top {
            let real = truth[&(source.prefix.version, source.prefix.bits)];
            assert!(
                source.segments >= real,
                "{}: {} < {real}",
                source.prefix,
                source.segments
            );
            assert!(
                source.segments - source.error <= real,
                "{}: lower bound above {real}",
                source.prefix
            );
        }
        for pair in top.windows(2) {
            assert!(pair[0].segments >= pair[1].segments);
        }
    }

    #[test]
    fn a_tenth_of_the_traffic_is_in_the_top_ten_on_every_cpu_count() {
        let key = [0x1234_5678_9abc_def0, 0x0fed_cba9_8765_4321];
        for cpus in [1usize, 2, 4] {
            let tables: Vec<TopTable> = (0..cpus).map(|_| TopTable::new()).collect();
            let mut truth = HashMap::new();
            let mut state = 77 + cpus as u64;
            let heavy = SourcePrefix {
                version: 6,
                bits: 0x2001_0db8_0000_0007,
            };
            for segment in 0..200_000u64 {
                let prefix = if segment % 10 == 0 {
                    heavy
                } else {
                    v4(random(&mut state) % 5_000)
                };
                *truth.entry((prefix.version, prefix.bits)).or_insert(0) += 1;
                tables[(random(&mut state) % cpus as u64) as usize].record(prefix, key);
            }
            let mut out = [TopSource {
                prefix: heavy,
                segments: 0,
                error: 0,
            }; TOP_SHOWN];
            let shown = top_sources(|cpu| tables.get(cpu), &mut out);
            assert_eq!(shown, TOP_SHOWN);
            check_bounds(&out[..shown], &truth);
            let rank = out[..10].iter().position(|source| source.prefix == heavy);
            assert_eq!(rank, Some(0), "{cpus} CPUs: {:?}", &out[..3]);
            assert!(out[0].error <= out[0].segments / 4);
        }
    }

    #[test]
    fn an_exact_count_has_no_error() {
        let key = [1, 3];
        let table = TopTable::new();
        let mut truth = HashMap::new();
        for (prefix, times) in [(v4(1), 5u64), (v4(2), 3), (v4(3), 1)] {
            truth.insert((4, prefix.bits), times);
            for _ in 0..times {
                table.record(prefix, key);
            }
        }
        let mut out = [TopSource {
            prefix: v4(0),
            segments: 0,
            error: 0,
        }; TOP_SHOWN];
        let shown = top_sources(|cpu| (cpu == 0).then_some(&table), &mut out);
        check_bounds(&out[..shown], &truth);
        // Three prefixes in at most three buckets of four ways: all exact.
        assert_eq!(shown, 3);
        assert_eq!(
            out[0],
            TopSource {
                prefix: v4(1),
                segments: 5,
                error: 0
            }
        );
        assert_eq!(out[2].segments, 1);
    }
}
