// SPDX-License-Identifier: GPL-2.0

//! The Internet checksum (RFC 1071) and the TCP pseudo-headers (RFC 9293
//! for IPv4, RFC 8200 section 8.1 for IPv6).

use super::segment::Addresses;
use super::wire::IPPROTO_TCP;

/// A running ones' complement sum of 16-bit big-endian words.
#[derive(Clone, Copy, Default, Debug)]
pub struct Checksum {
    sum: u64,
}

impl Checksum {
    /// An empty sum.
    pub fn new() -> Self {
        Checksum { sum: 0 }
    }

    /// Adds `bytes` as big-endian 16-bit words, padding an odd last byte
    /// with zero. Only the last chunk added may have an odd length.
    ///
    /// The words are added in pairs, as 32-bit numbers: folding gives the
    /// same ones' complement sum (RFC 1071, section 2(C)) in half the
    /// steps. No overflow either way: a u64 holds the sum of 2^32 such
    /// numbers, far more than a packet has.
    pub fn add_bytes(&mut self, bytes: &[u8]) {
        let mut pairs = bytes.chunks_exact(4);
        for pair in &mut pairs {
            let value = u32::from_be_bytes([pair[0], pair[1], pair[2], pair[3]]);
            self.sum = self.sum.wrapping_add(u64::from(value));
        }
        let last = match *pairs.remainder() {
            [a, b, c] => u32::from_be_bytes([a, b, c, 0]),
            [a, b] => u32::from_be_bytes([0, 0, a, b]),
            [a] => u32::from_be_bytes([0, 0, a, 0]),
            _ => 0,
        };
        self.sum = self.sum.wrapping_add(u64::from(last));
    }

    /// Adds one 16-bit word.
    pub fn add_u16(&mut self, word: u16) {
        self.sum = self.sum.wrapping_add(u64::from(word));
    }

    /// Folds the sum to 16 bits and complements it: the value to store in
    /// a checksum field, or zero when verifying data that includes one.
    pub fn finish(self) -> u16 {
        let mut sum = self.sum;
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        !(sum as u16)
    }
}

/// Checksum of an IPv4 header (its checksum field included as it is).
pub fn ipv4_header_checksum(header: &[u8]) -> u16 {
    let mut sum = Checksum::new();
    sum.add_bytes(header);
    sum.finish()
}

/// TCP checksum of `tcp` (header and payload, checksum field included as
/// it is) with the pseudo-header for `addresses`. Storing the result in a
/// zeroed checksum field makes the segment verify; verifying a segment
/// gives zero when its checksum is right.
pub fn tcp_checksum(addresses: &Addresses, tcp: &[u8]) -> u16 {
    let mut sum = Checksum::new();
    match addresses {
        Addresses::V4 {
            source,
            destination,
        } => {
            sum.add_bytes(source);
            sum.add_bytes(destination);
            sum.add_u16(u16::from(IPPROTO_TCP));
            sum.add_u16(tcp.len() as u16);
        }
        Addresses::V6 {
            source,
            destination,
        } => {
            sum.add_bytes(source);
            sum.add_bytes(destination);
            let length = tcp.len() as u32;
            sum.add_u16((length >> 16) as u16);
            sum.add_u16(length as u16);
            sum.add_u16(u16::from(IPPROTO_TCP));
        }
    }
    sum.add_bytes(tcp);
    sum.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example_sum() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
        let mut sum = Checksum::new();
        sum.add_bytes(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
        assert_eq!(sum.finish(), !0xddf2);
    }

    #[test]
    fn pairs_of_words_sum_like_single_words() {
        // The reference: RFC 1071's loop, one 16-bit word at a time.
        fn reference(bytes: &[u8]) -> u16 {
            let mut sum: u64 = 0;
            for word in bytes.chunks(2) {
                let low = if word.len() == 2 { word[1] } else { 0 };
                sum += u64::from(u16::from_be_bytes([word[0], low]));
            }
            while sum > 0xffff {
                sum = (sum & 0xffff) + (sum >> 16);
            }
            !(sum as u16)
        }
        let mut state = 0x2545_f491_u32;
        let mut data = [0u8; 200];
        for byte in data.iter_mut() {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            *byte = state as u8;
        }
        for length in 0..data.len() {
            for bytes in [&data[..length], &[0xff; 200][..length]] {
                let mut sum = Checksum::new();
                sum.add_bytes(bytes);
                assert_eq!(sum.finish(), reference(bytes), "{length} bytes");
            }
        }
    }

    #[test]
    fn odd_length_is_zero_padded() {
        let mut odd = Checksum::new();
        odd.add_bytes(&[0x12, 0x34, 0x56]);
        let mut padded = Checksum::new();
        padded.add_bytes(&[0x12, 0x34, 0x56, 0x00]);
        assert_eq!(odd.finish(), padded.finish());
    }

    #[test]
    fn published_ipv4_header_checksum() {
        // The worked example of the IPv4 header checksum article on
        // Wikipedia: 192.168.0.1 -> 192.168.0.199, UDP, checksum b861.
        let header = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(ipv4_header_checksum(&header), 0xb861);
        let mut with_checksum = header;
        with_checksum[10..12].copy_from_slice(&0xb861u16.to_be_bytes());
        assert_eq!(ipv4_header_checksum(&with_checksum), 0);
    }
}
