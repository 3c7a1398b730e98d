#!/usr/bin/env bash
# Starts the services the tests need when they are not running: MariaDB on
# 127.0.0.1:3306 (root, empty password). Under CI=true a missing database is
# an error, never a skip.
set -euo pipefail

mysql_up() { mariadb -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1' >/dev/null 2>&1 || mysql -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1' >/dev/null 2>&1; }

if ! mysql_up; then
  if [ -x /usr/sbin/mariadbd ]; then
    echo "[services] starting MariaDB" >&2
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
    for _ in $(seq 1 60); do mysql_up && break; sleep 1; done
  fi
fi

if mysql_up; then
  echo "[services] MariaDB is up on 127.0.0.1:3306" >&2
elif [ "${CI:-}" = "true" ]; then
  echo "[services] MariaDB is not reachable on 127.0.0.1:3306 and CI=true: the MySQL tests cannot run" >&2
  exit 1
else
  echo "[services] MariaDB is not reachable: the MySQL tests will be skipped (they never skip under CI=true)" >&2
fi
