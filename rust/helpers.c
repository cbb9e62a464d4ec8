// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols for the `static inline` kernel functions xt_TARPIT's Rust code
 * calls, in the manner of the kernel's own rust/helpers/; four of them run a
 * fixed sequence in one call for the fast path. No decisions here.
 *
 * Where a kernel line changes one of these functions, the helper tests
 * LINUX_VERSION_CODE (<linux/version.h>) right here, and the change is
 * listed with the Rust ones in Kbuild's kernel-version seam; the Rust code
 * keeps calling the one helper. So far every helper is the same on every
 * line the module builds for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netfilter/x_tables.h>
#include <linux/skbuff.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file_net.h>
#include <linux/siphash.h>
#include <net/dst.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/route.h>
#include <net/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <linux/if_vlan.h>
#include <linux/netfilter_bridge.h>
#include <linux/netdevice.h>
#include <linux/security.h>
#include <net/ip6_route.h>
#include <net/l3mdev.h>
#include <net/xfrm.h>

#include "helpers.h"

/* The clock and the parameter, read the same way for a packet and a proc file. */
u32 xt_tarpit_seconds(void)
{
	return (u32)(jiffies / HZ);
}

u32 xt_tarpit_held_epoch(void)
{
	return READ_ONCE(xt_tarpit_param_held_epoch);
}

void xt_tarpit_packet_facts(const struct sk_buff *skb,
			    const struct xt_action_param *par,
			    unsigned int net_id,
			    struct xt_tarpit_facts *facts)
{
	const struct net_device *dev = skb->dev;
	const struct dst_entry *dst = skb_dst(skb);

	facts->net = xt_net(par);
	facts->net_state = net_generic(facts->net, net_id);
	facts->seconds = xt_tarpit_seconds();
	facts->targinfo = par->targinfo;
	facts->synack_window = READ_ONCE(xt_tarpit_param_synack_window);
	facts->validate_acks = READ_ONCE(xt_tarpit_param_validate_acks);
	facts->held_epoch = xt_tarpit_held_epoch();
	/*
	 * Where this CPU's per-CPU variables are, so the Rust code reaches its
	 * counters and top-sources table without a call each: the target runs
	 * with bottom halves (and so preemption) off, on this CPU throughout.
	 */
	facts->cpu_offset = my_cpu_offset;
	facts->dst = skb_dst(skb);
	facts->hook = xt_hooknum(par);
	facts->len = skb->len;
	facts->family = xt_family(par);
	facts->pkt_type = skb->pkt_type;
	facts->in_ifindex = dev ? dev->ifindex : 0;
	facts->in_loopback = dev && (dev->flags & IFF_LOOPBACK);
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	facts->bridged = nf_bridge_info_exists(skb);
#else
	facts->bridged = false;
#endif
	if (facts->family == NFPROTO_IPV4) {
		facts->reply_mark = IP4_REPLY_MARK(facts->net, skb->mark);
		facts->route_flags = dst ? container_of(dst, struct rtable, dst)->rt_flags : 0;
	} else {
		facts->reply_mark = IP6_REPLY_MARK(facts->net, skb->mark);
		/* A bridged packet's route is br_netfilter's fake IPv4 one. */
		facts->route_flags = dst && !(dst->flags & DST_FAKE_RTABLE) ?
			container_of(dst, struct rt6_info, dst)->rt6i_flags : 0;
	}
}

const void *xt_tarpit_skb_header_pointer(const struct sk_buff *skb, int offset,
					 int len, void *buffer)
{
	return skb_header_pointer(skb, offset, len, buffer);
}

void *xt_tarpit_reuse_as_reply(struct sk_buff *skb, unsigned int len,
			       unsigned int network_len, u32 mark)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;
