//! Remediation as a customer pastes it: advice becomes a `# ` comment, so a block of
//! remediation stays pasteable into a shell, and a command naming an interface whose name
//! needs shell quoting is commented out with a warning.

use crate::finding::Finding;
use crate::model::Host;

/// Makes every finding's remediation pasteable (see the module comment).
pub(super) fn make_pasteable(host: &Host, findings: &mut [Finding]) {
    // Interface names come from the customer's data and may hold shell metacharacters
    // (`$(reboot)` is a valid 9-character name): a command naming one is not pasteable as is.
    // So may the devices a kernel-log line names (`link-flap`, `nic-tx-timeout` subjects).
    let logged = host.kernel_log.iter().filter_map(|e| e.subject.as_deref());
    let unsafe_names: Vec<&str> = host
        .interfaces
        .iter()
        .map(|i| i.name.as_str())
        .chain(logged)
        .filter(|n| !is_shell_safe(n))
        .collect();
    for f in findings {
        for r in &mut f.remediation {
            if !is_command(r) {
                *r = format!("# {r}");
            } else if !r.starts_with('#') && unsafe_names.iter().any(|n| r.contains(n)) {
                *r = format!("# (quote the interface name before running this) {r}");
            }
        }
    }
}

/// The capture script's line, added to every finding that rests on totals (since boot, an
/// unknown window, one reading): two readings of one command confirm that counter, the
/// script confirms them all at once, with rates (`analyze capture-script`, issue 16).
pub const CAPTURE_SCRIPT: &str = "analyze capture-script > capture-drops.sh   # or analyze's scripts/capture-drops.sh: run `sh capture-drops.sh` on the machine while the problem happens (every drop counter every 5 s for 5 min, read-only), then analyze the .txt.gz it names for live rates";

/// Adds [`CAPTURE_SCRIPT`] after the finding's own commands when its evidence was not
/// measured live (kernel-log findings are lines, not counters: the script cannot confirm them).
pub(super) fn point_to_capture_script(findings: &mut [Finding]) {
    for f in findings {
        if matches!(f.basis, "since-boot" | "unknown-window" | "snapshot") {
            f.remediation.push(CAPTURE_SCRIPT.to_string());
        }
    }
}

/// Characters that never need shell quoting in an interface name.
pub fn is_shell_safe(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'.' | b'-' | b'@' | b':' | b'+' | b'=' | b',')
        })
}

/// Remediation lines are either commands/config lines a customer can paste, or advice; advice
/// is turned into a `# ` comment so a block of remediation stays pasteable into a shell.
fn is_command(line: &str) -> bool {
    const COMMANDS: [&str; 27] = [
        "#",
        "analyze",
        "for",
        "bridge",
        "ethtool",
        "ip",
        "sysctl",
        "grep",
        "echo",
        "tc",
        "ipvsadm",
        "tcpdump",
        "virsh",
        "nmcli",
        "cat",
        "modprobe",
        "options",
        "systemctl",
        "taskset",
        "lsmod",
        "irqbalance",
        "sar",
        "conntrack",
        "dmesg",
        "ss",
        "nstat",
        "iptables",
    ];
    let first = line.split_whitespace().next().unwrap_or("");
    COMMANDS.contains(&first) || first.starts_with('#') || first.starts_with('/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::run;
    use crate::model::InterfaceKind;
    use crate::test_support::assert_any_contains;
    use crate::test_support::HostBuilder;

    #[test]
    fn hostile_interface_names_are_not_pasteable() {
        assert!(is_shell_safe("eth0.100"));
        assert!(is_shell_safe("tapc18eb09e-01"));
        assert!(!is_shell_safe("$(reboot)"));
        assert!(!is_shell_safe("a'b"));
        assert!(!is_shell_safe("x|y"));
    }

    #[test]
    fn commands_naming_a_hostile_interface_are_commented_out() {
        // Synthetic: a tap named `$(reboot)` (a valid Linux name) dropping heavily.
        let host = HostBuilder::new("h")
            .interface(
                "$(reboot)",
                InterfaceKind::Tap,
                &[
                    (0, &[("tx_dropped", 0), ("tx_packets", 0)]),
                    (10, &[("tx_dropped", 50_000), ("tx_packets", 500_000)]),
                ],
            )
            .build();
        let findings = run(&host);
        let tap = findings.iter().find(|f| f.rule == "tap-tx-drop").unwrap();
        for line in tap.remediation.iter().filter(|l| l.contains("$(reboot)")) {
            assert!(line.starts_with('#'), "pasteable: {line}");
        }
        assert_any_contains(&tap.remediation, "$(reboot)");
    }

    #[test]
    fn commands_naming_a_hostile_device_of_the_kernel_log_are_commented_out() {
        // Synthetic: a link-down line naming `x;reboot`, no interface of that name read.
        let host = HostBuilder::new("h")
            .with(|h| {
                let ev = crate::test_support::log(
                    crate::model::LogMessage::LinkDown,
                    "x;reboot",
                    2,
                    0,
                    60,
                );
                h.kernel_log.push(ev);
            })
            .build();
        let findings = run(&host);
        let flap = findings.iter().find(|f| f.rule == "link-flap").unwrap();
        assert_any_contains(&flap.remediation, "ethtool x;reboot");
        for line in flap.remediation.iter().filter(|l| l.contains("x;reboot")) {
            assert!(line.starts_with('#'), "pasteable: {line}");
        }
    }
}
