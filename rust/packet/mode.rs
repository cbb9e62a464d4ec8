// SPDX-License-Identifier: GPL-2.0

//! The target's modes and their encoding in the rule's target data.

use super::rule::abi;
use core::ffi::c_uint;

/// How the target answers, from the rule's `variant` (`enum
/// xt_tarpit_variant`, the values shared with xtables-addons).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// `--tarpit` (variant 0): hold the connection with a closed window.
    Tarpit,
    /// `--honeypot` (variant 1): complete the handshake, never send data.
    Honeypot,
    /// `--reset` (variant 2): answer with a reset.
    Reset,
}

impl Mode {
    /// Decodes the rule's variant byte; `None` for values no userspace
    /// writes.
    pub fn from_variant(variant: u8) -> Option<Mode> {
        match c_uint::from(variant) {
            abi::XTTARPIT_TARPIT => Some(Mode::Tarpit),
            abi::XTTARPIT_HONEYPOT => Some(Mode::Honeypot),
            abi::XTTARPIT_RESET => Some(Mode::Reset),
            _ => None,
        }
    }

    /// Decodes the variant byte of a rule [`Mode::from_variant`] accepted
    /// (on the fast path, without checking it again).
    pub fn from_accepted_variant(variant: u8) -> Mode {
        Mode::from_variant(variant).unwrap_or(Mode::Tarpit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_match_xtables_addons() {
        // xtables-addons' enum xt_tarpit_target_variant: 0, 1, 2.
        assert_eq!(Mode::from_variant(0), Some(Mode::Tarpit));
        assert_eq!(Mode::from_variant(1), Some(Mode::Honeypot));
        assert_eq!(Mode::from_variant(2), Some(Mode::Reset));
    }

    #[test]
    fn unknown_variant_is_refused() {
        for variant in 3..=u8::MAX {
            assert_eq!(Mode::from_variant(variant), None);
        }
    }

    #[test]
    fn accepted_variants_decode_alike() {
        for variant in 0..=2 {
            assert_eq!(
                Mode::from_variant(variant),
                Some(Mode::from_accepted_variant(variant))
            );
        }
    }
}
