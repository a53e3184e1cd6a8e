//! Finding cards: one per rule and severity. Twenty-five CPUs squeezing, or four interfaces
//! dropping in their NIC, are one card that lists them (each with its own sentence and
//! anchor), with the chart of the worst and the union of their steps, not 25 cards that
//! repeat the same explanation and advice.

use rules::finding::Severity;
use rules::model::Host;
use serde::Serialize;

use crate::render::steps::Step;

#[derive(Debug, Clone, Serialize)]
pub struct CardView {
    pub severity: Severity,
    /// Into `host.findings`, in their order (most severe, then largest, first).
    pub members: Vec<usize>,
    /// For a card of several findings: its own id (`<host>-<rule>-all`); each member's row
    /// keeps the finding's anchor, so every link still lands on its subject.
    pub anchor: String,
    /// The members' steps without repeats (a setting several CPUs share is one step).
    pub steps: Vec<Step>,
}

pub fn cards(host: &Host, steps: &[Vec<Step>]) -> Vec<CardView> {
    let mut cards: Vec<CardView> = Vec::new();
    for (n, f) in host.findings.iter().enumerate() {
        let same = cards.iter_mut().find(|c| {
            let first = &host.findings[c.members[0]];
            first.rule == f.rule && first.severity == f.severity
        });
        match same {
            Some(card) => card.members.push(n),
            None => cards.push(CardView {
                severity: f.severity,
                members: vec![n],
                anchor: crate::render::summary::anchor(&[&host.hostname, f.rule, "all"]),
                steps: Vec::new(),
            }),
        }
    }
    for card in &mut cards {
        for &n in &card.members {
            for step in &steps[n] {
                add_step(&mut card.steps, step);
            }
        }
    }
    cards
}

/// Adds a member's step to its card: a repeat is dropped, and a command given for the same
/// reason as an earlier one (`ethtool -i eth0`, `ethtool -i eth2`) joins that step's box, one
/// command per line, so the reason is read once.
fn add_step(steps: &mut Vec<Step>, step: &Step) {
    if steps.contains(step) {
        return;
    }
    let same_reason = steps.iter_mut().find(|s| {
        s.kind == step.kind && s.why == step.why && s.command.is_some() && step.command.is_some()
    });
    match (same_reason, &step.command) {
        (Some(s), Some(command)) => {
            let joined = s.command.get_or_insert_with(String::new);
            if !joined.lines().any(|l| l == command) {
                joined.push('\n');
                joined.push_str(command);
            }
        }
        _ => steps.push(step.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::steps::steps;
    use rules::finding::{Finding, Rule};

    fn finding(rule: &'static str, severity: Severity, subject: &str, fix: &[&str]) -> Finding {
        let rule: &'static Rule = Box::leak(Box::new(Rule {
            id: rule,
            title: "title",
            default_severity: severity,
            references: &[],
            check: |_| Vec::new(),
        }));
        let mut f = rule.finding(severity, subject, "summary".into());
        f.remediation = fix.iter().map(|s| s.to_string()).collect();
        f
    }

    /// The cards of a host's findings, each finding's steps read from its remediation.
    fn cards_of(host: &Host) -> Vec<CardView> {
        let all: Vec<Vec<Step>> = host
            .findings
            .iter()
            .map(|f| steps(&f.remediation))
            .collect();
        cards(host, &all)
    }

    #[test]
    fn findings_of_one_rule_and_severity_share_a_card_and_their_steps() {
        let budget = "sysctl -w net.core.netdev_budget=600   # now 300";
        let mut host = Host::new("web01");
        host.findings = vec![
            finding("softnet-time-squeeze", Severity::Warning, "cpu3", &[budget]),
            finding(
                "nic-rx-ring-overflow",
                Severity::Warning,
                "eth0",
                &["ethtool -G eth0 rx 4096   # ring"],
            ),
            finding("softnet-time-squeeze", Severity::Warning, "cpu5", &[budget]),
            finding("softnet-time-squeeze", Severity::Info, "cpu7", &[budget]),
        ];
        let c = cards_of(&host);
        let members: Vec<&[usize]> = c.iter().map(|c| c.members.as_slice()).collect();
        assert_eq!(members, [&[0, 2][..], &[1], &[3]]);
        // cpu3 and cpu5 share one budget step.
        assert_eq!(c[0].steps.len(), 1);
        assert_eq!(
            c[0].steps[0].command.as_deref(),
            Some("sysctl -w net.core.netdev_budget=600")
        );
        assert_eq!(c[0].anchor, "web01-softnet-time-squeeze-all");
    }

    #[test]
    fn commands_given_for_the_same_reason_share_one_box() {
        let mut host = Host::new("web01");
        host.findings = vec![
            finding(
                "nic-tx-timeout",
                Severity::Warning,
                "eth0",
                &["ethtool -i eth0   # driver and firmware"],
            ),
            finding(
                "nic-tx-timeout",
                Severity::Warning,
                "eth2",
                &["ethtool -i eth2   # driver and firmware"],
            ),
        ];
        let c = cards_of(&host);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].steps.len(), 1);
        assert_eq!(
            c[0].steps[0].command.as_deref(),
            Some("ethtool -i eth0\nethtool -i eth2")
        );
        assert_eq!(c[0].steps[0].why.as_deref(), Some("Driver and firmware"));
    }
}
