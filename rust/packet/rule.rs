// SPDX-License-Identifier: GPL-2.0

//! A rule's options: decoding the target data of revision 0 (one byte,
//! the layout shared with xtables-addons) and revision 1 (this project's
//! larger layout, `struct xt_tarpit_tginfo_v1` in iptables-ext/xt_TARPIT.h),
//! and refusing data no correct userspace writes.

use super::Mode;
use core::ffi::CStr;

/// Bytes of target data in a revision 1 rule.
pub const TARGET_DATA_SIZE_V1: usize = 16;

/// Revision 1 flag: do not validate acknowledgment numbers for this rule.
pub const FLAG_NO_VALIDATE: u8 = 0x01;
/// Revision 1 flag: shape SYN-ACKs like the local TCP stack's.
pub const FLAG_MIMIC: u8 = 0x02;
/// Revision 1 flag: the `synack_window` field is set.
pub const FLAG_SYNACK_WINDOW: u8 = 0x04;
const KNOWN_FLAGS: u8 = FLAG_NO_VALIDATE | FLAG_MIMIC | FLAG_SYNACK_WINDOW;

/// Highest `--limit` / `--limit-global` (replies per second).
pub const LIMIT_MAX: u32 = 1_000_000;

/// What a rule asks of the target.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct RuleOptions {
    /// How to answer.
    pub mode: Mode,
    /// Window of `--tarpit` SYN-ACKs, when the rule sets one (otherwise the
    /// module parameter's).
    pub synack_window: Option<u16>,
    /// Whether acknowledgment numbers may be validated (the module
    /// parameter `validate_acks` decides when this is true).
    pub validate: bool,
    /// Shape SYN-ACKs like the local TCP stack's.
    pub mimic: bool,
    /// Replies per second per source prefix (/24, /64); 0: no limit.
    pub limit: u32,
    /// Replies per second in the namespace, all rules together; 0: no cap.
    pub limit_global: u32,
}

/// Why a rule's target data is refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RuleError {
    /// A mode no userspace writes.
    UnknownMode,
    /// Flag bits this module does not know.
    UnknownFlags,
    /// Reserved bytes not zero.
    Reserved,
    /// `--synack-window` outside `--tarpit`.
    WindowNeedsTarpit,
    /// `--mimic` together with `--synack-window`.
    MimicWithWindow,
    /// `--mimic` with `--reset`, which sends no SYN-ACK.
    MimicWithReset,
    /// A limit above [`LIMIT_MAX`].
    LimitTooHigh,
}

impl RuleError {
    /// What the kernel log says, after the module's name.
    pub fn message(self) -> &'static CStr {
        match self {
            RuleError::UnknownMode => {
                c"rule refused: unknown TARPIT mode (not --tarpit, --honeypot or --reset); update the iptables extension libxt_TARPIT.so"
            }
            RuleError::UnknownFlags => {
                c"rule refused: unknown TARPIT option flags; update the xt_TARPIT module or write the rule without the new options"
            }
            RuleError::Reserved => {
                c"rule refused: reserved bytes of the TARPIT revision 1 options are not zero; update the iptables extension libxt_TARPIT.so"
            }
            RuleError::WindowNeedsTarpit => {
                c"rule refused: --synack-window applies to --tarpit only; drop it or use --tarpit"
            }
            RuleError::MimicWithWindow => {
                c"rule refused: --mimic takes the SYN-ACK window from the local TCP stack; drop --synack-window or --mimic"
            }
            RuleError::MimicWithReset => {
                c"rule refused: --mimic shapes SYN-ACKs and --reset sends none; drop --mimic"
            }
            RuleError::LimitTooHigh => {
                c"rule refused: --limit and --limit-global are at most 1000000 replies per second"
            }
        }
    }
}

impl RuleOptions {
    /// The options of a revision 0 rule: its mode, everything else default.
    #[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
    pub fn from_v0(data: &[u8]) -> Result<RuleOptions, RuleError> {
        let mode = Mode::from_target_data(data).ok_or(RuleError::UnknownMode)?;
        Ok(RuleOptions {
            mode,
            synack_window: None,
            validate: true,
            mimic: false,
            limit: 0,
            limit_global: 0,
        })
    }

