// SPDX-License-Identifier: GPL-2.0

//! `--mimic`: shaping a SYN-ACK like the local TCP stack's own, its
//! options, window and flow label, from what the glue reads off the route
//! and the namespace's sysctls.

use super::segment::{Addresses, Family, Segment};
use super::wire::tcp::{self, option};
use super::wire::{ipv4, ipv6, WORD_LEN};

/// What the local TCP stack would put in its own SYN-ACK, for `--mimic`:
/// the glue reads it from the packet's route and the namespace's sysctls.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Mimic {
    /// The MSS the stack advertises on this route (`dst_metric_advmss`).
    pub advmss: u16,
    /// The receive space a new connection starts with: what the stack
    /// rounds down to a multiple of the MSS for the SYN-ACK's window.
    pub receive_space: u32,
    /// The largest receive buffer a connection may grow to (the larger of
    /// `tcp_rmem[2]` and `rmem_max`), which sets the window scale.
    pub receive_space_max: u32,
    /// Our timestamp value (a per-connection offset plus a millisecond
    /// clock, as Linux does).
    pub timestamp: u32,
    /// IPv6 flow label (20 bits; Linux sets one on every SYN-ACK).
    pub flow_label: u32,
}

/// The MTU assumed when the route's is unknown: Ethernet's.
const ETHERNET_MTU: u32 = 1500;
/// The smallest MSS Linux advertises over IPv4 (`ip_rt_min_advmss`).
const IPV4_MIN_ADVMSS: u32 = 256;
/// The smallest MSS Linux advertises over IPv6 (`ip6_rt_min_advmss`).
const IPV6_MIN_ADVMSS: u32 = 1220;
/// The largest IPv4 packet and IPv6 payload without jumbograms
/// (`IPV4_MAX_PMTU`, `IPV6_MAXPLEN`).
const IP_MAX_LEN: u32 = 65535;

/// The MSS Linux advertises on a route whose MTU is `mtu`, without a
/// route metric of its own (ipv4_default_advmss(), ip6_default_advmss(),
/// with the default minimums `ip_rt_min_advmss` 256 and
/// `ip6_rt_min_advmss` 1220). An unknown MTU (0) gives Ethernet's.
pub fn advmss_for_mtu(family: Family, mtu: u32) -> u16 {
    const TCP_HEADER_LEN: u32 = tcp::HEADER_LEN as u32;
    const IPV4_HEADERS_LEN: u32 = ipv4::HEADER_LEN as u32 + TCP_HEADER_LEN;
    const IPV6_HEADERS_LEN: u32 = ipv6::HEADER_LEN as u32 + TCP_HEADER_LEN;
    let mtu = if mtu == 0 { ETHERNET_MTU } else { mtu };
    match family {
        Family::Ipv4 => mtu
            .saturating_sub(IPV4_HEADERS_LEN)
            .clamp(IPV4_MIN_ADVMSS, IP_MAX_LEN - IPV4_HEADERS_LEN) as u16,
        Family::Ipv6 => {
            let mss = mtu.saturating_sub(IPV6_HEADERS_LEN).max(IPV6_MIN_ADVMSS);
            // Past the largest non-jumbo payload: "any MSS".
            if mss > IP_MAX_LEN - TCP_HEADER_LEN {
                u16::MAX
            } else {
                mss as u16
            }
        }
    }
}

/// Bytes an option of `length` takes with the NOPs that align it (or the
/// option packed in their place) as Linux lays out a SYN-ACK.
const fn aligned(length: u8) -> usize {
    (length as usize).next_multiple_of(WORD_LEN)
}

/// Bytes of the MSS option.
const MSS_SPACE: usize = aligned(option::MSS_LEN);
/// Bytes of SACK permitted alone, behind two NOPs.
const SACK_PERMITTED_SPACE: usize = aligned(option::SACK_PERMITTED_LEN);
/// Bytes of the timestamp option behind two NOPs or the SACK permitted
/// option: what it takes off the MSS for the window, too.
const TIMESTAMP_SPACE: usize = aligned(option::TIMESTAMP_LEN);
/// Bytes of the window scale option behind a NOP.
const WINDOW_SCALE_SPACE: usize = aligned(option::WINDOW_SCALE_LEN);
/// Largest window scale shift (RFC 7323).
const WINDOW_SCALE_MAX: u32 = 14;

impl Mimic {
    /// The stack's SYN-ACK window when `timestamps` are on: the receive
    /// space rounded down to a multiple of the MSS left for data, capped to
    /// what the field holds (tcp_select_initial_window()).
    fn window(&self, timestamps: bool) -> u16 {
        let mss = u32::from(self.advmss.saturating_sub(if timestamps {
            TIMESTAMP_SPACE as u16
        } else {
            0
        }));
        let space = self.receive_space;
        let rounded = if mss != 0 && space > mss {
            space - space % mss
        } else {
            space
        };
        rounded.min(u32::from(u16::MAX)) as u16
    }

