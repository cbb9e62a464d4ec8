#!/bin/bash
# Runner self-test: the kernel prints call traces (as a WARN or an oops
# would); the job itself succeeds. scripts/vm-run must still fail.
echo l >/proc/sysrq-trigger
sleep 1
exit 0
