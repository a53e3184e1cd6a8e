//! SVG primitives shared by every chart: escaping, number formatting, the root element
//! (with its `<title>` and `<desc>`), text and legend entries.
//!
//! Kept in one place so that every chart escapes data text the same way and prints
//! coordinates the same way (one decimal, never `NaN`, never `-0`), which is what makes
//! the output deterministic and safe to inline.

use std::fmt::Write as _;

/// Width of every chart's `viewBox`. The chart itself is as wide as its container (up to
/// [`MAX_PX`]) and its text scales with it: with 480 units and [`FONT`] = 14, text is 10 px
/// when the chart is 350 px wide (a 390 px phone) and 17.5 px at the widest.
pub(super) const W: f64 = 480.0;
/// Font size in user units (scaled with the chart, see [`W`]).
pub(super) const FONT: f64 = 14.0;
/// Rough width of one character at [`FONT`], to fit labels without measuring text.
pub(super) const CHAR_W: f64 = 7.6;
/// The widest a chart is drawn on a page, in CSS px.
const MAX_PX: f64 = 600.0;

/// Escapes text for XML content and attribute values (`&`, `<`, `>`, `"`, `'`). Control
/// characters (which XML 1.0 forbids) and line breaks become a replacement character or a
/// space, so that data cannot end an element, an attribute, or the document.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\r' | '\t' => out.push(' '),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters of `s` (with `…` when cut), escaped.
pub(super) fn short(s: &str, max: usize) -> String {
    escape(&cut(s, max))
}

/// At most `max` characters of `s` (with `…` when cut), not escaped.
pub(super) fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{head}…")
}

/// A coordinate with one decimal; never `NaN`, never `-0.0`.
pub(super) fn c(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".to_string()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// A value for people: `6559`, `35k`, `1.2M`, `0.052`.
pub(super) fn human(v: f64) -> String {
    if !v.is_finite() {
        return "?".into();
    }
    let a = v.abs();
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    let s = if a >= 1e9 {
        format!("{}G", trim(format!("{:.1}", v / 1e9)))
    } else if a >= 1e6 {
        format!("{}M", trim(format!("{:.1}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else if a >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        trim(format!("{v:.1}"))
    } else {
        trim(format!("{v:.3}"))
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// The root element of a chart `height` high, with its (escaped, shortened) title and
/// description; the caller appends the content and `</svg>`.
pub(super) fn open(out: &mut String, kind: &str, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-{kind}\" viewBox=\"0 0 {w} {h}\" width=\"100%\" preserveAspectRatio=\"xMidYMid meet\" role=\"img\" font-family=\"system-ui, sans-serif\" font-size=\"{font}\" style=\"max-width:{max}px;height:auto;display:block\"><title>{title}</title><desc>{desc}</desc>",
        w = c(W),
        h = c(height),
        font = c(FONT),
        max = c(MAX_PX),
        title = short(title, 300),
        desc = short(desc, 600),
    );
}

/// A `<text>` element in the page's text colour; `content` must be escaped already.
pub(super) fn text(out: &mut String, x: f64, y: f64, anchor: &str, class: &str, content: &str) {
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"currentColor\">{content}</text>",
        c(x),
        c(y)
    );
}

/// A legend entry whose text sits on baseline `y`: swatch and (escaped) label; returns the
/// x after it.
#[allow(clippy::too_many_arguments)]
pub(super) fn legend_item(
    out: &mut String,
    x: f64,
    y: f64,
    label: &str,
    color: &str,
    dashed: bool,
    faint: bool,
    max_chars: usize,
) -> f64 {
    let label = short(label, max_chars);
    let dash = if dashed {
        " stroke-dasharray=\"4 3\""
    } else {
        ""
    };
    let op = if faint {
        " stroke-opacity=\"0.35\""
    } else {
        ""
    };
    let _ = write!(
        out,
        "<g class=\"legend\"><line x1=\"{}\" y1=\"{sy}\" x2=\"{}\" y2=\"{sy}\" stroke=\"{color}\" stroke-width=\"3\"{dash}{op}/>",
        c(x),
        c(x + 16.0),
        sy = c(y - 5.0)
    );
    text(out, x + 20.0, y, "start", "legend-label", &label);
    out.push_str("</g>");
    x + 20.0 + label.chars().count() as f64 * CHAR_W + 14.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_have_one_decimal_and_no_nan_or_negative_zero() {
        assert_eq!(c(12.0), "12");
        assert_eq!(c(1.24), "1.2");
        assert_eq!(c(-0.04), "0");
        assert_eq!(c(f64::NAN), "0");
        assert_eq!(c(f64::INFINITY), "0");
    }

    #[test]
    fn values_for_people_use_k_m_g_and_few_decimals() {
        assert_eq!(human(6558.8), "6559");
        assert_eq!(human(35_000.0), "35k");
        assert_eq!(human(1_200_000.0), "1.2M");
        assert_eq!(human(3e9), "3G");
        assert_eq!(human(0.052), "0.052");
        assert_eq!(human(45.4), "45.4");
        assert_eq!(human(-0.0001), "0");
        assert_eq!(human(f64::NAN), "?");
    }

    #[test]
    fn short_cuts_with_an_ellipsis_then_escapes() {
        assert_eq!(short("abc", 3), "abc");
        assert_eq!(short("a<cdef", 3), "a&lt;…");
    }
}
