/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrappers that give `static inline` kernel functions (and a few macros) a
 * symbol Rust can call. Each does exactly what its namesake does, or, on
 * the fast path, what a fixed sequence of them does in one call
 * (xt_tarpit_packet_facts, xt_tarpit_reuse_as_reply, xt_tarpit_route_reply,
 * xt_tarpit_bridge_origin, xt_tarpit_bridge_xmit, xt_tarpit_stack_shape);
 * no decisions live here.
 */
#ifndef XT_TARPIT_HELPERS_H
#define XT_TARPIT_HELPERS_H

#include <linux/netfilter/x_tables.h>
#include <linux/skbuff.h>
#include <net/dst.h>

/*
 * What the target reads of every packet, gathered in one call (each field
 * is what its accessor returns; a call per field costs more than the
 * reads under the retpoline/return-thunk mitigations).
 */
struct xt_tarpit_facts {
	struct net *net;		/* xt_net() */
	struct dst_entry *dst;		/* skb_dst() */
	unsigned int hook;		/* xt_hooknum() */
	unsigned int len;		/* skb->len */
	unsigned char family;		/* xt_family() */
	unsigned char pkt_type;		/* skb->pkt_type */
	unsigned short synack_window;	/* module parameter synack_window */
	bool validate_acks;		/* module parameter validate_acks */
	bool in_loopback;		/* skb->dev is a loopback device */
	bool bridged;			/* nf_bridge_info_exists() */
	int in_ifindex;			/* skb->dev->ifindex, 0 without one */
	u32 reply_mark;			/* IP4/IP6_REPLY_MARK() of skb->mark */
	u32 route_flags;		/* rt_flags (IPv4), rt6i_flags (IPv6), 0 without a route */
	u32 seconds;			/* jiffies / HZ */
	u32 held_epoch;			/* module parameter held_epoch */
	unsigned long cpu_offset;	/* my_cpu_offset: this CPU's per-CPU areas */
	const void *targinfo;		/* par->targinfo, the rule's target data */
	void *net_state;		/* net_generic(xt_net(), net_id) */
};

void xt_tarpit_packet_facts(const struct sk_buff *skb,
			    const struct xt_action_param *par,
			    unsigned int net_id,
			    struct xt_tarpit_facts *facts);
const void *xt_tarpit_skb_header_pointer(const struct sk_buff *skb, int offset,
					 int len, void *buffer);
/*
 * Turns @skb, the packet the target was called for, into its reply: the
 * first @len bytes made private and linear, the rest trimmed, everything a
 * fresh skb would not carry reset (socket, control block, GSO, checksum
 * state, timestamp, device, hash, extensions ...), @mark as its mark,
 * network header at the start and transport header @network_len bytes on;
 * its route and conntrack reference stay, the latter turned to the reply
 * direction. Returns its data, @len bytes still holding the original's
 * first bytes, for the caller to write the reply's headers over; NULL
 * when @skb is shared or shorter than @len (neither happens: see
 * rust/skb.rs), unchanged, or when unsharing or trimming it failed. On
 * failure it is still a packet to drop.
 */
void *xt_tarpit_reuse_as_reply(struct sk_buff *skb, unsigned int len,
			       unsigned int network_len, u32 mark);
/*
 * Routes the reply @skb (its IP and TCP headers written, the original's
 * route still attached) as the kernel's REJECT routes its resets:
 * ip_route_me_harder() with @source_type for IPv4; for IPv6 the lookup of
 * nf_send_reset6() (ports, mark, l3mdev master) with, for a link-local or
 * multicast destination, the interface the original came in on
 * (@in_ifindex, 0 for loopback: the address then picks the route) as the
 * output interface. Then the TTL / hop limit is the
 * new route's, and the reply must fit its MTU. 1 when routed to this host
 * itself (a local route), 0 when routed elsewhere, a negative errno when
 * there is no route (the reply is still the caller's).
 */
int xt_tarpit_route_reply(struct net *net, struct sk_buff *skb, u8 family,
			  unsigned int source_type, int in_ifindex);

/* Where a bridged original came from: its bridge port and MAC addresses. */
struct xt_tarpit_bridge_origin {
	struct net_device *port;	/* nf_bridge_get_physindev(), RCU */
	unsigned char source[6];	/* eth_hdr()->h_source */
	unsigned char destination[6];	/* eth_hdr()->h_dest */
};

/*
 * Fills @origin for @skb, bridged (br_netfilter): false when its bridge
 * port is gone or it has no Ethernet header.
 */
bool xt_tarpit_bridge_origin(const struct sk_buff *skb, struct net *net,
			     struct xt_tarpit_bridge_origin *origin);
/*
 * Sends the reply @skb straight back out of the bridge port its original
 * came in on, MAC addresses swapped, as nf_send_reset() does for bridged
 * traffic: no route, no LOCAL_OUT. 0 when handed to the device (which
 * takes it), a negative errno when not (the reply is still the caller's).
 */
int xt_tarpit_bridge_xmit(struct sk_buff *skb,
			  const struct xt_tarpit_bridge_origin *origin,
			  u8 family);
void xt_tarpit_pr_info_ratelimited(const char *msg);

/* Per-namespace state (rust/pernet.rs). */
struct seq_file;
void *xt_tarpit_net_generic(const struct net *net, unsigned int id);
void *xt_tarpit_kzalloc_account(size_t size);
u64 __percpu *xt_tarpit_alloc_percpu_u64(unsigned int count);
u64 xt_tarpit_percpu_sum(u64 __percpu *counters, unsigned int index);
void __percpu *xt_tarpit_alloc_percpu(size_t size);
void *xt_tarpit_cpu_ptr(void __percpu *area, int cpu);
u32 xt_tarpit_seconds(void);
u32 xt_tarpit_held_epoch(void);
void *xt_tarpit_proc_create(struct net *net, const char *name,
			    int (*show)(struct seq_file *, void *));
void xt_tarpit_proc_remove(struct net *net, const char *name);
struct net *xt_tarpit_seq_file_net(struct seq_file *seq);

/* parameters.c: the module parameters, read in xt_tarpit_packet_facts() */
extern unsigned short xt_tarpit_param_synack_window;
extern bool xt_tarpit_param_validate_acks;
extern unsigned int xt_tarpit_param_held_epoch;

/* Keyed ISN (rust/settings.rs): siphash() is inline over its two variants. */
u64 xt_tarpit_siphash(const void *data, size_t len, const u64 key[2]);

/*
 * What a --mimic SYN-ACK copies of the local stack (rust/skb.rs), read in
 * one call: each field is what its namesake reads, with READ_ONCE.
 */
struct xt_tarpit_shape {
	unsigned int mtu;		/* skb->dev->mtu, 0 without a device */
	int rmem_default;		/* net->ipv4.sysctl_tcp_rmem[1] */
	int rmem_largest;		/* net->ipv4.sysctl_tcp_rmem[2] */
	unsigned int rmem_max;		/* sysctl_rmem_max */
};

void xt_tarpit_stack_shape(const struct sk_buff *skb, const struct net *net,
			   struct xt_tarpit_shape *shape);
u32 xt_tarpit_tcp_clock_ms(void);

#endif
