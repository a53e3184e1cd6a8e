//! Inline SVG charts for the HTML report. STUB: to be implemented.

use rules::finding::Finding;
use rules::model::Host;

/// An SVG document (no scripts, no external references) showing the counters behind a
/// finding over time, or `None` when there is nothing to draw.
pub fn for_finding(_host: &Host, _finding: &Finding) -> Option<String> {
    None
}
