// SPDX-License-Identifier: GPL-2.0

//! Why a segment gets no answer: every silent drop has one named reason.

/// A reason to drop a segment without answering it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ignored {
    /// Headers cut short: less data than the headers claim or need.
    Truncated,
    /// Headers that cannot be right (wrong version, lengths too small).
    Malformed,
    /// A fragment (first or not): the TCP header cannot be trusted whole.
    Fragment,
    /// IPv4 header with options.
    IpOptions,
    /// IPv6 extension headers before TCP.
    ExtensionHeader,
    /// Not TCP after all.
    NotTcp,
    /// Not addressed to this host as unicast, or from a non-unicast source.
    NotUnicast,
    /// TCP checksum wrong.
    BadChecksum,
    /// RST: never answered, to avoid reset wars.
    Reset,
    /// FIN in `--tarpit` mode: the peer must time out on its own.
    Fin,
    /// Neither SYN nor ACK (null scans, lone FIN/PSH/URG probes).
    NoSynNoAck,
    /// SYN together with FIN: no real stack sends that.
    SynFin,
    /// An acknowledgment number that does not fit the SYN-ACK we would
    /// have sent: a blind spoofer (or a reflection attempt), not a peer.
    FailedValidation,
    /// Over the rule's reply budget (`--limit`, `--limit-global`).
    RateLimited,
    /// The answer would come back to the rule: a segment sent from one of
    /// this host's own addresses from outside (spoofed; the glue sees it
    /// when the reply's route is a local one), or one whose two ends are
    /// the same address and port.
    Loop,
}

impl Ignored {
    /// All reasons, in counter order.
    pub const ALL: [Ignored; 15] = [
        Ignored::Truncated,
        Ignored::Malformed,
        Ignored::Fragment,
        Ignored::IpOptions,
        Ignored::ExtensionHeader,
        Ignored::NotTcp,
        Ignored::NotUnicast,
        Ignored::BadChecksum,
        Ignored::Reset,
        Ignored::Fin,
        Ignored::NoSynNoAck,
        Ignored::SynFin,
        Ignored::FailedValidation,
        Ignored::RateLimited,
        Ignored::Loop,
    ];

    /// Short name for counters and logs.
    pub fn name(self) -> &'static str {
        match self {
            Ignored::Truncated => "truncated",
            Ignored::Malformed => "malformed",
            Ignored::Fragment => "fragment",
            Ignored::IpOptions => "ip_options",
            Ignored::ExtensionHeader => "extension_header",
            Ignored::NotTcp => "not_tcp",
            Ignored::NotUnicast => "not_unicast",
            Ignored::BadChecksum => "bad_checksum",
            Ignored::Reset => "rst",
            Ignored::Fin => "fin",
            Ignored::NoSynNoAck => "no_syn_no_ack",
            Ignored::SynFin => "syn_fin",
            Ignored::FailedValidation => "failed_validation",
            Ignored::RateLimited => "rate_limited",
            Ignored::Loop => "loop",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_reason_in_declaration_order() {
        for (index, reason) in Ignored::ALL.iter().enumerate() {
            assert_eq!(*reason as usize, index, "{}", reason.name());
        }
    }
}
