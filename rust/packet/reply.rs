// SPDX-License-Identifier: GPL-2.0

//! What to answer a segment with, per mode: a [`Reply`]'s TCP fields, or
//! the reason to stay silent. `write.rs` puts a reply on the wire,
//! `mimic.rs` shapes a `--mimic` SYN-ACK.

use super::mimic::{mimic_synack, Mimic, TcpOptions};
use super::segment::{Segment, TcpFlags};
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
    /// The SYN-ACK answering a SYN, offering `window` (or, with
    /// `--mimic`, what the local stack would offer).
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

    /// The ACK of a segment of a connection we accepted, acknowledging up
    /// to `ack` and offering `window`.
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
pub fn decide(mode: Mode, segment: &Segment, settings: &Settings) -> Result<Reply, Ignored> {
    let flags = segment.flags;
    let syn = flags.contains(TcpFlags::SYN);
    let ack = flags.contains(TcpFlags::ACK);
    let fin = flags.contains(TcpFlags::FIN);
    if flags.contains(TcpFlags::RST) {
        return Err(Ignored::Reset);
    }
    // Its answer would be this very segment again, reversed onto itself.
    if segment.is_addressed_to_itself() {
        return Err(Ignored::Loop);
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
