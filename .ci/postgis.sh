#!/usr/bin/env bash
# Install PostgreSQL 15 with PostGIS 3 from Debian, for the tests that start
# their own throwaway server (tests/pg.py). No server is started or enabled here.
# Usage (as root, Debian 12): .ci/postgis.sh
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

if [ -x /usr/lib/postgresql/15/bin/initdb ] && [ -x /usr/lib/postgresql/15/bin/pg_ctl ] \
   && [ -f /usr/share/postgresql/15/extension/postgis.control ]; then
  echo "postgis.sh: PostgreSQL 15 and PostGIS already installed"
  exit 0
fi

apt-get update
apt-get install -y --no-install-recommends postgresql-15 postgresql-15-postgis-3

# The Debian package may start a cluster of its own; the tests do not need it.
if command -v pg_ctlcluster >/dev/null 2>&1; then
  pg_ctlcluster 15 main stop 2>/dev/null || true
fi

/usr/lib/postgresql/15/bin/postgres --version
test -f /usr/share/postgresql/15/extension/postgis.control
getent passwd postgres >/dev/null  # tests run the server as this user when root
echo "postgis.sh: PostgreSQL 15 and PostGIS installed"
