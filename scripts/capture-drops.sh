#!/bin/sh
# capture-drops.sh: read the packet-drop counters of this machine every few seconds, so that
# `analyze` can tell what is being lost NOW (rates), not only since boot.
#
#   sh capture-drops.sh                  # every 5 s, 60 times (5 minutes), every interface
#   sh capture-drops.sh -i 2 -n 30 -I eth0 -I eth1 -o /tmp/drops.txt
#
# Read-only: it changes no setting. It runs at low priority, stops at a size cap, finishes
# its file cleanly on Ctrl-C, and gzips it at the end. Optional tools (ethtool, tc, nstat,
# ipvsadm, conntrack, top) are used only when present; the file says which were missing.
# Then send the .gz file it names; `analyze FILE.gz` reads it as it is.

set -u

VERSION=1
INTERVAL=5
COUNT=60
IFACES=""
OUT=""
# Stop before the file grows past this (a host with thousands of interfaces or CPUs).
MAX_BYTES=$((256 * 1024 * 1024))

usage() {
    cat <<'EOF'
usage: capture-drops.sh [-i SECONDS] [-n COUNT] [-I IFACE]... [-o FILE]
  -i SECONDS  time between readings (default 5)
  -n COUNT    number of readings (default 60)
  -I IFACE    an interface to read with ethtool (repeat; default: every physical one)
  -o FILE     output file (default ./drops-<host>-<UTC time>.txt), gzipped at the end
EOF
}

while getopts 'i:n:I:o:h' opt; do
    case $opt in
        i) INTERVAL=$OPTARG ;;
        n) COUNT=$OPTARG ;;
        I) IFACES="$IFACES $OPTARG" ;;
        o) OUT=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

case $INTERVAL in '' | *[!0-9]*) echo "capture-drops.sh: -i needs whole seconds" >&2; exit 2 ;; esac
case $COUNT in '' | *[!0-9]* | 0) echo "capture-drops.sh: -n needs a count of 1 or more" >&2; exit 2 ;; esac

HOST=$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname 2>/dev/null || echo host)
[ -n "$OUT" ] || OUT="./drops-$HOST-$(date -u +%Y%m%dT%H%M%SZ).txt"

# Low priority: this must never be what the machine is short of.
renice -n 10 -p $$ >/dev/null 2>&1 || true

have() { command -v "$1" >/dev/null 2>&1; }

# Each output is preceded by `# command`, the way `analyze` recognises a capture.
run() {
    printf '# %s\n' "$*"
    "$@" 2>&1
}

show() {
    if [ -r "$1" ]; then
        printf '# cat %s\n' "$1"
        cat "$1" 2>&1
    fi
}

# The header and the NIC queue lines of /proc/interrupts: how each queue's interrupts spread
# over CPUs. The whole file can be thousands of lines on a big host; these are the ones that
# matter here (named after an interface, or a driver's queue vectors).
queue_interrupts() {
    [ -r /proc/interrupts ] || return 0
    pattern='^ *CPU0|TxRx|-rx-|-tx-|virtio[0-9]+-(input|output)|mlx[45]_comp|ena-Tx-Rx'
    for dev in $IFACES; do
        pattern="$pattern|$dev"
    done
    printf "# grep -E '%s' /proc/interrupts\n" "$pattern"
    grep -E "$pattern" /proc/interrupts 2>&1
}

# Physical interfaces (they have a device); the loopback and virtual ones have none.
physical() {
    for dev in /sys/class/net/*; do
        [ -e "$dev/device" ] && printf '%s\n' "${dev##*/}"
    done
}
[ -n "$IFACES" ] || IFACES=$(physical)

MISSING=""
for tool in ip ethtool tc nstat ipvsadm conntrack top; do
    have "$tool" || MISSING="$MISSING $tool"
done

header() {
    printf '# capture-drops.sh version %s: %s readings every %s s\n' "$VERSION" "$COUNT" "$INTERVAL"
    [ -z "$MISSING" ] || printf '# capture-drops.sh: not installed here:%s\n' "$MISSING"
    run hostname
    run uname -a
    run uptime
    run lscpu
    for key in net.core.netdev_max_backlog net.core.netdev_budget net.core.netdev_budget_usecs \
        net.core.dev_weight net.core.somaxconn net.core.rmem_max net.ipv4.tcp_mem \
        net.ipv4.udp_mem net.netfilter.nf_conntrack_max; do
        [ -r "/proc/sys/$(printf '%s' "$key" | tr . /)" ] && SYSCTLS="${SYSCTLS:-} $key"
    done
    # shellcheck disable=SC2086 # the keys are words
    [ -z "${SYSCTLS:-}" ] || run sysctl $SYSCTLS
    have ip && run ip -d link
    for dev in $IFACES; do
        if have ethtool; then
            run ethtool -i "$dev"
            run ethtool -g "$dev"
            run ethtool -l "$dev"
        fi
    done
    for bond in /proc/net/bonding/*; do
        show "$bond"
    done
    [ -r /proc/net/ip_vs ] && have ipvsadm && run ipvsadm -Ln
    return 0
}

reading() {
    LC_ALL=C run date
    # Without iproute2 (a minimal container), /proc/net/dev has the same generic counters.
    if have ip; then
        run ip -s -s link
    else
        show /proc/net/dev
    fi
    show /proc/net/softnet_stat
    if have ethtool; then
        for dev in $IFACES; do
            run ethtool -S "$dev"
        done
    fi
    if have nstat; then
        run nstat -az
    else
        show /proc/net/snmp
        show /proc/net/netstat
    fi
    show /proc/net/sockstat
    have tc && run tc -s qdisc show
    show /proc/sys/net/netfilter/nf_conntrack_count
    have conntrack && run conntrack -S
    show /proc/softirqs
    queue_interrupts
    # shellcheck disable=SC2086 # the form is words
    [ -z "$TOP" ] || run $TOP
    [ -r /proc/net/ip_vs ] && have ipvsadm && run ipvsadm -Ln --stats
    return 0
}

# Per-CPU `top` rows, wide enough that procps-ng 4 does not cut its two-abreast CPU lines;
# busybox and old procps lack `-1` or `-w`, so the first form that works is used.
TOP=""
if have top; then
    for form in "top -b -n1 -1 -w 512" "top -b -n1 -1" "top -b -n1"; do
        # shellcheck disable=SC2086 # the form is words
        if $form >/dev/null 2>&1; then
            TOP=$form
            break
        fi
    done
fi

STOP=0
trap 'STOP=1' INT TERM

header >"$OUT" || { echo "capture-drops.sh: cannot write $OUT" >&2; exit 1; }
n=0
while [ "$n" -lt "$COUNT" ] && [ "$STOP" -eq 0 ]; do
    reading >>"$OUT"
    n=$((n + 1))
    size=$(wc -c <"$OUT")
    if [ "$size" -ge "$MAX_BYTES" ]; then
        printf '# capture-drops.sh: stopped at the size cap (%s bytes)\n' "$size" >>"$OUT"
        break
    fi
    [ "$n" -lt "$COUNT" ] && [ "$STOP" -eq 0 ] && sleep "$INTERVAL"
done
[ "$STOP" -eq 0 ] || printf '# capture-drops.sh: interrupted after %s readings\n' "$n" >>"$OUT"
trap - INT TERM

if have gzip && gzip -f "$OUT"; then
    OUT="$OUT.gz"
fi
printf 'capture-drops.sh: %s readings written to %s\nAttach that file to the ticket (analyze reads it as it is).\n' "$n" "$OUT" >&2
