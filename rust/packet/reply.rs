// SPDX-License-Identifier: GPL-2.0

//! What to answer a segment with, per mode, and writing the answer's
//! headers: IPv4 or IPv6, then TCP, no options, no payload.

use super::checksum::{ipv4_header_checksum, tcp_checksum};
use super::segment::{
    Addresses, Family, Segment, TcpFlags, IPV4_HEADER_LEN, IPV6_HEADER_LEN, TCP_HEADER_LEN,
    TCP_OPTIONS_MAX,
};
use super::{Ignored, Mode};

/// Default window of the SYN-ACK in `--tarpit` mode (module parameter
/// `synack_window`).
///
/// A few bytes rather than zero. Every later segment gets a zero-window
/// ACK anyway, so this only matters for data the client sends at once,
/// in the same flight as its handshake ACK (bots sending their request
/// straight away). With a closed window that data cannot leave: the client
/// goes to zero-window probing (`seq = snd_una - 1`), and our stateless
/// answer, which acknowledges the probe's own sequence number, is an *old*
/// ACK that Linux ignores, so it gives up after `tcp_retries2` probes
/// (about a quarter of an hour). With a few bytes open those bytes leave;
/// our answer acknowledges exactly `snd_una`, which Linux accepts as proof
/// of life, and it keeps retransmitting into the closed window for as long
/// as we answer. 5 is also what xtables-addons sends. The VM tests show a
/// real client held in persist after the zero-window ACK
/// (tests/vm/suite.sh); `make bench` measures the hold times.
pub const TARPIT_SYNACK_WINDOW: u16 = 5;

/// What the replies depend on besides the segment and the mode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Settings {
    /// Initial sequence number of the SYN-ACK for this segment's
    /// connection: the same for every segment of it (a keyed hash of its
    /// tuple, in the module), so later segments can be checked against it.
    pub isn: u32,
    /// Window of `--tarpit` SYN-ACKs.
    pub tarpit_synack_window: u16,
    /// Answer a segment of an established connection only if it
    /// acknowledges exactly our SYN-ACK (`ack == isn + 1`): we never send
    /// data, so a real peer's acknowledgment number never moves past it,
    /// and a blind spoofer has one chance in 2^32 to hit it.
    pub validate: bool,
    /// Shape SYN-ACKs like the local TCP stack's (`--mimic`).
    pub mimic: Option<Mimic>,
}

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

/// The MSS Linux advertises on a route whose MTU is `mtu`, without a
/// route metric of its own (ipv4_default_advmss(), ip6_default_advmss(),
/// with the default minimums `ip_rt_min_advmss` 256 and
/// `ip6_rt_min_advmss` 1220). An unknown MTU (0) gives Ethernet's.
#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast3")]
pub fn advmss_for_mtu(family: Family, mtu: u32) -> u16 {
    let mtu = if mtu == 0 { 1500 } else { mtu };
    match family {
        Family::Ipv4 => mtu.saturating_sub(40).clamp(256, 65535 - 40) as u16,
        Family::Ipv6 => {
            let mss = mtu.saturating_sub(60).max(1220);
            // Past the largest non-jumbo payload: "any MSS".
            if mss > 65535 - 20 {
                u16::MAX
            } else {
                mss as u16
            }
        }
    }
}

/// Bytes of the timestamp option as Linux aligns it (two NOPs or the SACK
/// permitted option in front): what it takes off the MSS for the window.
const TIMESTAMP_ALIGNED_LEN: u16 = 12;
/// Largest window scale shift (RFC 7323).
const WINDOW_SCALE_MAX: u32 = 14;

