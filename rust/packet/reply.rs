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
/// A few bytes rather than zero, as xtables-addons sends. Every later
/// segment gets a zero-window ACK anyway, so this only matters for data the
/// client sends at once, in the same flight as its handshake ACK. What
/// holds a client is not the window but the acknowledgment number: every
/// answer acknowledges exactly the client's `snd_una` (see
/// [`Settings::tarpit_isn`]), which Linux accepts as proof of life whether
/// the client is retransmitting into the closed window or probing it, and
/// the VM runs of `make hold` measure both windows.
pub const TARPIT_SYNACK_WINDOW: u16 = 5;

/// How far past its first byte a segment of a `--tarpit` connection may
/// start and still be taken as the client's, whatever window we offered:
/// a blind spoofer's ACK is answered with probability at most
/// `(TARPIT_SPAN_MAX + 2) / 2^32` (about 2^-21.5; 7 / 2^32 with the default
/// 5-byte window).
pub const TARPIT_SPAN_MAX: u32 = 1460;

/// What the replies depend on besides the segment and the mode.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Settings {
    /// Keyed hash of the segment's connection (of its addresses and ports,
    /// in the module): the same for every segment of it and unpredictable
    /// to anyone without the key, so later segments can be checked against
    /// the SYN-ACK it shaped.
    pub key: u32,
    /// Window of `--tarpit` SYN-ACKs.
    pub tarpit_synack_window: u16,
    /// Answer a segment of an established connection only if it
    /// acknowledges our SYN-ACK: we never send data, so a real peer's
    /// acknowledgment number never moves past it.
    pub validate: bool,
    /// Shape SYN-ACKs like the local TCP stack's (`--mimic`).
    pub mimic: Option<Mimic>,
}

impl Settings {
    /// The defaults, with `key` as the connection's keyed hash and no
    /// validation.
    pub fn with_key(key: u32) -> Settings {
        Settings {
            key,
            tarpit_synack_window: TARPIT_SYNACK_WINDOW,
            validate: false,
            mimic: None,
        }
    }

    /// The sequence number of a `--tarpit` SYN-ACK answering a SYN whose
    /// sequence number (the client's ISN) is `syn_seq`: the key plus the
    /// client's ISN, as a SYN cookie carries a few bits of the SYN into the
    /// handshake. Every later segment of the connection acknowledges it,
    /// so `ack - key` gives back the client's ISN + 1: the client's
    /// `snd_una` for as long as the connection lives, because we never
    /// acknowledge data. Answering a window probe or keepalive (`seq =
    /// snd_una - 1`) with exactly that acknowledgment is what keeps Linux
    /// probing for ever (RFC 1122 4.2.2.17; `tcp_probe_timer()`); an ACK of
    /// the probe's own sequence number is an old ACK it ignores, and it
    /// aborts after `tcp_retries2` probes.
    fn tarpit_isn(&self, syn_seq: u32) -> u32 {
        self.key.wrapping_add(syn_seq)
    }

    /// How far past the client's first byte its segments may start: the
    /// window it was offered (any with `--mimic`), at most
    /// [`TARPIT_SPAN_MAX`].
    fn tarpit_span(&self) -> u32 {
        match self.mimic {
            Some(_) => TARPIT_SPAN_MAX,
            None => u32::from(self.tarpit_synack_window).min(TARPIT_SPAN_MAX),
        }
    }

    /// The client's `snd_una` (its ISN + 1) if `segment`, which carries an
    /// ACK, is one a client of a `--tarpit` SYN-ACK of ours can send: it
    /// starts between one byte before the client's first byte (a window
    /// probe or keepalive) and the span after it.
    fn tarpit_snd_una(&self, segment: &Segment) -> Option<u32> {
        let snd_una = segment.ack.wrapping_sub(self.key);
        let offset = segment.seq.wrapping_sub(snd_una).wrapping_add(1);
        (offset <= self.tarpit_span() + 1).then_some(snd_una)
    }

