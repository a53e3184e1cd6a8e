#!/usr/bin/env python3
"""gen-percpu-capture.py CPUS SAMPLES [OUT]: a SYNTHETIC capture log of a many-CPU machine,
the loop `while true; do date; ip -s -s link; cat /proc/net/softnet_stat; top -b -n1 -1;
sleep 5; done` run SAMPLES times, each command echoed as `$ CMD`.

Deterministic (no randomness): lo and eth0 (eth0's rx_missed grows 100 per sample), one
softnet row per CPU (CPU 3 drops 50 and squeezes 7 per sample, the others stay flat), and a
`top` frame with one `%CpuN` line per CPU (CPU 3 at 60-79 si, every 8th CPU 5 st). Used by
bench/run's "page" case; tests/it/scale.rs builds the same shape in Rust."""
import sys
from datetime import datetime, timedelta


def ip_block(n):
    missed = 100 * n
    return f"""1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    RX:  bytes packets errors dropped  missed   mcast
         {1000 + n}    {10 + n}      0       0       0       0
    RX errors:  length    crc   frame    fifo overrun
                     0      0       0       0       0
    TX:  bytes packets errors dropped carrier collsns
         {1000 + n}    {10 + n}      0       0       0       0
    TX errors: aborted   fifo  window heartbt transns
                     0      0       0       0       1
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000
    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
    RX:  bytes packets errors dropped  missed   mcast
    {9000000 + 150000 * n} {100000 + 1000 * n}      0      40 {missed}       0
    RX errors:  length    crc   frame    fifo overrun
                     0      0       0       0       0
    TX:  bytes packets errors dropped carrier collsns
    {5000000 + 90000 * n} {60000 + 600 * n}      0       0       0       0
    TX errors: aborted   fifo  window heartbt transns
                     0      0       0       0       1
"""


def softnet(cpus, n):
    rows = []
    for c in range(cpus):
        hot = c == 3
        vals = [5000 * (n + 1) + c, 50 * n if hot else 0, 7 * n if hot else 0, 0, 0, 0, 0, 0, 0,
                100 * n, 0, 0, c]
        rows.append(" ".join(f"{v:08x}" for v in vals))
    return "\n".join(rows) + "\n"


def top(cpus, t, n):
    out = [f"top - {t:%H:%M:%S} up 3 days,  1 user,  load average: 2.10, 2.05, 2.00",
           "Tasks: 300 total,   2 running, 298 sleeping,   0 stopped,   0 zombie"]
    for c in range(cpus):
        si = 60.0 + (n % 20) if c == 3 else float((c + n) % 3)
        st = 5.0 if c % 8 == 7 else 0.0
        us = float(10 + (c * 7 + n) % 30)
        sy = 3.0
        idle = max(0.0, 100.0 - us - sy - si - st)
        out.append(f"%Cpu{c:<3d}: {us:5.1f} us, {sy:4.1f} sy,  0.0 ni, {idle:5.1f} id,  0.0 wa,  0.0 hi, {si:4.1f} si, {st:4.1f} st")
    out += ["MiB Mem :  64000.0 total,  32000.0 free,  16000.0 used,  16000.0 buff/cache",
            "MiB Swap:      0.0 total,      0.0 free,      0.0 used.  47000.0 avail Mem",
            "",
            "    PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND",
            "     31 root      20   0       0      0      0 R  70.0   0.0  12:00.00 ksoftirqd/3",
            "   4242 app       20   0 5000000 900000  20000 S  55.0   1.4 300:00.00 java",
            "      1 root      20   0  170000  12000   9000 S   0.0   0.0   0:10.00 systemd",
            ""]
    return "\n".join(out) + "\n"


def capture(cpus, samples):
    t = datetime(2024, 3, 5, 10, 0, 0)
    parts = []
    for n in range(samples):
        parts.append(f"$ date\n{t:%a %b %e %H:%M:%S} UTC {t:%Y}\n")
        parts.append("$ ip -s -s link\n" + ip_block(n))
        parts.append("$ cat /proc/net/softnet_stat\n" + softnet(cpus, n))
        parts.append("$ top -b -n1 -1\n" + top(cpus, t, n))
        t += timedelta(seconds=5)
    return "".join(parts)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    text = capture(int(sys.argv[1]), int(sys.argv[2]))
    if len(sys.argv) > 3:
        open(sys.argv[3], "w").write(text)
    else:
        sys.stdout.write(text)