impl Mimic {
    /// The stack's SYN-ACK window when `timestamps` are on: the receive
    /// space rounded down to a multiple of the MSS left for data, capped to
    /// what the field holds (tcp_select_initial_window()).
    fn window(&self, timestamps: bool) -> u16 {
        let mss = u32::from(self.advmss.saturating_sub(if timestamps {
            TIMESTAMP_ALIGNED_LEN
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
    bytes: [u8; TCP_OPTIONS_MAX],
    length: usize,
}

impl TcpOptions {
    /// No options.
    pub const NONE: TcpOptions = TcpOptions {
        bytes: [0; TCP_OPTIONS_MAX],
        length: 0,
    };

    /// The option bytes (a multiple of four).
    #[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast3")]
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
            length += 4;
        }
        if self.timestamps {
            length += 12;
        } else if self.sack {
            length += 4;
        }
        if self.window_scale {
            length += 4;
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
#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast3")]
fn mimic_synack(segment: &Segment, mimic: &Mimic) -> (TcpOptions, u16, u32) {
    let offered = segment.syn_options;
    let set = option_set(segment);
    let window = mimic.window(set.timestamps);
    let mut options = TcpOptions::NONE;
    if set.mss {
        let mss = mimic.advmss.to_be_bytes();
        options.push(&[2, 4, mss[0], mss[1]]);
    }
    if set.timestamps {
        if set.sack {
            options.push(&[4, 2]);
        } else {
            options.push(&[1, 1]);
        }
        options.push(&[8, 10]);
        options.push(&mimic.timestamp.to_be_bytes());
        options.push(&offered.timestamp.unwrap_or(0).to_be_bytes());
    } else if set.sack {
        options.push(&[1, 1, 4, 2]);
    }
    if set.window_scale {
        options.push(&[1, 3, 3, mimic.window_scale(window)]);
    }
    let flow_label = (mimic.flow_label & 0x000f_ffff).max(1);
    (options, window, flow_label)
}

/// The options a mimicking SYN-ACK to `segment` carries: those the SYN
/// offered (and MSS), less the ones Linux misses least until the reply is
/// no longer than the SYN.
#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast3")]
fn option_set(segment: &Segment) -> OptionSet {
    let network_len = match segment.addresses {
        Addresses::V4 { .. } => IPV4_HEADER_LEN,
        Addresses::V6 { .. } => IPV6_HEADER_LEN,
    };
    let offered = segment.syn_options;
    let mut set = OptionSet {
        mss: true,
        sack: offered.sack_permitted,
        timestamps: offered.timestamp.is_some(),
        window_scale: offered.window_scale.is_some(),
    };
    while network_len + TCP_HEADER_LEN + set.length() > segment.length {
        match set.without_one() {
            Some(shorter) => set = shorter,
            None => break,
        }
    }
    set
}

/// Whether a `--mimic` SYN-ACK to `segment` carries a timestamp option,
/// and so needs [`Mimic::timestamp`] (the glue reads the clock only then).
#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast3")]
pub fn mimic_sends_timestamp(segment: &Segment) -> bool {
    option_set(segment).timestamps
}

impl Settings {
    /// The defaults, with `isn` as the SYN-ACK's sequence number and no
    /// validation.
    pub fn with_isn(isn: u32) -> Settings {
        Settings {
            isn,
            tarpit_synack_window: TARPIT_SYNACK_WINDOW,
            validate: false,
            mimic: None,
        }
    }

    /// Whether `segment` may be answered as part of a connection we
    /// accepted: it acknowledges our SYN-ACK, or validation is off.
    fn accepts(&self, segment: &Segment) -> bool {
        !self.validate
            || (segment.flags.contains(TcpFlags::ACK) && segment.ack == self.isn.wrapping_add(1))
    }
}

/// Window advertised in `--honeypot` mode: what Linux offers on Ethernet
/// (44 segments of 1460 bytes), so the peer sends its first data.
pub const HONEYPOT_WINDOW: u16 = 64240;

/// Longest reply [`write_reply`] writes: an IPv6 header and a TCP header
/// with options.
pub const REPLY_MAX_LEN: usize = IPV6_HEADER_LEN + TCP_HEADER_LEN + TCP_OPTIONS_MAX;

/// IPv4 flags/fragment-offset field with only "don't fragment" set.
const IPV4_DONT_FRAGMENT: u16 = 0x4000;
const IP_PROTOCOL_TCP: u8 = 6;

/// The kind of a reply, for counters.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReplyKind {
    /// SYN-ACK answering a SYN.
    SynAck,
    /// ACK answering a segment of an established connection.
    Ack,
    /// RST.
    Reset,
}

/// The TCP fields of a reply.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Reply {
    /// What the reply is.
    pub kind: ReplyKind,
    /// TCP flags.
    pub flags: TcpFlags,
    /// Sequence number.
    pub seq: u32,
    /// Acknowledgment number (zero unless `flags` has ACK).
    pub ack: u32,
    /// Advertised window.
    pub window: u16,
    /// TCP options (only a `--mimic` SYN-ACK has any).
    pub options: TcpOptions,
    /// IPv6 flow label (zero unless `--mimic`).
    pub flow_label: u32,
}

impl Reply {
    #[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast3")]
    fn syn_ack(segment: &Segment, settings: &Settings, window: u16) -> Reply {
        let mut reply = Reply {
            kind: ReplyKind::SynAck,
            flags: TcpFlags::SYN.with(TcpFlags::ACK),
            seq: settings.isn,
            // The SYN only: data riding on a SYN is not accepted.
            ack: segment.seq.wrapping_add(1),
            window,
            options: TcpOptions::NONE,
            flow_label: 0,
        };
        if let Some(mimic) = &settings.mimic {
            (reply.options, reply.window, reply.flow_label) = mimic_synack(segment, mimic);
        }
        reply
    }

    fn ack(segment: &Segment, ack: u32, window: u16) -> Reply {
        Reply {
            kind: ReplyKind::Ack,
            flags: TcpFlags::ACK,
            // Exactly what the peer expects from us next.
            seq: segment.ack,
            ack,
            window,
            options: TcpOptions::NONE,
            flow_label: 0,
        }
    }

    /// A reset the peer accepts, built the RFC 9293 (3.10.7.1) way: if the
    /// segment carries an ACK, the reset takes its sequence number from it;
    /// otherwise the reset acknowledges the whole segment.
    fn reset(segment: &Segment) -> Reply {
        if segment.flags.contains(TcpFlags::ACK) {
            Reply {
                kind: ReplyKind::Reset,
                flags: TcpFlags::RST,
                seq: segment.ack,
                ack: 0,
                window: 0,
                options: TcpOptions::NONE,
                flow_label: 0,
            }
        } else {
            Reply {
                kind: ReplyKind::Reset,
                flags: TcpFlags::RST.with(TcpFlags::ACK),
                seq: 0,
                ack: segment.seq.wrapping_add(segment.sequence_length()),
                window: 0,
                options: TcpOptions::NONE,
                flow_label: 0,
            }
        }
    }
}

/// Decides the answer to `segment` under `mode`.
#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast3")]
pub fn decide(mode: Mode, segment: &Segment, settings: &Settings) -> Result<Reply, Ignored> {
    let flags = segment.flags;
    let syn = flags.contains(TcpFlags::SYN);
    let ack = flags.contains(TcpFlags::ACK);
    let fin = flags.contains(TcpFlags::FIN);
    if flags.contains(TcpFlags::RST) {
        return Err(Ignored::Reset);
    }
    if syn && fin {
        return Err(Ignored::SynFin);
    }
    match mode {
        Mode::Tarpit => match (syn, ack) {
            _ if fin => Err(Ignored::Fin),
            (true, false) => Ok(Reply::syn_ack(
                segment,
                settings,
                settings.tarpit_synack_window,
            )),
            // A SYN-ACK we never asked for: someone spoofs our address.
            (true, true) => Ok(Reply::reset(segment)),
            (false, true) if !settings.accepts(segment) => Err(Ignored::FailedValidation),
            // Acknowledge nothing new, offer nothing: the peer waits.
            (false, true) => Ok(Reply::ack(segment, segment.seq, 0)),
            (false, false) => Err(Ignored::NoSynNoAck),
        },
        Mode::Honeypot => match (syn, ack) {
            _ if fin && !settings.accepts(segment) => Err(Ignored::FailedValidation),
            // Cannot close gracefully without state: be abrupt.
            _ if fin => Ok(Reply::reset(segment)),
            (true, false) => Ok(Reply::syn_ack(segment, settings, HONEYPOT_WINDOW)),
            (true, true) => Ok(Reply::reset(segment)),
            (false, true) if !settings.accepts(segment) => Err(Ignored::FailedValidation),
            // Take the data (so the peer goes on to its next step), send none.
            (false, true) => Ok(Reply::ack(
                segment,
                segment.seq.wrapping_add(segment.payload_len as u32),
                HONEYPOT_WINDOW,
            )),
            (false, false) => Err(Ignored::NoSynNoAck),
        },
        Mode::Reset => Ok(Reply::reset(segment)),
    }
}

/// Writes the reply to `segment` (network and TCP headers, checksums
/// included) into `out`, with `hop_limit` as TTL / hop limit. Returns the
/// number of bytes written: 40 for IPv4, 60 for IPv6, plus the options.
#[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast4")]
pub fn write_reply(
    segment: &Segment,
    reply: &Reply,
    hop_limit: u8,
    out: &mut [u8; REPLY_MAX_LEN],
) -> usize {
    let addresses = segment.addresses.reversed();
    let tcp_len = TCP_HEADER_LEN + reply.options.as_bytes().len();
    let network_len = match addresses {
        Addresses::V4 {
            source,
            destination,
        } => {
            let header = &mut out[..IPV4_HEADER_LEN];
            header.fill(0);
            header[0] = 0x45;
            header[2..4].copy_from_slice(&((IPV4_HEADER_LEN + tcp_len) as u16).to_be_bytes());
            header[6..8].copy_from_slice(&IPV4_DONT_FRAGMENT.to_be_bytes());
            header[8] = hop_limit;
            header[9] = IP_PROTOCOL_TCP;
            header[12..16].copy_from_slice(&source);
            header[16..20].copy_from_slice(&destination);
            let checksum = ipv4_header_checksum(header);
            header[10..12].copy_from_slice(&checksum.to_be_bytes());
            IPV4_HEADER_LEN
        }
        Addresses::V6 {
            source,
            destination,
        } => {
            let header = &mut out[..IPV6_HEADER_LEN];
            header.fill(0);
            header[0..4]
                .copy_from_slice(&(0x6000_0000 | (reply.flow_label & 0x000f_ffff)).to_be_bytes());
            header[4..6].copy_from_slice(&(tcp_len as u16).to_be_bytes());
            header[6] = IP_PROTOCOL_TCP;
            header[7] = hop_limit;
            header[8..24].copy_from_slice(&source);
            header[24..40].copy_from_slice(&destination);
            IPV6_HEADER_LEN
        }
    };
    let tcp = &mut out[network_len..network_len + tcp_len];
    // Every byte is written below (checksum and urgent pointer as zero
    // first), so no fill of a variable length (a memset call) is needed.
    tcp[0..2].copy_from_slice(&segment.destination_port.to_be_bytes());
    tcp[2..4].copy_from_slice(&segment.source_port.to_be_bytes());
    tcp[4..8].copy_from_slice(&reply.seq.to_be_bytes());
    tcp[8..12].copy_from_slice(&reply.ack.to_be_bytes());
    tcp[12] = ((tcp_len / 4) as u8) << 4;
    tcp[13] = reply.flags.0;
    tcp[14..16].copy_from_slice(&reply.window.to_be_bytes());
    tcp[16..20].fill(0);
    let options = reply.options.as_bytes();
    if !options.is_empty() {
        tcp[TCP_HEADER_LEN..].copy_from_slice(options);
    }
    let checksum = tcp_checksum(&addresses, tcp);
    tcp[16..18].copy_from_slice(&checksum.to_be_bytes());
    network_len + tcp_len
}