    /// Whether a segment of a `--honeypot` connection may be answered: it
    /// acknowledges our SYN-ACK exactly (a blind spoofer's chance is 2^-32;
    /// the client's sequence number moves with the data we take, so it says
    /// nothing), or validation is off.
    fn honeypot_accepts(&self, segment: &Segment) -> bool {
        !self.validate
            || (segment.flags.contains(TcpFlags::ACK) && segment.ack == self.key.wrapping_add(1))
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
    /// It answers a segment that acknowledges a `--tarpit` SYN-ACK of
    /// ours: proof that the connection is alive and held (for the
    /// held-connections estimate).
    pub held: bool,
}

impl Reply {
    /// The SYN-ACK answering a SYN with sequence number `isn`, offering
    /// `window` (or, with `--mimic`, what the local stack would offer).
    /// Always inlined into [`decide`] (small, two callers), so that the
    /// reply is built where `decide` returns it rather than copied there.
    #[inline(always)]
    fn syn_ack(segment: &Segment, settings: &Settings, isn: u32, window: u16) -> Reply {
        let mut reply = Reply {
            kind: ReplyKind::SynAck,
            flags: TcpFlags::SYN.with(TcpFlags::ACK),
            seq: isn,
            // The SYN only: data riding on a SYN is not accepted.
            ack: segment.seq.wrapping_add(1),
            window,
            options: TcpOptions::NONE,
            flow_label: 0,
            held: false,
        };
        if let Some(mimic) = &settings.mimic {
            reply.mimic(segment, mimic);
        }
        reply
    }

    /// Gives a SYN-ACK to `segment` the options, window and flow label the
    /// local stack's own would have (`--mimic`, opt-in: out of line).
    #[inline(never)]
    fn mimic(&mut self, segment: &Segment, mimic: &Mimic) {
        (self.options, self.window, self.flow_label) = mimic_synack(segment, mimic);
    }

    /// The ACK of a segment of a connection we accepted, acknowledging up
    /// to `ack` and offering `window`.
    fn ack(segment: &Segment, ack: u32, window: u16, held: bool) -> Reply {
        Reply {
            kind: ReplyKind::Ack,
            flags: TcpFlags::ACK,
            // Exactly what the peer expects from us next.
            seq: segment.ack,
            ack,
            window,
            options: TcpOptions::NONE,
            flow_label: 0,
            held,
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
                held: false,
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
                held: false,
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
                settings.tarpit_isn(segment.seq),
                settings.tarpit_synack_window,
            )),
            // A SYN-ACK we never asked for: someone spoofs our address.
            (true, true) => Ok(Reply::reset(segment)),
            // Acknowledge nothing new, offer nothing: the peer waits.
            (false, true) => match settings.tarpit_snd_una(segment) {
                Some(snd_una) => Ok(Reply::ack(segment, snd_una, 0, true)),
                None if settings.validate => Err(Ignored::FailedValidation),
                // Not from a SYN-ACK of ours (or not decodable): the best
                // guess at what the sender has not had acknowledged.
                None => Ok(Reply::ack(segment, segment.seq, 0, false)),
            },
            (false, false) => Err(Ignored::NoSynNoAck),
        },
        Mode::Honeypot => match (syn, ack) {
            _ if fin && !settings.honeypot_accepts(segment) => Err(Ignored::FailedValidation),
            // Cannot close gracefully without state: be abrupt.
            _ if fin => Ok(Reply::reset(segment)),
            (true, false) => Ok(Reply::syn_ack(
                segment,
                settings,
                settings.key,
                HONEYPOT_WINDOW,
            )),
            (true, true) => Ok(Reply::reset(segment)),
            (false, true) if !settings.honeypot_accepts(segment) => Err(Ignored::FailedValidation),
            // Take the data (so the peer goes on to its next step), send none.
            (false, true) => Ok(Reply::ack(
                segment,
                segment.seq.wrapping_add(segment.payload_len as u32),
                HONEYPOT_WINDOW,
                false,
            )),
            (false, false) => Err(Ignored::NoSynNoAck),
        },
        Mode::Reset => Ok(Reply::reset(segment)),
    }
}