    /// The options of a revision 1 rule (native byte order, as the kernel
    /// ABI of the machine): variant u8, flags u8, synack_window u16, limit
    /// u32, limit_global u32, reserved u32.
    #[cfg_attr(MODULE, link_section = ".text.xt_tarpit_fast2")]
    pub fn from_v1(data: &[u8]) -> Result<RuleOptions, RuleError> {
        let Some(data) = data.get(..TARGET_DATA_SIZE_V1) else {
            return Err(RuleError::UnknownMode);
        };
        let mode = Mode::from_variant(data[0]).ok_or(RuleError::UnknownMode)?;
        let flags = data[1];
        if flags & !KNOWN_FLAGS != 0 {
            return Err(RuleError::UnknownFlags);
        }
        let u32_at =
            |at: usize| u32::from_ne_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
        if u32_at(12) != 0 {
            return Err(RuleError::Reserved);
        }
        let synack_window =
            (flags & FLAG_SYNACK_WINDOW != 0).then(|| u16::from_ne_bytes([data[2], data[3]]));
        let mimic = flags & FLAG_MIMIC != 0;
        if synack_window.is_some() && mode != Mode::Tarpit {
            return Err(RuleError::WindowNeedsTarpit);
        }
        if mimic && synack_window.is_some() {
            return Err(RuleError::MimicWithWindow);
        }
        if mimic && mode == Mode::Reset {
            return Err(RuleError::MimicWithReset);
        }
        let (limit, limit_global) = (u32_at(4), u32_at(8));
        if limit > LIMIT_MAX || limit_global > LIMIT_MAX {
            return Err(RuleError::LimitTooHigh);
        }
        Ok(RuleOptions {
            mode,
            synack_window,
            validate: flags & FLAG_NO_VALIDATE == 0,
            mimic,
            limit,
            limit_global,
        })
    }

    /// Whether replies under this rule are rate limited at all.
    pub fn is_limited(&self) -> bool {
        self.limit != 0 || self.limit_global != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1(variant: u8, flags: u8, window: u16, limit: u32, global: u32, reserved: u32) -> [u8; 16] {
        let mut data = [0u8; 16];
        data[0] = variant;
        data[1] = flags;
        data[2..4].copy_from_slice(&window.to_ne_bytes());
        data[4..8].copy_from_slice(&limit.to_ne_bytes());
        data[8..12].copy_from_slice(&global.to_ne_bytes());
        data[12..16].copy_from_slice(&reserved.to_ne_bytes());
        data
    }

    #[test]
    fn revision_0_is_the_mode_alone() {
        let options = RuleOptions::from_v0(&[1]).unwrap();
        assert_eq!(options.mode, Mode::Honeypot);
        assert!(options.validate && !options.mimic && !options.is_limited());
        assert_eq!(options.synack_window, None);
        assert_eq!(RuleOptions::from_v0(&[3]), Err(RuleError::UnknownMode));
    }

    #[test]
    fn revision_1_fields_decode() {
        let options =
            RuleOptions::from_v1(&v1(0, FLAG_SYNACK_WINDOW | FLAG_NO_VALIDATE, 0, 10, 500, 0))
                .unwrap();
        assert_eq!(options.mode, Mode::Tarpit);
        assert_eq!(options.synack_window, Some(0));
        assert!(!options.validate && !options.mimic);
        assert_eq!((options.limit, options.limit_global), (10, 500));
        let options = RuleOptions::from_v1(&v1(1, FLAG_MIMIC, 0, 0, 0, 0)).unwrap();
        assert!(options.mimic && options.validate && !options.is_limited());
        assert_eq!(options.synack_window, None);
    }

    #[test]
    fn revision_1_refuses_what_no_userspace_writes() {
        assert_eq!(
            RuleOptions::from_v1(&v1(3, 0, 0, 0, 0, 0)),
            Err(RuleError::UnknownMode)
        );
        assert_eq!(
            RuleOptions::from_v1(&v1(0, 0x80, 0, 0, 0, 0)),
            Err(RuleError::UnknownFlags)
        );
        assert_eq!(
            RuleOptions::from_v1(&v1(0, 0, 0, 0, 0, 1)),
            Err(RuleError::Reserved)
        );
        assert_eq!(
            RuleOptions::from_v1(&v1(1, FLAG_SYNACK_WINDOW, 5, 0, 0, 0)),
            Err(RuleError::WindowNeedsTarpit)
        );
        assert_eq!(
            RuleOptions::from_v1(&v1(0, FLAG_SYNACK_WINDOW | FLAG_MIMIC, 5, 0, 0, 0)),
            Err(RuleError::MimicWithWindow)
        );
        assert_eq!(
            RuleOptions::from_v1(&v1(2, FLAG_MIMIC, 0, 0, 0, 0)),
            Err(RuleError::MimicWithReset)
        );
        assert_eq!(
            RuleOptions::from_v1(&v1(0, 0, 0, LIMIT_MAX + 1, 0, 0)),
            Err(RuleError::LimitTooHigh)
        );
        assert_eq!(
            RuleOptions::from_v1(&v1(0, 0, 0, 0, LIMIT_MAX + 1, 0)),
            Err(RuleError::LimitTooHigh)
        );
        assert!(RuleOptions::from_v1(&v1(0, 0, 0, LIMIT_MAX, LIMIT_MAX, 0)).is_ok());
        assert_eq!(RuleOptions::from_v1(&[0; 15]), Err(RuleError::UnknownMode));
    }
}
