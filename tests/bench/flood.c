// SPDX-License-Identifier: GPL-2.0
/*
 * flood: raw-socket TCP flood generator for the tarpit benchmarks.
 *
 * Builds a pool of complete Ethernet + IPv4/IPv6 + TCP frames up front
 * (random spoofed source address inside --src-net, random source port,
 * sequence and acknowledgement numbers, correct IP and TCP checksums),
 * then sends the pool round-robin through an AF_PACKET socket with
 * sendmmsg(), checking the clock once per batch. Per-packet work in the
 * send loop is nothing but the kernel's own: it is meant to run inside a
 * QEMU TCG guest, where every instruction counts.
 *
 * Output: one line on stdout,
 *   sent=<packets> seconds=<elapsed> rate=<packets per second> retries=<n>
 * where retries counts sendmmsg() calls that failed with ENOBUFS/EAGAIN
 * and were repeated.
 *
 * --verify builds the pool, prints its first 3 frames as hex and checks
 * every frame (checksums with a separate byte-by-byte implementation, plus
 * the header fields), exiting 1 if anything is wrong. It opens no socket.
 *
 * This file parses the options and runs the rest: frame.c builds the
 * frame pool, send.c sends it, verify.c is the --verify self-check, and
 * flood.h is what they share.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "flood.h"

const char *prog = "flood";

static void usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void print_usage(FILE *out)
{
	fprintf(out,
		"usage: %s --iface IFACE --src-mac MAC --dst-mac MAC --family 4|6\n"
		"          --dst ADDR --dport PORT --src-net PREFIX --kind syn|data|ack\n"
		"          (--duration SECONDS | --count N)\n"
		"          [--payload BYTES] [--batch N] [--cpu N] [--seed N] [--pool N]\n"
		"          [--qdisc-bypass] [--verify]\n"
		"\n"
		"  --src-net PREFIX  spoofed sources: random addresses in e.g. 10.1.0.0/16 or fd01::/64\n"
		"  --kind syn        SYN, no ACK\n"
		"  --kind data       ACK+PSH carrying --payload bytes (default %d)\n"
		"  --kind ack        pure ACK without payload (like a window probe)\n"
		"  --duration S      send for S seconds (float); or --count N packets\n"
		"  --batch N         frames per sendmmsg() call, 1..%d (default 64)\n"
		"  --cpu N           pin to CPU N\n"
		"  --seed N          random seed (default: from time and pid)\n"
		"  --pool N          distinct prebuilt frames, sent round-robin (default 4096)\n"
		"  --qdisc-bypass    set PACKET_QDISC_BYPASS (skips qdisc and taps on IFACE)\n"
		"  --verify          print the first %d frames as hex, check all checksums, send nothing\n"
		"                    (--iface, --duration and --count are not needed)\n"
		"\n"
		"Prints: sent=<packets> seconds=<elapsed> rate=<packets/s> retries=<n>\n",
		prog, DEFAULT_PAYLOAD, MAX_BATCH, VERIFY_SHOW);
}

static void usage(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage(stderr);
	exit(2);
}

void die_errno(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

void die(const char *msg)
{
	fprintf(stderr, "%s: %s\n", prog, msg);
	exit(1);
}

/* ---- parsing ---- */

static bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return true;
}

static bool parse_prefix(const char *s, int family, uint8_t net[16], unsigned *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	unsigned bits = family == 4 ? 32 : 128;
	uint64_t len = bits;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!parse_u64(slash + 1, 0, bits, &len))
			return false;
	}
	memset(net, 0, 16);
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, buf, net) != 1)
		return false;
	for (unsigned i = 0; i < bits / 8; i++) {
		unsigned keep = len >= (i + 1) * 8 ? 8 : len > i * 8 ? len - i * 8 : 0;

		net[i] &= (uint8_t)(0xff00u >> keep);
	}
	*plen = (unsigned)len;
	return true;
}

/* ---- main ---- */