#endif

	if (skb_shared(skb) || skb->len < len || !pskb_may_pull(skb, len) ||
	    skb_unclone(skb, GFP_ATOMIC) || pskb_trim(skb, len))
		return NULL;

	/* What the packet carried from its way in, and a fresh skb lacks. */
	skb_orphan(skb);
	memset(skb->cb, 0, sizeof(skb->cb));
	skb_gso_reset(skb);
	skb->ip_summed = CHECKSUM_NONE;
	skb->csum_valid = 0;
	skb->csum_level = 0;
	skb_set_delivery_time(skb, 0, SKB_CLOCK_REALTIME);
	skb->dev = NULL;
	skb->skb_iif = 0;
	skb->pkt_type = PACKET_HOST;
	skb->mark = mark;
	skb->priority = 0;
	skb->queue_mapping = 0;
	skb->ignore_df = 0;
	skb->encapsulation = 0;
	skb_clear_hash(skb);
	__vlan_hwaccel_clear_tag(skb);
	skb_ext_reset(skb);
	skb_reset_redirect(skb);
	nf_reset_trace(skb);
	ipvs_reset(skb);
#if defined(CONFIG_NET_RX_BUSY_POLL) || defined(CONFIG_XPS)
	skb->napi_id = 0;
#endif
#ifdef CONFIG_NETWORK_SECMARK
	skb->secmark = 0;
#endif
#ifdef CONFIG_NET_SWITCHDEV
	skb->offload_fwd_mark = 0;
	skb->offload_l3_fwd_mark = 0;
#endif
#ifdef CONFIG_SKB_DECRYPTED
	skb->decrypted = 0;
#endif
	skb_unset_mac_header(skb);
	skb->mac_len = 0;

	skb_reset_network_header(skb);
	skb_set_transport_header(skb, network_len);

#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	/*
	 * The packet's conntrack reference stays; it now describes the other
	 * direction, as nf_ct_attach() marks a fresh reply.
	 */
	ct = nf_ct_get(skb, &ctinfo);
	if (ct) {
		/*
		 * The reference moves from the old field value to the new one:
		 * nf_ct_set() expects an skb without one (Linux 7.3 warns under
		 * CONFIG_DEBUG_NET otherwise).
		 */
		skb->_nfct = 0;
		nf_ct_set(skb, ct, CTINFO2DIR(ctinfo) == IP_CT_DIR_ORIGINAL ?
			  IP_CT_RELATED_REPLY : IP_CT_RELATED);
	}
#endif
	return skb->data;
}

int xt_tarpit_route_reply(struct net *net, struct sk_buff *skb, u8 family,
			  unsigned int source_type, int in_ifindex)
{
	struct dst_entry *dst;
	unsigned int hh_len;
	bool local;

	if (family == NFPROTO_IPV4) {
		int err = ip_route_me_harder(net, NULL, skb, source_type);

		if (err)
			return err;
		dst = skb_dst(skb);
		ip_hdr(skb)->ttl = ip4_dst_hoplimit(dst);
		local = skb_rtable(skb)->rt_type == RTN_LOCAL;
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);
		const struct tcphdr *th = tcp_hdr(skb);
		struct flowi6 fl6 = {
			.flowi6_proto = IPPROTO_TCP,
			.flowi6_mark = skb->mark,
			.saddr = ip6h->saddr,
			.daddr = ip6h->daddr,
			.fl6_sport = th->source,
			.fl6_dport = th->dest,
		};

		if (in_ifindex && rt6_need_strict(&ip6h->daddr))
			fl6.flowi6_oif = in_ifindex;
		else if (skb_dst(skb))
			fl6.flowi6_oif = l3mdev_master_ifindex(skb_dst(skb)->dev);
		security_skb_classify_flow(skb, flowi6_to_flowi_common(&fl6));
		dst = ip6_route_output(net, NULL, &fl6);
		if (dst->error) {
			int err = dst->error;

			dst_release(dst);
			return err;
		}
		dst = xfrm_lookup(net, dst, flowi6_to_flowi(&fl6), NULL, 0);
		if (IS_ERR(dst))
			return PTR_ERR(dst);
		skb_dst_drop(skb);
		skb_dst_set(skb, dst);
		ipv6_hdr(skb)->hop_limit = ip6_dst_hoplimit(dst);
		local = dst->dev->flags & IFF_LOOPBACK ||
			container_of(dst, struct rt6_info, dst)->rt6i_flags & RTF_LOCAL;
		/* What ip6_route_me_harder() makes sure of after its lookup. */
		hh_len = LL_RESERVED_SPACE(dst->dev);
		if (skb_headroom(skb) < hh_len &&
		    pskb_expand_head(skb, HH_DATA_ALIGN(hh_len - skb_headroom(skb)),
				     0, GFP_ATOMIC))
			return -ENOMEM;
	}
	if (skb->len > dst_mtu(dst))
		return -EMSGSIZE;
	return local;
}

