// SPDX-License-Identifier: GPL-2.0

//! The Internet checksum (RFC 1071) and the TCP pseudo-headers (RFC 9293
//! for IPv4, RFC 8200 section 8.1 for IPv6).

use super::segment::Addresses;

/// IP protocol number of TCP, as it appears in the pseudo-header.
const PROTOCOL_TCP: u8 = 6;

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
    pub fn add_bytes(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(2);
        for word in &mut words {
            self.sum += u64::from(u16::from_be_bytes([word[0], word[1]]));
        }
        if let [last] = words.remainder() {
            self.sum += u64::from(u16::from_be_bytes([*last, 0]));
        }
    }

    /// Adds one 16-bit word.
    pub fn add_u16(&mut self, word: u16) {
        self.sum += u64::from(word);
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
            sum.add_u16(u16::from(PROTOCOL_TCP));
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
            sum.add_u16(u16::from(PROTOCOL_TCP));
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