int main(int argc, char **argv)
{
	enum {
		O_IFACE = 256, O_SRC_MAC, O_DST_MAC, O_FAMILY, O_DST, O_DPORT, O_SRC_NET,
		O_KIND, O_PAYLOAD, O_DURATION, O_COUNT, O_BATCH, O_CPU, O_SEED, O_POOL,
		O_VERIFY, O_QDISC_BYPASS, O_HELP,
	};
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, O_IFACE },
		{ "src-mac", required_argument, NULL, O_SRC_MAC },
		{ "dst-mac", required_argument, NULL, O_DST_MAC },
		{ "family", required_argument, NULL, O_FAMILY },
		{ "dst", required_argument, NULL, O_DST },
		{ "dport", required_argument, NULL, O_DPORT },
		{ "src-net", required_argument, NULL, O_SRC_NET },
		{ "kind", required_argument, NULL, O_KIND },
		{ "payload", required_argument, NULL, O_PAYLOAD },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "count", required_argument, NULL, O_COUNT },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "seed", required_argument, NULL, O_SEED },
		{ "pool", required_argument, NULL, O_POOL },
		{ "verify", no_argument, NULL, O_VERIFY },
		{ "qdisc-bypass", no_argument, NULL, O_QDISC_BYPASS },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct cfg c = {
		.family = 0, .batch = 64, .cpu = -1, .pool = 4096,
		.payload = DEFAULT_PAYLOAD,
	};
	const char *dst = NULL, *src_net = NULL, *kind = NULL, *duration = NULL;
	bool have_src_mac = false, have_dst_mac = false, have_dport = false;
	bool have_payload = false, have_seed = false, have_count = false;
	uint64_t v;
	int opt;

	if (argc > 0 && argv[0] && *argv[0]) {
		const char *slash = strrchr(argv[0], '/');

		prog = slash ? slash + 1 : argv[0];
	}
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case O_IFACE:
			c.iface = optarg;
			break;
		case O_SRC_MAC:
			if (!parse_mac(optarg, c.src_mac))
				usage("bad --src-mac '%s'", optarg);
			have_src_mac = true;
			break;
		case O_DST_MAC:
			if (!parse_mac(optarg, c.dst_mac))
				usage("bad --dst-mac '%s'", optarg);
			have_dst_mac = true;
			break;
		case O_FAMILY:
			if (!strcmp(optarg, "4"))
				c.family = 4;
			else if (!strcmp(optarg, "6"))
				c.family = 6;
			else
				usage("--family must be 4 or 6, not '%s'", optarg);
			break;
		case O_DST:
			dst = optarg;
			break;
		case O_DPORT:
			if (!parse_u64(optarg, 1, 65535, &v))
				usage("bad --dport '%s' (1..65535)", optarg);
			c.dport = (uint16_t)v;
			have_dport = true;
			break;
		case O_SRC_NET:
			src_net = optarg;
			break;
		case O_KIND:
			kind = optarg;
			break;
		case O_PAYLOAD:
			if (!parse_u64(optarg, 0, MAX_PAYLOAD, &v))
				usage("bad --payload '%s' (0..%d)", optarg, MAX_PAYLOAD);
			c.payload = (unsigned)v;
			have_payload = true;
			break;
		case O_DURATION:
			duration = optarg;
			break;
		case O_COUNT:
			if (!parse_u64(optarg, 1, UINT64_MAX, &v))
				usage("bad --count '%s' (a positive integer)", optarg);
			c.count = v;
			have_count = true;
			break;
		case O_BATCH:
			if (!parse_u64(optarg, 1, MAX_BATCH, &v))
				usage("bad --batch '%s' (1..%d)", optarg, MAX_BATCH);
			c.batch = (unsigned)v;
			break;
		case O_CPU:
			if (!parse_u64(optarg, 0, CPU_SETSIZE - 1, &v))
				usage("bad --cpu '%s'", optarg);
			c.cpu = (int)v;
			break;
		case O_SEED:
			if (!parse_u64(optarg, 0, UINT64_MAX, &v))
				usage("bad --seed '%s'", optarg);
			c.seed = v;
			have_seed = true;
			break;
		case O_POOL:
			if (!parse_u64(optarg, 1, MAX_POOL, &v))
				usage("bad --pool '%s' (1..%u)", optarg, MAX_POOL);
			c.pool = (unsigned)v;
			break;
		case O_VERIFY:
			c.verify = true;
			break;
		case O_QDISC_BYPASS:
			c.qdisc_bypass = true;
			break;
		case O_HELP:
			print_usage(stdout);
			return 0;
		default:
			if (optopt && optopt >= O_IFACE)
				usage("option '%s' needs an argument", argv[optind - 1]);
			usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage("unexpected argument '%s'", argv[optind]);

	if (!c.family)
		usage("--family is required");
	if (!have_src_mac || !have_dst_mac)
		usage("--src-mac and --dst-mac are required");
	if (!dst)
		usage("--dst is required");
	if (inet_pton(c.family == 4 ? AF_INET : AF_INET6, dst, c.dst) != 1)
		usage("--dst '%s' is not an IPv%d address", dst, c.family);
	if (!have_dport)
		usage("--dport is required");
	if (!src_net)
		usage("--src-net is required");
	if (!parse_prefix(src_net, c.family, c.net, &c.plen))
		usage("--src-net '%s' is not an IPv%d prefix", src_net, c.family);
	if (!kind)
		usage("--kind is required");
	if (!strcmp(kind, "syn"))
		c.kind = KIND_SYN;
	else if (!strcmp(kind, "data"))
		c.kind = KIND_DATA;
	else if (!strcmp(kind, "ack"))
		c.kind = KIND_ACK;
	else
		usage("--kind must be syn, data or ack, not '%s'", kind);
	if (have_payload && c.kind != KIND_DATA)
		usage("--payload only goes with --kind data");
	if (c.family == 6 && c.payload > 65535 - TCP_HLEN)
		usage("--payload too large");
	if (duration) {
		char *end;

		errno = 0;
		c.duration = strtod(duration, &end);
		if (errno || end == duration || *end ||
		    !(c.duration > 0 && c.duration <= 1e7))
			usage("bad --duration '%s' (seconds, > 0)", duration);
	}
	if (duration && have_count)
		usage("give either --duration or --count, not both");
	if (!c.verify) {
		if (!c.iface)
			usage("--iface is required");
		if (!duration && !have_count)
			usage("--duration or --count is required");
	}
	if (!have_seed)
		c.seed = (uint64_t)time(NULL) * 0x100000001b3ull ^ (uint64_t)getpid() << 32 ^
			 (uint64_t)now_ns();
	rng_seed(c.seed);

	if (c.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(c.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "%s: sched_setaffinity(cpu %d): %s\n", prog, c.cpu,
				strerror(errno));
			return 1;
		}
	}

	size_t flen = frame_len(&c);
	size_t stride = (flen + 63) & ~(size_t)63;
	uint8_t *pool = aligned_alloc(64, stride * c.pool);

	if (!pool) {
		fprintf(stderr, "%s: cannot allocate %zu bytes for %u frames\n", prog,
			stride * c.pool, c.pool);
		return 1;
	}
	build_pool(&c, pool, stride);

	if (c.verify) {
		int rc = verify_pool(&c, kind, pool, stride, flen);

		free(pool);
		return rc;
	}

	run(&c, pool, stride, flen);
	free(pool);
	return 0;
}