bool xt_tarpit_bridge_origin(const struct sk_buff *skb, struct net *net,
			     struct xt_tarpit_bridge_origin *origin)
{
#if IS_ENABLED(CONFIG_BRIDGE_NETFILTER)
	const struct ethhdr *eth;

	origin->port = nf_bridge_get_physindev(skb, net);
	if (!origin->port || !skb_mac_header_was_set(skb))
		return false;
	eth = eth_hdr(skb);
	ether_addr_copy(origin->source, eth->h_source);
	ether_addr_copy(origin->destination, eth->h_dest);
	return true;
#else
	return false;
#endif
}

int xt_tarpit_bridge_xmit(struct sk_buff *skb,
			  const struct xt_tarpit_bridge_origin *origin,
			  u8 family)
{
	struct net_device *port = origin->port;
	int err;

	skb_dst_drop(skb);
	skb->dev = port;
	skb->protocol = htons(family == NFPROTO_IPV4 ? ETH_P_IP : ETH_P_IPV6);
	err = skb_cow_head(skb, LL_RESERVED_SPACE(port));
	if (err)
		return err;
	/* To where the original came from, from where it was going. */
	if (dev_hard_header(skb, port, ntohs(skb->protocol), origin->source,
			    origin->destination, skb->len) < 0)
		return -EINVAL;
	dev_queue_xmit(skb);
	return 0;
}

void xt_tarpit_pr_info_ratelimited(const char *msg)
{
	pr_info_ratelimited("%s\n", msg);
}

void *xt_tarpit_net_generic(const struct net *net, unsigned int id)
{
	return net_generic(net, id);
}

void *xt_tarpit_kzalloc_account(size_t size)
{
	return kzalloc(size, GFP_KERNEL_ACCOUNT);
}

u64 __percpu *xt_tarpit_alloc_percpu_u64(unsigned int count)
{
	return __alloc_percpu(count * sizeof(u64), __alignof__(u64));
}

u64 xt_tarpit_percpu_sum(u64 __percpu *counters, unsigned int index)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(counters + index, cpu);
	return sum;
}

void __percpu *xt_tarpit_alloc_percpu(size_t size)
{
	return __alloc_percpu_gfp(size, __alignof__(u64), GFP_KERNEL_ACCOUNT);
}

/*
 * CPU @cpu's part of @area, or NULL from the first CPU that is not
 * possible on: x86-64 numbers its possible CPUs from 0 without holes.
 */
void *xt_tarpit_cpu_ptr(void __percpu *area, int cpu)
{
	if (cpu < 0 || cpu >= nr_cpu_ids || !cpu_possible(cpu))
		return NULL;
	return per_cpu_ptr(area, cpu);
}

void *xt_tarpit_proc_create(struct net *net, const char *name,
			    int (*show)(struct seq_file *, void *))
{
	return proc_create_net_single(name, 0444, net->proc_net, show, NULL);
}

void xt_tarpit_proc_remove(struct net *net, const char *name)
{
	remove_proc_entry(name, net->proc_net);
}

struct net *xt_tarpit_seq_file_net(struct seq_file *seq)
{
	return seq_file_single_net(seq);
}

u64 xt_tarpit_siphash(const void *data, size_t len, const u64 key[2])
{
	return siphash(data, len, (const siphash_key_t *)key);
}

void xt_tarpit_stack_shape(const struct sk_buff *skb, const struct net *net,
			   struct xt_tarpit_shape *shape)
{
	shape->mtu = skb->dev ? READ_ONCE(skb->dev->mtu) : 0;
	shape->rmem_default = READ_ONCE(net->ipv4.sysctl_tcp_rmem[1]);
	shape->rmem_largest = READ_ONCE(net->ipv4.sysctl_tcp_rmem[2]);
	shape->rmem_max = READ_ONCE(sysctl_rmem_max);
}

u32 xt_tarpit_tcp_clock_ms(void)
{
	return tcp_clock_ms();
}
