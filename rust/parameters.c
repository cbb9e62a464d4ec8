// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters of xt_TARPIT. Rust-for-Linux has no module parameter
 * support on 6.12, so they are declared here with module_param(), and the
 * Rust code reads each through one accessor.
 */
#include <linux/compiler.h>
#include <linux/moduleparam.h>

#include "helpers.h"

static unsigned short synack_window = 5;
module_param(synack_window, ushort, 0644);
MODULE_PARM_DESC(synack_window,
		 "window offered by --tarpit SYN-ACKs, in bytes (default 5; 0 closes it at once)");

unsigned short xt_tarpit_synack_window(void)
{
	return READ_ONCE(synack_window);
}

static bool validate_acks = true;
module_param(validate_acks, bool, 0644);
MODULE_PARM_DESC(validate_acks,
		 "answer --tarpit/--honeypot segments only if they acknowledge our SYN-ACK (default Y)");

bool xt_tarpit_validate_acks(void)
{
	return READ_ONCE(validate_acks);
}
