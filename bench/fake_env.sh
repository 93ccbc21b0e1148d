# fake_env.sh: sourced by the bench scripts that run stockbatch against the
# fake API with the test helpers (tests/lib.sh); $1 is the stockbatch to
# measure (default ./stockbatch, from a build dir).
top=$(cd "$(dirname "$0")/.." && pwd)
top_srcdir=$top
STOCKBATCH_BIN=$(cd "$(dirname "${1:-./stockbatch}")" && pwd)/$(basename "${1:-./stockbatch}")
PYTHON3=${PYTHON3:-/usr/bin/python3}
export top_srcdir STOCKBATCH_BIN PYTHON3
. "$top/tests/lib.sh"
