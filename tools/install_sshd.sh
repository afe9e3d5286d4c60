#!/usr/bin/env bash
# Debian's OpenSSH server, for the tests that log in to a real sshd on 127.0.0.1 (tests/harness/sshd.py).
# The tests run their own sshd (own config, host key and port, as a child process); this only provides the binary
# and the `sshd` privilege-separation user Debian's package creates. Nothing is started here.
set -euo pipefail
if [ -x /usr/sbin/sshd ]; then
  echo "openssh-server present: $(/usr/sbin/sshd -V 2>&1 | head -1)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "openssh-server is missing: run 'sudo apt-get install openssh-server' (the registry-login tests need /usr/sbin/sshd)" >&2
  exit 1
fi
# Refuse to start the system ssh service on install (invoke-rc.d honours policy-rc.d's 101).
policy=/usr/sbin/policy-rc.d
created_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 0755 "$policy" && created_policy=true
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server >/dev/null
if $created_policy; then rm -f "$policy"; fi
echo "installed $(/usr/sbin/sshd -V 2>&1 | head -1)"
