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
-p icmp -j TARPIT;;FAIL
! -p tcp -j TARPIT;;FAIL
-j TARPIT;=;OK
-j TARPIT --honeypot;=;OK
-j TARPIT --reset;=;OK
! -p udp -j TARPIT;=;OK
:OUTPUT
-p tcp -j TARPIT;;FAIL
# revision 1 options (INPUT only: the chains above are the same code path)
:INPUT
-p tcp -j TARPIT --synack-window 0;=;OK
-p tcp -j TARPIT --tarpit --synack-window 65535;-p tcp -j TARPIT --synack-window 65535;OK
-p tcp -j TARPIT --synack-window 65536;;FAIL
-p tcp -j TARPIT --honeypot --synack-window 7;;FAIL
-p tcp -j TARPIT --reset --synack-window 7;;FAIL
-p tcp -j TARPIT --no-validate;=;OK
-p tcp -j TARPIT --honeypot --no-validate;=;OK
-p tcp -j TARPIT --mimic;=;OK
-p tcp -j TARPIT --honeypot --mimic;=;OK
-p tcp -j TARPIT --reset --mimic;;FAIL
-p tcp -j TARPIT --mimic --synack-window 5;;FAIL
-p tcp -j TARPIT --limit 10;=;OK
-p tcp -j TARPIT --limit 1000000;=;OK
-p tcp -j TARPIT --limit 0;;FAIL
-p tcp -j TARPIT --limit 1000001;;FAIL
-p tcp -j TARPIT --limit ten;;FAIL
-p tcp -j TARPIT --limit 5 --limit 6;;FAIL
-p tcp -j TARPIT --limit-global 100;=;OK
-j TARPIT --limit 10;=;OK
! -p tcp -j TARPIT --limit 10;;FAIL
-p tcp -j TARPIT --reset --limit 5 --limit-global 50;=;OK
-p tcp -j TARPIT --limit-global 5 --mimic --limit 3 --no-validate;-p tcp -j TARPIT --no-validate --mimic --limit 3 --limit-global 5;OK
-p tcp --dport 22 -j TARPIT --limit 1 --limit-global 1;-p tcp -m tcp --dport 22 -j TARPIT --limit 1 --limit-global 1;OK
:OUTPUT
-p tcp -j TARPIT --limit 10;;FAIL