    /// The stack's window scale shift: enough for the largest receive
    /// buffer, at most 14.
    fn window_scale(&self, window: u16) -> u8 {
        let space = self
            .receive_space_max
            .max(u32::from(window))
            .min(u32::from(u16::MAX) << WINDOW_SCALE_MAX);
        let log2 = 31u32.saturating_sub(space.leading_zeros());
        log2.saturating_sub(15).min(WINDOW_SCALE_MAX) as u8
    }
}

/// TCP options of a reply, as written on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TcpOptions {
    bytes: [u8; tcp::OPTIONS_MAX],
    length: usize,
}

impl TcpOptions {
    /// No options.
    pub const NONE: TcpOptions = TcpOptions {
        bytes: [0; tcp::OPTIONS_MAX],
        length: 0,
    };

    /// The option bytes (a multiple of four).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.length]
    }

    fn push(&mut self, bytes: &[u8]) {
        self.bytes[self.length..self.length + bytes.len()].copy_from_slice(bytes);
        self.length += bytes.len();
    }
}

/// Which options a mimicking SYN-ACK carries.
#[derive(Clone, Copy)]
struct OptionSet {
    mss: bool,
    sack: bool,
    timestamps: bool,
    window_scale: bool,
}

impl OptionSet {
    fn length(self) -> usize {
        let mut length = 0;
        if self.mss {
            length += MSS_SPACE;
        }
        if self.timestamps {
            length += TIMESTAMP_SPACE;
        } else if self.sack {
            length += SACK_PERMITTED_SPACE;
        }
        if self.window_scale {
            length += WINDOW_SCALE_SPACE;
        }
        length
    }

    /// Drops the option Linux would miss least, to shorten the reply.
    fn without_one(self) -> Option<OptionSet> {
        let mut set = self;
        if set.window_scale {
            set.window_scale = false;
        } else if set.sack {
            set.sack = false;
        } else if set.timestamps {
            set.timestamps = false;
        } else if set.mss {
            set.mss = false;
        } else {
            return None;
        }
        Some(set)
    }
}

/// The options, window and flow label of a SYN-ACK that mimics the local
/// stack's answer to `segment`: the options Linux sends in the order it
/// writes them (MSS; SACK permitted and timestamps packed together; NOP and
/// window scale), each only when the SYN offered it, as long as the reply
/// stays no longer than the SYN.
pub(super) fn mimic_synack(segment: &Segment, mimic: &Mimic) -> (TcpOptions, u16, u32) {
    let offered = segment.syn_options;
    let set = option_set(segment);
    let window = mimic.window(set.timestamps);
    let mut options = TcpOptions::NONE;
    if set.mss {
        let [mss_high, mss_low] = mimic.advmss.to_be_bytes();
        options.push(&[option::MSS, option::MSS_LEN, mss_high, mss_low]);
    }
    if set.timestamps {
        if set.sack {
            options.push(&[option::SACK_PERMITTED, option::SACK_PERMITTED_LEN]);
        } else {
            options.push(&[option::NOP, option::NOP]);
        }
        options.push(&[option::TIMESTAMP, option::TIMESTAMP_LEN]);
        options.push(&mimic.timestamp.to_be_bytes());
        options.push(&offered.timestamp.unwrap_or(0).to_be_bytes());
    } else if set.sack {
        options.push(&[
            option::NOP,
            option::NOP,
            option::SACK_PERMITTED,
            option::SACK_PERMITTED_LEN,
        ]);
    }
    if set.window_scale {
        options.push(&[
            option::NOP,
            option::WINDOW_SCALE,
            option::WINDOW_SCALE_LEN,
            mimic.window_scale(window),
        ]);
    }
    let flow_label = (mimic.flow_label & ipv6::FLOW_LABEL_MASK).max(1);
    (options, window, flow_label)
}

/// The options a mimicking SYN-ACK to `segment` carries: those the SYN
/// offered (and MSS), less the ones Linux misses least until the reply is
/// no longer than the SYN.
fn option_set(segment: &Segment) -> OptionSet {
    let network_len = match segment.addresses {
        Addresses::V4 { .. } => ipv4::HEADER_LEN,
        Addresses::V6 { .. } => ipv6::HEADER_LEN,
    };
    let offered = segment.syn_options;
    let mut set = OptionSet {
        mss: true,
        sack: offered.sack_permitted,
        timestamps: offered.timestamp.is_some(),
        window_scale: offered.window_scale.is_some(),
    };
    while network_len + tcp::HEADER_LEN + set.length() > segment.length {
        match set.without_one() {
            Some(shorter) => set = shorter,
            None => break,
        }
    }
    set
}

/// Whether a `--mimic` SYN-ACK to `segment` carries a timestamp option,
/// and so needs [`Mimic::timestamp`] (the glue reads the clock only then).
pub fn mimic_sends_timestamp(segment: &Segment) -> bool {
    option_set(segment).timestamps
}
