# Rule table in the format of iptables' extensions/*.t files, run by
# tests/vm/rule_table.sh (each family, each backend, module loaded):
#   rule;expected -S spelling ("=" for the rule itself, empty if none);OK|FAIL
# A ":CHAIN,CHAIN" line selects the chains the following lines are tried in.
:INPUT,FORWARD
-p tcp -j TARPIT;=;OK
-p tcp -j TARPIT --tarpit;-p tcp -j TARPIT;OK
-p tcp -j TARPIT --honeypot;=;OK
-p tcp -j TARPIT --reset;=;OK
-p tcp --dport 25 -j TARPIT;-p tcp -m tcp --dport 25 -j TARPIT;OK
-p tcp -j TARPIT --honeypot --reset;;FAIL
-p tcp -j TARPIT --tarpit --reset;;FAIL
-p tcp -j TARPIT --reset --reset;;FAIL
-p tcp -j TARPIT --bogus;;FAIL
-p tcp -j TARPIT honeypot;;FAIL
-p udp -j TARPIT;;FAIL
-j TARPIT;;FAIL
! -p tcp -j TARPIT;;FAIL
:OUTPUT
-p tcp -j TARPIT;;FAIL
