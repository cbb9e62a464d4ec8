// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters of xt_TARPIT. Rust-for-Linux has no module parameter
 * support on 6.12, so they are declared here with module_param_named();
 * the fast path reads them with READ_ONCE in xt_tarpit_packet_facts().
 */
#include <linux/compiler.h>
#include <linux/moduleparam.h>

#include "helpers.h"

unsigned short xt_tarpit_param_synack_window = 5;
module_param_named(synack_window, xt_tarpit_param_synack_window, ushort, 0644);
MODULE_PARM_DESC(synack_window,
		 "window offered by --tarpit SYN-ACKs, in bytes (default 5; 0 closes it at once)");

bool xt_tarpit_param_validate_acks = true;
module_param_named(validate_acks, xt_tarpit_param_validate_acks, bool, 0644);
MODULE_PARM_DESC(validate_acks,
		 "answer --tarpit/--honeypot segments only if they acknowledge our SYN-ACK (default Y)");

unsigned int xt_tarpit_param_held_epoch = 128;
module_param_named(held_epoch, xt_tarpit_param_held_epoch, uint, 0644);
MODULE_PARM_DESC(held_epoch,
		 "seconds per epoch of the held-connections estimate, which counts the current and the previous epoch (default 128, more than TCP's longest probe interval)");
