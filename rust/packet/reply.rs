// SPDX-License-Identifier: GPL-2.0

//! What to answer a segment with, per mode, and writing the answer's
//! headers: IPv4 or IPv6, then TCP, no options, no payload.

use super::checksum::{ipv4_header_checksum, tcp_checksum};
use super::segment::{
    Addresses, Segment, TcpFlags, IPV4_HEADER_LEN, IPV6_HEADER_LEN, TCP_HEADER_LEN,
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
}

impl Settings {
    /// The defaults, with `isn` as the SYN-ACK's sequence number and no
    /// validation.
    pub fn with_isn(isn: u32) -> Settings {
        Settings {
            isn,
            tarpit_synack_window: TARPIT_SYNACK_WINDOW,
            validate: false,
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

/// Longest reply [`write_reply`] writes: an IPv6 header and a TCP header.
pub const REPLY_MAX_LEN: usize = IPV6_HEADER_LEN + TCP_HEADER_LEN;

/// IPv4 flags/fragment-offset field with only "don't fragment" set.
const IPV4_DONT_FRAGMENT: u16 = 0x4000;
const IP_PROTOCOL_TCP: u8 = 6;
/// TCP data offset of a header without options, in the high nibble.
const TCP_DATA_OFFSET_NO_OPTIONS: u8 = ((TCP_HEADER_LEN / 4) as u8) << 4;

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
}

impl Reply {
    fn syn_ack(segment: &Segment, isn: u32, window: u16) -> Reply {
        Reply {
            kind: ReplyKind::SynAck,
            flags: TcpFlags::SYN.with(TcpFlags::ACK),
            seq: isn,
            // The SYN only: data riding on a SYN is not accepted.
            ack: segment.seq.wrapping_add(1),
            window,
        }
    }

    fn ack(segment: &Segment, ack: u32, window: u16) -> Reply {
        Reply {
            kind: ReplyKind::Ack,
            flags: TcpFlags::ACK,
            // Exactly what the peer expects from us next.
            seq: segment.ack,
            ack,
            window,
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
            }
        } else {
            Reply {
                kind: ReplyKind::Reset,
                flags: TcpFlags::RST.with(TcpFlags::ACK),
                seq: 0,
                ack: segment.seq.wrapping_add(segment.sequence_length()),
                window: 0,
            }
        }
    }
}

/// Decides the answer to `segment` under `mode`.
pub fn decide(mode: Mode, segment: &Segment, settings: &Settings) -> Result<Reply, Ignored> {
    let isn = settings.isn;
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
            (true, false) => Ok(Reply::syn_ack(segment, isn, settings.tarpit_synack_window)),
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
            (true, false) => Ok(Reply::syn_ack(segment, isn, HONEYPOT_WINDOW)),
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
/// number of bytes written: 40 for IPv4, 60 for IPv6.
pub fn write_reply(
    segment: &Segment,
    reply: &Reply,
    hop_limit: u8,
    out: &mut [u8; REPLY_MAX_LEN],
) -> usize {
    let addresses = segment.addresses.reversed();
    let network_len = match addresses {
        Addresses::V4 {
            source,
            destination,
        } => {
            let header = &mut out[..IPV4_HEADER_LEN];
            header.fill(0);
            header[0] = 0x45;
            header[2..4]
                .copy_from_slice(&((IPV4_HEADER_LEN + TCP_HEADER_LEN) as u16).to_be_bytes());
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
            header[0] = 0x60;
            header[4..6].copy_from_slice(&(TCP_HEADER_LEN as u16).to_be_bytes());
            header[6] = IP_PROTOCOL_TCP;
            header[7] = hop_limit;
            header[8..24].copy_from_slice(&source);
            header[24..40].copy_from_slice(&destination);
            IPV6_HEADER_LEN
        }
    };
    let tcp = &mut out[network_len..network_len + TCP_HEADER_LEN];
    tcp.fill(0);
    tcp[0..2].copy_from_slice(&segment.destination_port.to_be_bytes());
    tcp[2..4].copy_from_slice(&segment.source_port.to_be_bytes());
    tcp[4..8].copy_from_slice(&reply.seq.to_be_bytes());
    tcp[8..12].copy_from_slice(&reply.ack.to_be_bytes());
    tcp[12] = TCP_DATA_OFFSET_NO_OPTIONS;
    tcp[13] = reply.flags.0;
    tcp[14..16].copy_from_slice(&reply.window.to_be_bytes());
    let checksum = tcp_checksum(&addresses, tcp);
    tcp[16..18].copy_from_slice(&checksum.to_be_bytes());
    network_len + TCP_HEADER_LEN
}
