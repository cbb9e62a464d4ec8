#!/bin/bash
# fail2ban banning with TARPIT, for real: Debian's fail2ban (the Debian
# guest's), its own iptables-multiport and iptables-allports actions and
# sshd filter, unchanged, with the configuration the README gives
# (examples/fail2ban). Its ban rule is "-s <ip> -j TARPIT" in its
# own chain, without -p. For each action and family: a burst of failed
# logins in the jail's log file bans the attacker, who is then held (its
# connect completes, what it writes is never answered); another source is
# not affected; fail2ban-client unbanip releases the attacker. fail2ban
# calls plain iptables/ip6tables (the nft backend on Debian).
# Usage (from tests/debian/stock-test.sh, after setup_network): fail2ban.sh
source "$(dirname "$0")/lib.sh"

f2b=/tmp/fail2ban
rm -rf "$f2b"
mkdir -p "$f2b/run"
cp -a /etc/fail2ban "$f2b/etc"
cat >"$f2b/etc/fail2ban.local" <<EOF
[Definition]
logtarget = $f2b/fail2ban.log
socket = $f2b/run/fail2ban.sock
pidfile = $f2b/run/fail2ban.pid
dbfile = :memory:
allowipv6 = yes
EOF
# The README's configuration (examples/fail2ban: Debian's fail2ban bans
# with nftables by default, which has no TARPIT; the iptables actions do,
# with blocktype for both families), then this test's jails.
cp "$EXAMPLES/fail2ban/action.d/iptables.local" "$f2b/etc/action.d/iptables.local"
{
	cat "$EXAMPLES/fail2ban/jail.local"
	cat <<EOF
backend = polling
maxretry = 3
findtime = 600
bantime = 600

# (Debian enables it in jail.d/defaults-debian.conf; no sshd runs here)
[sshd]
enabled = false

[tarpit-multiport]
enabled = true
filter = sshd
port = 2222,2223
logpath = $f2b/multiport.log

[tarpit-allports]
enabled = true
filter = sshd
banaction = %(banaction_allports)s
logpath = $f2b/allports.log
EOF
} >"$f2b/etc/jail.local"
: >"$f2b/multiport.log"
: >"$f2b/allports.log"

add_second_source

# fail_logins LOG ADDRESS: three failed passwords, as sshd logs them, each
# from its own sshd process (the filter ties the lines of one process id
# together: a repeated id would be read as the earlier address's session).
sshd_pid=4000
fail_logins() {
	local i
	for i in 1 2 3; do
		sshd_pid=$((sshd_pid + 1))
		echo "$(date '+%b %e %H:%M:%S') tarpit sshd[$sshd_pid]: Failed password for root from $2 port $((50000 + i)) ssh2" >>"$1"
	done
}

banned() { # banned JAIL ADDRESS: fail2ban lists the address as banned
	fail2ban-client -c "$f2b/etc" status "$1" 2>/dev/null | grep 'Banned IP list' | grep -qw -- "$2"
}

echo "=== fail2ban $(fail2ban-client --version 2>&1 | head -n 1) with blocktype=TARPIT"
check "fail2ban starts with the two TARPIT jails" fail2ban-client -c "$f2b/etc" start
wait_for 20 sh -c "fail2ban-client -c $f2b/etc status 2>/dev/null | grep -q 'tarpit-allports, tarpit-multiport\|tarpit-multiport, tarpit-allports'" \
	|| { fail "fail2ban did not report its jails: $(tail -n 20 $f2b/fail2ban.log)"; }

# run JAIL LOG PORT ATTACKER OTHER HOST
run() {
	local jail=$1 log=$2 port=$3 attacker=$4 other=$5 host=$6
	local tag="[fail2ban $jail ${attacker}]"
	expect_eq "$tag before the ban: port $port refuses the attacker" "$(client "$attacker" "$host" "$port")" refused
	fail_logins "$log" "$attacker"
	if wait_for 20 banned "$jail" "$attacker"; then
		pass "$tag three failed logins ban the attacker"
	else
		fail "$tag three failed logins ban the attacker"
		tail -n 20 "$f2b/fail2ban.log"
	fi
	local tool=iptables prefix=32
	[[ $attacker == *:* ]] && tool=ip6tables prefix=128
	# (fail2ban reports the ban before its action has run)
	wait_for 10 sh -c "$tool-save 2>/dev/null | grep -q -- '-s $attacker/'"
	expect_eq "$tag the ban rule is '-s $attacker -j TARPIT', without -p" \
		"$($tool-save 2>/dev/null | grep -- "-s $attacker/")" "-A f2b-$jail -s $attacker/$prefix -j TARPIT"
	expect_eq "$tag the banned attacker is held on port $port" "$(client "$attacker" "$host" "$port")" held
	expect_eq "$tag another source is not affected" "$(client "$other" "$host" "$port")" refused
	check "$tag fail2ban-client unbanip" fail2ban-client -c "$f2b/etc" set "$jail" unbanip "$attacker"
	check "$tag the rule is gone" sh -c "! $tool-save | grep -q -- '-s $attacker/[0-9]* -j TARPIT'"
	expect_eq "$tag after the unban: port $port refuses the attacker again" "$(client "$attacker" "$host" "$port")" refused
}
run tarpit-multiport "$f2b/multiport.log" 2222 10.0.0.2 10.0.0.3 10.0.0.1
run tarpit-multiport "$f2b/multiport.log" 2223 fd00::2 fd00::3 fd00::1
run tarpit-allports "$f2b/allports.log" 24 10.0.0.3 10.0.0.2 10.0.0.1
run tarpit-allports "$f2b/allports.log" 24 fd00::3 fd00::2 fd00::1

check "fail2ban stops and takes its chains away" fail2ban-client -c "$f2b/etc" stop
wait_for 10 sh -c '! iptables-save | grep -q f2b- && ! ip6tables-save | grep -q f2b-' \
	|| fail "fail2ban left chains behind: $(iptables-save | grep f2b-; ip6tables-save | grep f2b-)"
del_second_source
