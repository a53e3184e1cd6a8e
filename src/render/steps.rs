//! A finding's remediation as numbered steps. Rules write each line as `command   # why` (or a
//! sentence alone); pages show the command in its own box with the reason as prose beside it,
//! and keep commands that only read ("confirm first") apart from those that change the machine.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// Reads state only: safe to run first, to confirm the diagnosis.
    Check,
    /// Changes the machine (a setting, a ring, a queue length).
    Fix,
    /// Advice without a command.
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub kind: StepKind,
    /// The shell command, when the line has one.
    pub command: Option<String>,
    /// Why, in prose (the line's `# …` comment, or the sentence itself).
    pub why: Option<String>,
}

/// Splits remediation lines into steps, in the rule's order (the rule puts its primary command
/// first; pages group the steps by kind and keep that order within each).
pub fn steps(remediation: &[String]) -> Vec<Step> {
    remediation.iter().map(|line| step(line)).collect()
}

/// The first command of a finding, for the summary: the rule lists its steps by priority, so
/// its first command, fix or check (`ethtool -g eth2` comes before raising a budget when the
/// ring size is not in the data).
pub fn first_command(steps: &[Step]) -> Option<&str> {
    steps.iter().find_map(|s| s.command.as_deref())
}

fn step(line: &str) -> Step {
    let line = line.trim();
    if let Some(prose) = line.strip_prefix('#') {
        return note(prose);
    }
    let (command, why) = match comment_start(line) {
        Some(at) => (line[..at].trim_end(), Some(line[at + 1..].trim())),
        None => (line, None),
    };
    if !looks_like_command(command) {
        return note(line);
    }
    Step {
        kind: if changes_machine(command) {
            StepKind::Fix
        } else {
            StepKind::Check
        },
        command: Some(command.to_string()),
        why: why.filter(|w| !w.is_empty()).map(capitalize),
    }
}

fn note(prose: &str) -> Step {
    Step {
        kind: StepKind::Note,
        command: None,
        why: Some(capitalize(prose.trim())),
    }
}

/// Where the line's shell comment starts: a `#` after whitespace, outside quotes (so that
/// `grep '#'` or `RUN+="…#…"` stay part of the command).
fn comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '#') if previous.is_whitespace() && i > 0 => return Some(i),
            _ => {}
        }
        previous = c;
    }
    None
}

/// Rules also write plain sentences ("Find why the guest's vCPU is starved: …"). A command
/// starts with a lower-case program name or a shell keyword.
fn looks_like_command(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    !first.is_empty()
        && first
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_./".contains(c))
        && !text.ends_with('.')
}

/// Commands that change state. Reading commands (`ethtool -g`, `sysctl name`, `grep`, `ss`,
/// `tc -s qdisc show`) are checks.
fn changes_machine(command: &str) -> bool {
    let words: Vec<&str> = command.split_whitespace().collect();
    let has = |w: &str| words.contains(&w);
    match words.first().copied().unwrap_or("") {
        "sysctl" => has("-w"),
        "ethtool" => words.iter().any(|w| {
            matches!(
                *w,
                "-G" | "--set-ring"
                    | "-L"
                    | "--set-channels"
                    | "-K"
                    | "--features"
                    | "-A"
                    | "-C"
                    | "-s"
            )
        }),
        "ip" => has("set") || has("add") || has("del") || has("change") || has("replace"),
        "tc" => has("add") || has("change") || has("replace") || has("del"),
        "echo" | "modprobe" | "systemctl" | "ipvsadm" | "nmcli" => !has("show") && !has("-Ln"),
        "for" => command.contains("> /") || command.contains(">/") || command.contains(" -w "),
        _ => false,
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_command_and_its_comment_become_a_fix_with_prose() {
        // The line nic-rx-ring-overflow writes for testdata/scenarios/nic-rx-ring-overflow-pos-lvs-fifo.
        let s = steps(&lines(&["ethtool -G eth2 rx 4096   # RX ring 256 when the frames were lost, pre-set maximum 4096"]));
        assert_eq!(s[0].kind, StepKind::Fix);
        assert_eq!(s[0].command.as_deref(), Some("ethtool -G eth2 rx 4096"));
        assert_eq!(
            s[0].why.as_deref(),
            Some("RX ring 256 when the frames were lost, pre-set maximum 4096")
        );
    }

    #[test]
    fn reading_commands_are_checks_and_sentences_are_notes() {
        let s = steps(&lines(&[
            "ethtool -l eth2   # not in the data: compare current and maximum channels",
            "grep -E 'eth2|TxRx|rx-' /proc/interrupts   # check that the queue IRQs are spread",
            "sysctl net.core.flow_limit_cpu_bitmap net.core.flow_limit_table_len   # with RPS",
            "# If one CPU squeezes while others idle, spread receive work first.",
            "Find why the guest's vCPU is starved: check steal.",
        ]));
        let kinds: Vec<&StepKind> = s.iter().map(|s| &s.kind).collect();
        assert_eq!(
            kinds,
            [
                &StepKind::Check,
                &StepKind::Check,
                &StepKind::Check,
                &StepKind::Note,
                &StepKind::Note
            ]
        );
        assert_eq!(
            s[3].why.as_deref(),
            Some("If one CPU squeezes while others idle, spread receive work first.")
        );
        assert_eq!(s[4].command, None);
    }

    #[test]
    fn a_hash_inside_quotes_is_part_of_the_command() {
        let s = steps(&lines(&[
            "grep -c '# dropped' /var/log/messages   # how many",
        ]));
        assert_eq!(
            s[0].command.as_deref(),
            Some("grep -c '# dropped' /var/log/messages")
        );
        assert_eq!(s[0].why.as_deref(), Some("How many"));
    }

    #[test]
    fn the_summary_takes_the_rules_first_command() {
        let s = steps(&lines(&[
            "# advice first",
            "ethtool -g eth0   # read the ring",
            "sysctl -w net.core.netdev_max_backlog=2000   # now 1000",
        ]));
        assert_eq!(first_command(&s), Some("ethtool -g eth0"));
        assert_eq!(first_command(&steps(&lines(&["# advice"]))), None);
    }
}
