/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API xt_TARPIT uses, as seen by bindgen. Mainline's `kernel`
 * crate has no netfilter or sk_buff bindings, so the module generates its
 * own from this header (see Kbuild); helpers.c turns the `static inline`
 * functions it needs into real symbols, declared at the end.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/siphash.h>
#include <linux/skbuff.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/ip6_route.h>
#include <net/netfilter/nf_conntrack.h>

#include "helpers.h"
