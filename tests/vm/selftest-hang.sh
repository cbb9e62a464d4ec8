#!/bin/bash
# Runner self-test: a job that never ends. scripts/vm-run must stop it at
# its time bound and say so (status 124).
sleep 100000
