//! Inline SVG charts for the HTML report: the counters behind each finding, over time.
//!
//! Every function returns one complete `<svg …>…</svg>` element (or `None` when there is
//! nothing honest to draw). The markup has no script, no external reference, no
//! `<foreignObject>` and no `id` attributes, so any number of charts can sit in one page; all
//! text that comes from the data (interface names, metric names, sources, CPU labels) is
//! escaped with [`escape`]. Output is deterministic: the same host gives byte-identical SVG.
//! The strings are markup already escaped here: a template must mark them safe (minijinja:
//! `Value::from_safe_string`) rather than escape them again.
//!
//! Colours: text, axes and grid use `currentColor`, so a chart follows the page's light or
//! dark scheme; series use a fixed mid-tone palette readable on both. Elements carry classes
//! (`chart`, `grid`, `axis`, `series`, `legend`, `hot`, `other`…) for a page stylesheet to
//! refine, but need none. The root has `role="img"`, a `<title>` and a `<desc>`; hovering a
//! point shows its value (an SVG `<title>` tooltip, no JavaScript). Width 640 (`viewBox`
//! set, `max-width:100%` so it shrinks on narrow screens).
//!
//! Public API:
//! * [`for_finding`]: the chart of one finding (see its doc for what each rule shows).
//! * [`softnet_heatmap`]: per-host heat strip of one softnet counter (`dropped`,
//!   `time_squeeze`, `processed`) per CPU per interval; per-CPU columns for a since-boot-only
//!   reading. For the "softnet per CPU" data section.
//! * [`cpu_si_heatmap`]: per-host heat strip of softirq `si` % per CPU per `top`/`sar` frame
//!   (at least two frames).
//! * [`cpu_per_sample`]: per-host lines of busy, softirq and steal % (all CPUs) per frame,
//!   for the "CPU per sample" data section (at least two frames).
//! * [`escape`]: XML escaping used for every piece of data text.
//!
//! Layout, from the bottom up: `svg` (primitives, escaping, number formatting) and `time`
//! (what the x axis measures); `axes` (margins, y scale, grid, axes and captions, shared by
//! every chart kind); one module per chart kind (`lines`, `bars`, `columns`, `heat`);
//! `data` (series and value preparation); one module per chart builder (`interface`,
//! `steal`, `softnet`, `softirq`, `softirq_columns`, `ipvs`, `evidence_steps`,
//! `evidence_bars`, and the per-host `softnet_heat`, `si_heat`, `cpu`); and `select`, which
//! picks a finding's chart.

mod axes;
mod bars;
mod columns;
mod cpu;
mod data;
mod evidence_bars;
mod evidence_steps;
mod heat;
mod interface;
mod ipvs;
mod lines;
mod select;
mod si_heat;
mod softirq;
mod softirq_columns;
mod softnet;
mod softnet_heat;
mod steal;
mod svg;
mod time;

#[cfg(test)]
mod gallery;
#[cfg(test)]
mod testutil;

pub use cpu::cpu_per_sample;
pub use select::for_finding;
pub use si_heat::cpu_si_heatmap;
pub use softnet_heat::softnet_heatmap;
pub use svg::escape;

/// Mid-tone colours that read on white and on a dark background.
const PALETTE: [&str; 6] = [
    "#e8590c", "#1c7ed6", "#2f9e44", "#ae3ec9", "#0c8599", "#f08c00",
];
/// The finding's own series (the hot CPU, the subject) and the overlay.
const HOT: &str = "#e8590c";
const STEAL: &str = "#ae3ec9";

/// Most lines a chart draws; longer lists keep the largest.
const MAX_METRICS: usize = 6;
/// Faint context lines (the other CPUs) beyond which the least busy are drawn as one line,
/// their maximum: 16 lines tell "one CPU or all of them" as well as 63 do, at a quarter of
/// the bytes.
const MAX_FAINT: usize = 16;
