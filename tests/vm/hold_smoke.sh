# Sourced by tests/vm/suite.sh: make hold's clients (tests/vm/hold_clients.py:
# Debian's curl, OpenSSH, hydra, ncrack, nmap, netcat, and the Python
# clients) against one --tarpit port with a 20-second bound, so the
# harness and the tools it runs do not rot between make hold runs. Every
# client must still be stuck at the bound (a missing program exits at
# once; every one of them holds longer than 20 s against the tarpit in
# make hold's runs).
hold_smoke_bound=20
ipt nft 4 -A INPUT -p tcp --dport 44 -j TARPIT
hold_smoke=$(in_attacker python3 "$TESTS_DIR/hold_clients.py" $hold_smoke_bound 10.0.0.1 smoke=44 2>&1)
echo "$hold_smoke"
for client in "curl GET" "curl -d 2MiB" ssh "hydra ssh" "ncrack ssh" "nmap -sV" "python read" \
	"python write at 10 s" "python 60 s timeout" "nc line every 5 s" "nc interrupted"; do
	line=$(grep -F "client=$client held=" <<<"$hold_smoke")
	check "make hold's client '$client' is still stuck at the ${hold_smoke_bound}-second bound (${line:-no line})" \
		grep -q ' end=bound$' <<<"$line"
done
retire_tarpit_rules nft 4 >/dev/null
