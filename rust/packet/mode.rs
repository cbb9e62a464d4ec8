// SPDX-License-Identifier: GPL-2.0

//! The target's modes and their encoding in the rule's target data.

/// How the target answers, from the rule's `struct xt_tarpit_tginfo`
/// (`uint8_t variant`), the layout shared with xtables-addons.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// `--tarpit` (variant 0): hold the connection with a closed window.
    Tarpit,
    /// `--honeypot` (variant 1): complete the handshake, never send data.
    Honeypot,
    /// `--reset` (variant 2): answer with a reset.
    Reset,
}

/// Bytes of target data in a revision 0 rule.
pub const TARGET_DATA_SIZE: usize = 1;

impl Mode {
    /// Decodes the rule's variant byte; `None` for values no revision 0
    /// userspace writes.
    pub fn from_variant(variant: u8) -> Option<Mode> {
        match variant {
            0 => Some(Mode::Tarpit),
            1 => Some(Mode::Honeypot),
            2 => Some(Mode::Reset),
            _ => None,
        }
    }

    /// Decodes the rule's target data.
    #[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
    pub fn from_target_data(data: &[u8]) -> Option<Mode> {
        data.first().copied().and_then(Mode::from_variant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_match_xtables_addons() {
        assert_eq!(Mode::from_variant(0), Some(Mode::Tarpit));
        assert_eq!(Mode::from_variant(1), Some(Mode::Honeypot));
        assert_eq!(Mode::from_variant(2), Some(Mode::Reset));
    }

    #[test]
    fn unknown_variant_is_refused() {
        for variant in 3..=u8::MAX {
            assert_eq!(Mode::from_variant(variant), None);
        }
        assert_eq!(Mode::from_target_data(&[]), None);
    }
}
